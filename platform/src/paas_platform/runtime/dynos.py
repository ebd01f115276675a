"""Dyno containers on the Docker Engine: start, find by label, stop, restart.

A dyno's identity lives in its labels (instance, app, process type, number,
release), so a restarted control plane finds exactly the dynos it owns. Names add
the release and a random suffix: during a rollout old and new web.1 coexist.
"""

from __future__ import annotations

import http.client
import socket
from concurrent.futures import ThreadPoolExecutor
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

import docker

from paas_platform.domain.dynos import Dyno
from paas_platform.domain.errors import NotFound
from paas_platform.runtime.containers import ContainerSpec, create_kwargs
from paas_platform.runtime.engine import INSTANCE_LABEL, LABEL_PREFIX, engine_errors, instance_labels
from paas_platform.runtime.oneoff import command_for

DYNO_PORT = 5000
ROLE_LABEL = f"{LABEL_PREFIX}.role"


@dataclass(frozen=True)
class DynoSpec:
    app: str
    process_type: str
    number: int
    release_version: int
    image: str
    command: str
    slug_image: bool
    config: dict[str, str]
    network: str
    memory_bytes: int
    pids_limit: int = 256
    extra_labels: dict[str, str] = field(default_factory=dict)

    @property
    def dyno(self) -> str:
        return f"{self.process_type}.{self.number}"


def _parse_time(value: str | None) -> datetime | None:
    if not value or value.startswith("0001-"):
        return None
    # Docker gives nanoseconds; fromisoformat takes microseconds at most.
    head, _, rest = value.rstrip("Z").partition(".")
    fraction = (rest[:6] if rest else "0").ljust(6, "0")
    return datetime.fromisoformat(f"{head}.{fraction}+00:00")


class DockerDynos:
    def __init__(self, client: docker.DockerClient, instance: str,
                 before_remove: Callable[[str], None] = lambda container_id: None) -> None:
        self._client = client
        self._instance = instance
        # Called with a stopped dyno's container id before it is removed: the log
        # collector reads its last lines first (runtime/log_collector.py).
        self._before_remove = before_remove

    def list(self, app: str | None = None) -> list[Dyno]:
        filters = [f"{INSTANCE_LABEL}={self._instance}", f"{ROLE_LABEL}=dyno"]
        if app:
            filters.append(f"{LABEL_PREFIX}.app={app}")
        with engine_errors("listing dynos"):
            # ignore_removed: a dyno removed between the listing and its inspection
            # (a rollout finishing) is simply not there, not an error.
            containers = self._client.containers.list(all=True, filters={"label": filters},
                                                      ignore_removed=True)
        return [self._to_dyno(c) for c in containers]

    def _to_dyno(self, container) -> Dyno:
        labels, state = container.labels, container.attrs.get("State", {})
        running = state.get("Running", False) and not state.get("Restarting", False)
        return Dyno(
            app=labels[f"{LABEL_PREFIX}.app"],
            process_type=labels[f"{LABEL_PREFIX}.process_type"],
            number=int(labels[f"{LABEL_PREFIX}.number"]),
            release_version=int(labels[f"{LABEL_PREFIX}.release"]),
            container_id=container.id,
            running=running,
            created_at=_parse_time(container.attrs.get("Created")) or datetime.now().astimezone(),
            started_at=_parse_time(state.get("StartedAt")),
            finished_at=None if running else _parse_time(state.get("FinishedAt")),
            exit_code=state.get("ExitCode") if state.get("Status") == "exited" else None,
            command=labels.get(f"{LABEL_PREFIX}.command", ""),
            size=labels.get(f"{LABEL_PREFIX}.size", ""),
        )

    def start(self, spec: DynoSpec) -> Dyno:
        entrypoint, cmd = command_for(spec.command, spec.slug_image) if spec.command else (None, None)
        env = {**spec.config, "DYNO": spec.dyno, "PS": spec.dyno}
        if spec.process_type == "web":
            env["PORT"] = str(DYNO_PORT)
        labels = instance_labels(
            self._instance, app=spec.app, process_type=spec.process_type,
            number=str(spec.number), release=str(spec.release_version), role="dyno",
            command=spec.command, dyno=spec.dyno, **spec.extra_labels,
        )
        container_spec = ContainerSpec(
            image=spec.image,
            name=f"{self._instance}-{spec.app}-{spec.dyno}-v{spec.release_version}-{uuid.uuid4().hex[:6]}",
            labels=labels, command=cmd, entrypoint=entrypoint, env=env,
            user="1000:1000" if spec.slug_image else "",
            working_dir="/app" if spec.slug_image else None,
            memory_bytes=spec.memory_bytes, pids_limit=spec.pids_limit, network=spec.network,
        )
        with engine_errors(f"starting dyno {spec.dyno} of {spec.app}"):
            container = self._client.containers.create(**create_kwargs(container_spec))
            container.start()
            container.reload()
        return self._to_dyno(container)

    def start_many(self, specs: list[DynoSpec]) -> list[Dyno]:
        """Start several dynos side by side (the engine creates containers concurrently)."""
        if not specs:
            return []
        with ThreadPoolExecutor(max_workers=min(8, len(specs))) as pool:
            return list(pool.map(self.start, specs))

    def restart(self, dyno: Dyno) -> None:
        """Start a stopped dyno's container again (a crash restart keeps its identity)."""
        with engine_errors(f"restarting dyno {dyno.name} of {dyno.app}"):
            self._client.containers.get(dyno.container_id).start()

    def stop(self, dyno: Dyno, grace_seconds: int) -> None:
        """SIGTERM, up to `grace_seconds` to exit, then SIGKILL; the container is removed."""
        try:
            with engine_errors(f"stopping dyno {dyno.name} of {dyno.app}"):
                container = self._client.containers.get(dyno.container_id)
                container.stop(timeout=grace_seconds)
                self._before_remove(container.id)
                container.remove(force=True)
        except NotFound:
            pass

    def stop_many(self, dynos: list[Dyno], grace_seconds: int) -> None:
        """Stop several dynos at once: each may take its whole grace period."""
        if not dynos:
            return
        with ThreadPoolExecutor(max_workers=min(16, len(dynos))) as pool:
            list(pool.map(lambda d: self.stop(d, grace_seconds), dynos))

    def address(self, dyno: Dyno, network: str) -> str | None:
        with engine_errors(f"inspecting dyno {dyno.name}"):
            container = self._client.containers.get(dyno.container_id)
        networks = container.attrs.get("NetworkSettings", {}).get("Networks", {})
        return (networks.get(network) or {}).get("IPAddress") or None

    def wait_ready(self, dyno: Dyno, network: str, timeout: float,
                   health_check_path: str | None = None) -> str | None:
        """None once the dyno accepts TCP on its PORT (and, with a health check path,
        answers it with a 2xx or 3xx); else why not (exited, timed out, unhealthy)."""
        deadline = time.monotonic() + timeout
        last_status: int | None = None
        checked = False
        while time.monotonic() < deadline:
            current = self._refresh(dyno)
            if current is None or not current.running:
                code = current.exit_code if current else None
                return f"{dyno.name} exited{f' with status {code}' if code is not None else ''} before accepting connections"
            ip = self.address(dyno, network)
            if ip and _accepts(ip, DYNO_PORT):
                if health_check_path is None:
                    return None
                last_status, checked = _http_status(ip, DYNO_PORT, health_check_path), True
                if last_status is not None and 200 <= last_status < 400:
                    return None
            time.sleep(0.2)
        if checked:
            return (f"{dyno.name} did not pass its health check {health_check_path} within "
                    f"{int(timeout)} s (last answer: {last_status or 'none'})")
        return f"{dyno.name} did not accept connections on $PORT within {int(timeout)} s"

    def _refresh(self, dyno: Dyno) -> Dyno | None:
        try:
            with engine_errors(f"inspecting dyno {dyno.name}"):
                return self._to_dyno(self._client.containers.get(dyno.container_id))
        except NotFound:
            return None


def _accepts(ip: str, port: int) -> bool:
    try:
        with socket.create_connection((ip, port), timeout=0.5):
            return True
    except OSError:
        return False


def _http_status(ip: str, port: int, path: str) -> int | None:
    """Status of GET path on the dyno, or None when it gives no HTTP answer."""
    connection = http.client.HTTPConnection(ip, port, timeout=2)
    try:
        connection.request("GET", path, headers={"User-Agent": "paas-health-check"})
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()
