"""Connecting to the Docker Engine, and the one place engine errors are translated.

Every Docker object this platform creates carries `instance_labels()`, so several
platform instances can share one engine without touching each other's objects.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import docker
from docker.errors import DockerException, NotFound as DockerNotFound

from paas_platform.domain.errors import NotFound, PaasError, Unavailable

LABEL_PREFIX = "io.paas"
INSTANCE_LABEL = f"{LABEL_PREFIX}.instance"


class EngineUnavailable(Unavailable):
    id = "engine_unavailable"


@dataclass(frozen=True)
class EngineInfo:
    version: str
    api_version: str


def instance_labels(instance: str, **extra: str) -> dict[str, str]:
    """Labels for a Docker object owned by platform `instance` (plus e.g. app=...)."""
    labels = {INSTANCE_LABEL: instance}
    labels.update({f"{LABEL_PREFIX}.{key}": value for key, value in extra.items()})
    return labels


@contextmanager
def engine_errors(action: str) -> Iterator[None]:
    """Translate docker-py exceptions raised while doing `action`."""
    try:
        yield
    except DockerNotFound as exc:
        raise NotFound(f"{action}: {exc.explanation or exc}") from exc
    except DockerException as exc:
        raise EngineUnavailable(f"{action}: Docker Engine error: {exc}") from exc


# Socket read timeout: long, because build steps and container waits may be silent
# for minutes; the builder enforces its own time limits.
DEFAULT_TIMEOUT = 3600


def connect(timeout: int = DEFAULT_TIMEOUT) -> docker.DockerClient:
    """A client for the engine named by DOCKER_HOST (default: the local socket)."""
    with engine_errors("connecting to the Docker Engine"):
        client = docker.from_env(timeout=timeout)
        client.ping()
        return client


class EngineHandle:
    """Connects on first use, so the API starts (and answers) without an engine."""

    def __init__(self, timeout: int = DEFAULT_TIMEOUT) -> None:
        self._timeout = timeout
        self._client: docker.DockerClient | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> docker.DockerClient:
        with self._lock:
            if self._client is None:
                self._client = connect(self._timeout)
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def engine_info(client: docker.DockerClient) -> EngineInfo:
    with engine_errors("reading the Docker Engine version"):
        version = client.version()
    return EngineInfo(version=version.get("Version", "?"), api_version=version.get("ApiVersion", "?"))
