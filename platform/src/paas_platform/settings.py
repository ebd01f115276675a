"""Settings of the control plane, read once from the environment (twelve-factor).

Every knob has a PAAS_* name (or DATABASE_URL) and an embedded default, so
`paas-platform up` runs with no configuration at all.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from paas_platform.domain.errors import SettingsError

INSTANCE_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
# PAAS_DOMAIN ends up in the router's nginx configuration: plain DNS labels only.
DOMAIN_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
SIZE_PATTERN = re.compile(r"^(\d+)([kmg]?)b?$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
DURATION_PATTERN = re.compile(r"^(\d{1,9})([smhd]?)$")
_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
# Heroku keeps 1,500 lines; an app's stream never keeps fewer.
MIN_LOG_LINES = 1500
# The built-in buildpacks ship beside the packages in a checkout (and in the image).
DEFAULT_BUILDPACKS_DIR = Path(__file__).resolve().parents[3] / "buildpacks"


@dataclass(frozen=True)
class Settings:
    api_host: str = "0.0.0.0"
    api_port: int = 5000
    data_dir: Path = Path("data")
    database_url: str = ""
    bootstrap_token: str | None = None
    instance: str = "paas"
    domain: str = "localhost"
    router_port: int = 8080
    router_timeout: int = 30  # seconds a dyno has to answer before the router's H12
    router_sync_interval: float = 2.0  # the router's safety-net re-sync (services/routing.py)
    rendezvous_port: int = 5001  # `paas run` attaches here (runtime/rendezvous.py)
    stack: str = "bookworm"
    log_level: str = "info"
    extra_ca_certs: Path | None = None
    debian_mirror: str | None = None
    buildpacks_dir: Path = DEFAULT_BUILDPACKS_DIR
    build_timeout: int = 15 * 60
    build_memory: int = 2 * 1024**3
    max_source_bytes: int = 100 * 1024**2
    max_unpacked_bytes: int = 500 * 1024**2
    dyno_memory: int = 512 * 1024**2
    stop_grace: int = 30
    boot_timeout: int = 60
    reconcile_interval: float = 2.0
    log_max_lines: int = 10_000  # per app; at least MIN_LOG_LINES
    log_max_age: int = 7 * 86400  # seconds a log line is kept
    drain_ca_certs: Path | None = None  # extra CAs trusted by syslog+tls:// and https:// drains

    @property
    def router_log_dir(self) -> Path:
        """Where the router's nginx writes its access log (mounted into its container)."""
        return (self.data_dir / "router").resolve()

    @property
    def resolved_database_url(self) -> str:
        """DATABASE_URL, else a SQLite file under the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'paas.db').resolve()}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        instance = env.get("PAAS_INSTANCE", "paas")
        if not INSTANCE_PATTERN.fullmatch(instance):
            raise SettingsError(
                "PAAS_INSTANCE must be 1-31 lower-case letters, digits or dashes, "
                "starting with a letter"
            )
        token = env.get("PAAS_BOOTSTRAP_TOKEN") or None
        if token is not None and len(token) < 16:
            raise SettingsError("PAAS_BOOTSTRAP_TOKEN must be at least 16 characters long")
        return cls(
            api_host=env.get("PAAS_API_HOST", "0.0.0.0"),
            api_port=_port(env, "PAAS_API_PORT", 5000),
            data_dir=Path(env.get("PAAS_DATA_DIR", "data")),
            database_url=env.get("DATABASE_URL", ""),
            bootstrap_token=token,
            instance=instance,
            domain=_domain(env),
            router_port=_port(env, "PAAS_ROUTER_PORT", 8080),
            router_timeout=_positive_int(env, "PAAS_ROUTER_TIMEOUT", 30),
            rendezvous_port=_port(env, "PAAS_RENDEZVOUS_PORT", 5001),
            stack=env.get("PAAS_STACK", "bookworm"),
            log_level=env.get("PAAS_LOG_LEVEL", "info").lower(),
            extra_ca_certs=_existing_file(env, "PAAS_EXTRA_CA_CERTS"),
            debian_mirror=env.get("PAAS_DEBIAN_MIRROR") or None,
            buildpacks_dir=Path(env.get("PAAS_BUILDPACKS_DIR") or DEFAULT_BUILDPACKS_DIR),
            build_timeout=_positive_int(env, "PAAS_BUILD_TIMEOUT", 15 * 60),
            build_memory=_size(env, "PAAS_BUILD_MEMORY", 2 * 1024**3),
            max_source_bytes=_size(env, "PAAS_MAX_SOURCE_BYTES", 100 * 1024**2),
            max_unpacked_bytes=_size(env, "PAAS_MAX_UNPACKED_BYTES", 500 * 1024**2),
            dyno_memory=_size(env, "PAAS_DYNO_MEMORY", 512 * 1024**2),
            stop_grace=_positive_int(env, "PAAS_STOP_GRACE", 30),
            boot_timeout=_positive_int(env, "PAAS_BOOT_TIMEOUT", 60),
            log_max_lines=_log_max_lines(env),
            log_max_age=_duration(env, "PAAS_LOG_MAX_AGE", 7 * 86400),
            drain_ca_certs=_existing_file(env, "PAAS_DRAIN_CA_CERTS"),
        )


def _domain(env: Mapping[str, str]) -> str:
    raw = env.get("PAAS_DOMAIN") or "localhost"
    domain = raw.strip().lower().removesuffix(".")
    if not DOMAIN_PATTERN.fullmatch(domain):
        raise SettingsError(f"PAAS_DOMAIN must be a DNS name such as localhost or apps.example.com, got {raw!r}")
    return domain


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"{name} must be a TCP port number (1-65535), got {raw!r}")
    return int(raw)


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name} must be a positive whole number, got {raw!r}")
    return int(raw)


def _size(env: Mapping[str, str], name: str, default: int) -> int:
    """Bytes from `512m`, `2g`, `100000`."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    match = SIZE_PATTERN.fullmatch(raw.strip())
    if not match or int(match.group(1)) == 0:
        raise SettingsError(f"{name} must be a size such as 512m or 2g, got {raw!r}")
    return int(match.group(1)) * _SIZE_UNITS[match.group(2).lower()]


def _log_max_lines(env: Mapping[str, str]) -> int:
    lines = _positive_int(env, "PAAS_LOG_MAX_LINES", 10_000)
    if lines < MIN_LOG_LINES:
        raise SettingsError(f"PAAS_LOG_MAX_LINES must be at least {MIN_LOG_LINES}, got {lines}")
    return lines


def _duration(env: Mapping[str, str], name: str, default: int) -> int:
    """Seconds from `604800`, `90s`, `30m`, `12h`, `7d`."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    match = DURATION_PATTERN.fullmatch(raw.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise SettingsError(f"{name} must be a duration such as 7d, 12h or 3600 (seconds), got {raw!r}")
    return int(match.group(1)) * _DURATION_UNITS[match.group(2)]


def _existing_file(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name)
    if not raw:
        return None
    path = Path(raw)
    if not path.is_file():
        raise SettingsError(f"{name} must name an existing file, got {raw!r}")
    return path
