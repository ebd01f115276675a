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
    stack: str = "bookworm"
    log_level: str = "info"

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
            domain=env.get("PAAS_DOMAIN", "localhost"),
            router_port=_port(env, "PAAS_ROUTER_PORT", 8080),
            stack=env.get("PAAS_STACK", "bookworm"),
            log_level=env.get("PAAS_LOG_LEVEL", "info").lower(),
        )


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"{name} must be a TCP port number (1-65535), got {raw!r}")
    return int(raw)
