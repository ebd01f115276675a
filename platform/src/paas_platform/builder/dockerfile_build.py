"""Dockerfile builds: the engine builds the app's own Dockerfile (no registry pulls,
so its FROM must name a local image such as the stack's). Process types come from
the Procfile if there is one, else `web` runs the image's own command."""

from __future__ import annotations

from typing import Callable

from paas_platform.builder.slug_build import BuildFailed, BuildJob
from paas_platform.domain.builds import BuildResult
from paas_platform.domain.procfile import parse_procfile
from paas_platform.runtime.images import DockerImages, ImageBuildFailed

Say = Callable[[str], None]

# An empty command means "the image's own CMD/ENTRYPOINT" to the runner.
IMAGE_COMMAND = ""


class DockerfileBuilder:
    def __init__(self, images: DockerImages) -> None:
        self._images = images

    def build(self, job: BuildJob, say: Say) -> BuildResult:
        process_types = parse_procfile(job.source.procfile) if job.source.procfile else {}
        say("-----> Dockerfile detected; building with the Docker Engine")
        tag = f"{job.image_repository}:{job.image_tag}"
        try:
            with open(job.source.tar_path, "rb") as context:
                image_id = self._images.build(
                    context, tag=tag, labels=job.labels(),
                    on_output=lambda line: say(f"       {line}"),
                    memory_bytes=job.memory_bytes,
                )
        except ImageBuildFailed as exc:
            raise BuildFailed(f"docker build failed: {exc.message}") from exc
        _, size = self._images.size(image_id)
        say(f"       Done: {size / 1e6:.1f}M")
        return BuildResult(
            buildpack="dockerfile",
            process_types=process_types or {"web": IMAGE_COMMAND},
            image_id=image_id, image_tag=tag, image_size=size,
        )
