"""One-off containers from a release's image: the release phase now, `paas run` later."""

from __future__ import annotations

import uuid
from typing import Callable

from paas_platform.runtime.containers import ContainerSpec, DockerContainers
from paas_platform.runtime.engine import instance_labels

LAUNCHER = "/usr/local/bin/paas-launcher"
ONEOFF_MEMORY = 512 * 1024**2


def command_for(command: str, slug_image: bool) -> tuple[list[str] | None, list[str]]:
    """(entrypoint, cmd) that run a Procfile-style command line in the image.

    Slug images start through the launcher (profile scripts, then bash -c); images
    built from a Dockerfile have no launcher, so their shell runs the line.
    """
    if slug_image:
        return [LAUNCHER], [command]
    return ["/bin/sh", "-c"], [command]


class OneOffRunner:
    def __init__(self, containers: DockerContainers, instance: str) -> None:
        self._containers = containers
        self._instance = instance

    def run(self, app: str, image: str, command: str, env: dict[str, str], dyno: str,
            slug_image: bool, say: Callable[[str], None], timeout: float,
            release_version: int | None = None) -> tuple[int, bool]:
        """Run to completion with the release's config; (exit code, timed out)."""
        entrypoint, cmd = command_for(command, slug_image)
        process_type = dyno.split(".", 1)[0]
        labels = instance_labels(self._instance, app=app, process_type=process_type, dyno=dyno,
                                 role="oneoff")
        if release_version is not None:
            labels["io.paas.release"] = str(release_version)
        spec = ContainerSpec(
            image=image,
            name=f"{self._instance}-{app}-{dyno}-{uuid.uuid4().hex[:6]}",
            labels=labels,
            entrypoint=entrypoint,
            command=cmd,
            env={**env, "DYNO": dyno, "PS": dyno},
            user="1000:1000" if slug_image else "",
            working_dir="/app" if slug_image else None,
            memory_bytes=ONEOFF_MEMORY,
        )
        return self._containers.run(spec, say, timeout)
