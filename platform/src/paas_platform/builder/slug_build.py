"""Buildpack builds (Heroku's classic API v2) inside a build container.

The flow: copy source to /app, buildpacks to /buildpacks, config to /env; run
bin/detect, bin/compile and bin/release as the build user; then copy /app onto
the run image as the runtime image. The container runs under memory, pids and
time limits and is removed whatever happens.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

from paas_platform.builder import buildpacks
from paas_platform.builder.source import SourceTree
from paas_platform.domain.buildpacks import BuildpackRef
from paas_platform.domain.builds import BuildResult
from paas_platform.domain.errors import PaasError
from paas_platform.domain.procfile import merge_process_types, parse_procfile
from paas_platform.runtime.containers import ContainerSpec, DockerContainers, Workspace, start_watchdog
from paas_platform.runtime.engine import instance_labels
from paas_platform.runtime.images import DockerImages

Say = Callable[[str], None]
LAUNCHER = "/usr/local/bin/paas-launcher"


class BuildFailed(PaasError):
    id = "build_failed"


@dataclass(frozen=True)
class BuildJob:
    """Everything one build needs to know."""

    instance: str
    app: str
    build_id: str
    stack: str
    build_image: str
    run_image: str
    source: SourceTree
    config: dict[str, str]
    buildpack: BuildpackRef | None
    memory_bytes: int
    timeout: int

    @property
    def image_repository(self) -> str:
        return f"{self.instance}/{self.app}"

    @property
    def image_tag(self) -> str:
        return f"build-{self.build_id}"

    def labels(self) -> dict[str, str]:
        return instance_labels(self.instance, app=self.app, build=self.build_id)


def cache_volume(instance: str, app: str) -> str:
    return f"{instance}-{app}-build-cache"


class SlugBuilder:
    def __init__(self, containers: DockerContainers, images: DockerImages, builtins: Path,
                 scratch_root: Path) -> None:
        self._containers = containers
        self._images = images
        self._builtins = builtins
        self._scratch_root = scratch_root

    def build(self, job: BuildJob, say: Say) -> BuildResult:
        procfile = parse_procfile(job.source.procfile) if job.source.procfile is not None else {}
        self._scratch_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self._scratch_root, prefix="bp-") as scratch:
            candidates = (
                [buildpacks.fetch(job.buildpack, self._builtins, Path(scratch))]
                if job.buildpack else buildpacks.auto_detect_order(self._builtins)
            )
            workspace = self._containers.workspace(ContainerSpec(
                image=job.build_image,
                name=f"{job.instance}-{job.app}-build-{job.build_id[:8]}",
                labels={**job.labels(), "io.paas.role": "build"},
                env={"STACK": job.stack, "HOME": "/app"},
                volumes={cache_volume(job.instance, job.app): "/cache"},
                memory_bytes=job.memory_bytes,
            ))
            watchdog = start_watchdog(workspace, job.timeout)
            try:
                workspace.put_archive("/buildpacks", buildpacks.pack_dirs(candidates))
                workspace.put_archive("/app", job.source.tar_path.read_bytes())
                workspace.put_archive("/env", buildpacks.pack_env(job.config))
                name, label = self._detect(workspace, candidates, job, say)
                self._compile(workspace, name, job, say)
                defaults = self._release(workspace, name)
                process_types = merge_process_types(procfile, defaults)
                say("-----> Discovering process types")
                say(f"       Procfile declares types -> {', '.join(procfile) or '(none)'}")
                if defaults:
                    say(f"       Default types for buildpack -> {', '.join(defaults)}")
                say("-----> Compressing...")
                image_id = self._images.compose(
                    job.run_image, workspace.get_archive("/app"), job.image_repository,
                    job.image_tag, labels=job.labels(), entrypoint=[LAUNCHER],
                    user="1000:1000", working_dir="/app",
                )
            finally:
                watchdog.cancel()
                workspace.remove()
            if watchdog.fired:
                raise BuildFailed(f"build timed out after {job.timeout // 60} min and was stopped")
        _, size = self._images.size(image_id)
        say(f"       Done: {size / 1e6:.1f}M")
        return BuildResult(buildpack=label, process_types=process_types, image_id=image_id,
                           image_tag=f"{job.image_repository}:{job.image_tag}", image_size=size)

    def _detect(self, workspace: Workspace, candidates, job: BuildJob, say: Say) -> tuple[str, str]:
        for name, _path in candidates:
            lines: list[str] = []
            code = workspace.exec([f"/buildpacks/{name}/bin/detect", "/app"], lines.append)
            if code == 0:
                detected = " ".join(lines).strip() or name
                say(f"-----> {detected} app detected")
                return name, job.buildpack.label if job.buildpack else name
        if job.buildpack:
            raise BuildFailed(f"buildpack {job.buildpack.label} does not support this app (bin/detect failed)")
        raise BuildFailed(
            "no buildpack detected this app: add requirements.txt or pyproject.toml (Python) "
            "or a Procfile, a Dockerfile, or choose one with paas buildpacks:set"
        )

    def _compile(self, workspace: Workspace, name: str, job: BuildJob, say: Say) -> None:
        code = workspace.exec([f"/buildpacks/{name}/bin/compile", "/app", "/cache", "/env"], say)
        if code != 0:
            if workspace.killed:
                raise BuildFailed(f"build timed out after {job.timeout // 60} min and was stopped")
            raise BuildFailed(f"compile failed (bin/compile exited {code})")

    def _release(self, workspace: Workspace, name: str) -> dict[str, str]:
        lines: list[str] = []
        code = workspace.exec([f"/buildpacks/{name}/bin/release", "/app"], lines.append)
        if code != 0:
            raise BuildFailed(f"bin/release exited {code}")
        return default_process_types("\n".join(lines))


def default_process_types(release_yaml: str) -> dict[str, str]:
    """`default_process_types` from bin/release's YAML (empty when absent)."""
    try:
        document = yaml.safe_load(release_yaml) if release_yaml.strip() else {}
    except yaml.YAMLError as exc:
        raise BuildFailed(f"bin/release printed invalid YAML: {str(exc).splitlines()[0]}") from exc
    types = (document or {}).get("default_process_types") if isinstance(document, dict) else None
    if types is None:
        return {}
    if not isinstance(types, dict):
        raise BuildFailed("bin/release: default_process_types must be a map")
    return {str(k): str(v) for k, v in types.items() if v}
