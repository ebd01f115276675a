"""BuildPipeline: from a checked source tree to a runtime image, choosing a
Dockerfile build or a buildpack build, on stack images it makes when missing."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from paas_platform.builder.dockerfile_build import DockerfileBuilder
from paas_platform.builder.slug_build import BuildJob, SlugBuilder, cache_volume
from paas_platform.builder.source import SourceTree
from paas_platform.builder.stack import StackBuilder, StackImages
from paas_platform.domain.buildpacks import BuildpackRef
from paas_platform.domain.builds import BuildResult
from paas_platform.runtime.containers import DockerContainers
from paas_platform.runtime.engine import EngineHandle
from paas_platform.runtime.images import DockerImages
from paas_platform.runtime.networks import ensure_app_network
from paas_platform.runtime.oneoff import OneOffRunner
from paas_platform.settings import Settings

Say = Callable[[str], None]


class BuildPipeline:
    def __init__(self, settings: Settings, engine: EngineHandle | None = None) -> None:
        self._settings = settings
        self._engine = engine or EngineHandle()
        self._stack_lock = threading.Lock()
        self._stack: StackImages | None = None

    @property
    def scratch_dir(self) -> Path:
        return self._settings.data_dir / "tmp"

    def _images(self) -> DockerImages:
        return DockerImages(self._engine.client)

    def _containers(self) -> DockerContainers:
        return DockerContainers(self._engine.client)

    def ensure_stack(self, progress: Say | None = None) -> StackImages:
        """Make (or find) the stack images; safe to call from many threads."""
        with self._stack_lock:
            if self._stack is None:
                kwargs = {"progress": progress} if progress else {}
                self._stack = StackBuilder(
                    self._images(), self._settings.stack, self.scratch_dir,
                    extra_ca_path=self._settings.extra_ca_certs,
                    mirror=self._settings.debian_mirror, **kwargs,
                ).ensure()
            return self._stack

    def build(self, app: str, build_id: str, source: SourceTree, config: dict[str, str],
              buildpack: BuildpackRef | None, say: Say) -> BuildResult:
        stack = self.ensure_stack(say)
        job = BuildJob(
            instance=self._settings.instance, app=app, build_id=build_id,
            stack=self._settings.stack, build_image=stack.build, run_image=stack.run,
            source=source, config=config, buildpack=buildpack,
            memory_bytes=self._settings.build_memory, timeout=self._settings.build_timeout,
        )
        if source.has_dockerfile and buildpack is None:
            return DockerfileBuilder(self._images()).build(job, say)
        say(f"-----> Building on the {self._settings.stack} stack")
        return SlugBuilder(self._containers(), self._images(), self._settings.buildpacks_dir,
                           self.scratch_dir).build(job, say)

    def run_release_phase(self, app: str, version: int, image: str, command: str,
                          config: dict[str, str], slug_image: bool, say: Say) -> tuple[int, bool]:
        runner = OneOffRunner(self._containers(), self._settings.instance)
        # On the app's network, like every dyno: the release command (migrations)
        # reaches the add-ons attached to the app.
        network = ensure_app_network(self._engine.client, self._settings.instance, app)
        return runner.run(app, image, command, config, "release.1", slug_image, say,
                          timeout=self._settings.build_timeout, release_version=version,
                          network=network)

    def purge_cache(self, app: str) -> bool:
        return self._containers().remove_volume(cache_volume(self._settings.instance, app))
