"""Connecting to the Docker Engine, and the one place engine errors are translated.

Every Docker object this platform creates carries `instance_labels()`, so several
platform instances can share one engine without touching each other's objects.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import docker
from docker.errors import DockerException, NotFound as DockerNotFound

from paas_platform.domain.errors import NotFound, PaasError

LABEL_PREFIX = "io.paas"
INSTANCE_LABEL = f"{LABEL_PREFIX}.instance"


class EngineUnavailable(PaasError):
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


def connect(timeout: int = 10) -> docker.DockerClient:
    """A client for the engine named by DOCKER_HOST (default: the local socket)."""
    with engine_errors("connecting to the Docker Engine"):
        client = docker.from_env(timeout=timeout)
        client.ping()
        return client


def engine_info(client: docker.DockerClient) -> EngineInfo:
    with engine_errors("reading the Docker Engine version"):
        version = client.version()
    return EngineInfo(version=version.get("Version", "?"), api_version=version.get("ApiVersion", "?"))
