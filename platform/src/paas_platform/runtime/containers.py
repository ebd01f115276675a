"""Containers on the Docker Engine: run one to completion (release phase, one-off
work) or keep one as a workspace to exec steps in (builds).

Every container is hardened by default: all capabilities dropped,
no-new-privileges, a pids limit, a memory limit when given, a non-root user, and
the labels of the platform instance that owns it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import IO, Callable, Iterator

import docker

from paas_platform.domain.errors import NotFound
from paas_platform.runtime.engine import INSTANCE_LABEL, LABEL_PREFIX, engine_errors

OutputSink = Callable[[str], None]

DEFAULT_PIDS_LIMIT = 1024


@dataclass(frozen=True)
class ContainerSpec:
    image: str
    name: str
    labels: dict[str, str]
    command: list[str] | None = None
    entrypoint: list[str] | None = None
    env: dict[str, str] = field(default_factory=dict)
    user: str = "1000:1000"
    working_dir: str | None = "/app"
    volumes: dict[str, str] = field(default_factory=dict)  # volume name -> path in container
    memory_bytes: int | None = None
    pids_limit: int = DEFAULT_PIDS_LIMIT
    network: str | None = None


class LineBuffer:
    """Turns a stream of byte chunks into complete text lines for a sink."""

    def __init__(self, sink: OutputSink) -> None:
        self._sink = sink
        self._pending = b""

    def feed(self, chunk: bytes) -> None:
        self._pending += chunk
        *lines, self._pending = self._pending.split(b"\n")
        for line in lines:
            self._sink(line.rstrip(b"\r").decode("utf-8", "replace"))

    def close(self) -> None:
        if self._pending:
            self._sink(self._pending.decode("utf-8", "replace"))
            self._pending = b""


def create_kwargs(spec: ContainerSpec) -> dict:
    mem = {"mem_limit": spec.memory_bytes, "memswap_limit": spec.memory_bytes} if spec.memory_bytes else {}
    return dict(
        image=spec.image,
        name=spec.name,
        command=spec.command,
        entrypoint=spec.entrypoint,
        environment=dict(spec.env),
        user=spec.user,
        working_dir=spec.working_dir,
        labels=dict(spec.labels),
        volumes={name: {"bind": path, "mode": "rw"} for name, path in spec.volumes.items()},
        # A tiny init as PID 1 forwards SIGTERM to the command and reaps zombies; an app
        # as PID 1 would ignore SIGTERM and always wait out the grace period.
        init=True,
        cap_drop=["ALL"],
        security_opt=["no-new-privileges"],
        pids_limit=spec.pids_limit,
        network=spec.network,
        log_config={"type": "json-file", "config": {"max-size": "10m", "max-file": "3"}},
        detach=True,
        **mem,
    )


class DockerContainers:
    def __init__(self, client: docker.DockerClient) -> None:
        self._client = client

    def run(self, spec: ContainerSpec, on_output: OutputSink, timeout: float) -> tuple[int, bool]:
        """Run to completion, streaming output; return (exit code, timed out). Always removed."""
        with engine_errors(f"running container {spec.name}"):
            container = self._client.containers.create(**create_kwargs(spec))
        try:
            with engine_errors(f"running container {spec.name}"):
                container.start()
                watchdog = _Watchdog(container, timeout)
                buffer = LineBuffer(on_output)
                for chunk in container.logs(stream=True, follow=True, stdout=True, stderr=True):
                    buffer.feed(chunk)
                buffer.close()
                status = container.wait()
                watchdog.cancel()
            return int(status.get("StatusCode", 1)), watchdog.fired
        finally:
            _remove(container)

    def workspace(self, spec: ContainerSpec) -> "Workspace":
        """Start a container that idles until removed, to exec build steps in."""
        idle = ContainerSpec(**{**spec.__dict__, "command": ["sleep", "infinity"], "entrypoint": None})
        for volume in spec.volumes:
            self.ensure_volume(volume, spec.labels)
        with engine_errors(f"starting container {spec.name}"):
            container = self._client.containers.create(**create_kwargs(idle))
            container.start()
        return Workspace(self._client, container)

    def ensure_volume(self, name: str, labels: dict[str, str]) -> None:
        """Create a named volume with our labels (an implicit one would carry none)."""
        try:
            with engine_errors(f"inspecting volume {name}"):
                self._client.volumes.get(name)
        except NotFound:
            owner = {k: v for k, v in labels.items() if k in (INSTANCE_LABEL, f"{LABEL_PREFIX}.app")}
            with engine_errors(f"creating volume {name}"):
                self._client.volumes.create(name, labels=owner)

    def remove_volume(self, name: str) -> bool:
        """Remove a named volume; False when there was none."""
        try:
            with engine_errors(f"removing volume {name}"):
                self._client.volumes.get(name).remove(force=True)
        except NotFound:
            return False
        return True


class Workspace:
    """A running container that build steps are exec'd in."""

    def __init__(self, client: docker.DockerClient, container) -> None:
        self._client = client
        self._container = container
        self.killed = False

    def put_archive(self, path: str, tar: bytes | IO[bytes]) -> None:
        with engine_errors(f"copying files into {path}"):
            if not self._container.put_archive(path, tar):
                raise docker.errors.APIError(f"could not copy files into {path}")

    def get_archive(self, path: str) -> Iterator[bytes]:
        with engine_errors(f"copying {path} out of the build"):
            chunks, _stat = self._container.get_archive(path)
        return chunks

    def exec(self, command: list[str], on_output: OutputSink, env: dict[str, str] | None = None,
             user: str | None = None, workdir: str | None = None) -> int:
        """Run a command in the workspace, streaming its output; return its exit code."""
        api = self._client.api
        with engine_errors("running a build step"):
            exec_id = api.exec_create(self._container.id, command, environment=env or {},
                                      user=user or "", workdir=workdir)["Id"]
            buffer = LineBuffer(on_output)
            for chunk in api.exec_start(exec_id, stream=True):
                buffer.feed(chunk)
            buffer.close()
            code = api.exec_inspect(exec_id).get("ExitCode")
        return 137 if code is None or self.killed and code != 0 else int(code)

    def kill(self) -> None:
        """Stop everything running in the workspace (the build timeout)."""
        self.killed = True
        try:
            self._container.kill()
        except docker.errors.DockerException:
            pass

    def remove(self) -> None:
        _remove(self._container)


class _Watchdog:
    """Kills a container that outlives its time limit."""

    def __init__(self, target, timeout: float) -> None:
        self.fired = False
        self._target = target
        self._timer = threading.Timer(timeout, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        try:
            self._target.kill()
        except Exception:  # noqa: BLE001 - already gone or a Workspace; nothing left to stop
            pass

    def cancel(self) -> None:
        self._timer.cancel()


def start_watchdog(target, timeout: float) -> _Watchdog:
    """Public face of the watchdog for workspaces (target has .kill())."""
    return _Watchdog(target, timeout)


def _remove(container) -> None:
    try:
        container.remove(force=True, v=False)
    except docker.errors.DockerException:
        pass
