"""Images on the Docker Engine: build from a context, import a root filesystem,
commit a container, read labels and sizes. Engine errors are translated by
engine.engine_errors; build failures become ImageBuildFailed with the engine's message.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import IO, Callable, Iterable

import docker

from paas_platform.domain.errors import NotFound, PaasError
from paas_platform.runtime.engine import engine_errors

OutputSink = Callable[[str], None]


def tar_context(files: dict[str, tuple[bytes, int]]) -> io.BytesIO:
    """A build context: file name -> (content, mode), as an uncompressed tar."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, (data, mode) in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


class ImageBuildFailed(PaasError):
    id = "image_build_failed"


class DockerImages:
    def __init__(self, client: docker.DockerClient) -> None:
        self._client = client

    def labels(self, ref: str) -> dict[str, str] | None:
        """The image's labels, or None when no such image exists."""
        try:
            with engine_errors(f"inspecting image {ref}"):
                image = self._client.images.get(ref)
        except NotFound:
            return None
        return dict(image.labels or {})

    def size(self, ref: str) -> tuple[str, int]:
        """(image id, size in bytes)."""
        with engine_errors(f"inspecting image {ref}"):
            image = self._client.images.get(ref)
        return image.id, int(image.attrs.get("Size", 0))

    def pull(self, ref: str) -> bool:
        """Try to pull `ref`; False (not an error) when no registry can serve it."""
        try:
            self._client.images.pull(ref)
            return True
        except docker.errors.DockerException:
            return False

    def tag(self, source: str, repository: str, tag: str) -> None:
        with engine_errors(f"tagging {source}"):
            self._client.api.tag(source, repository, tag)

    def import_rootfs(self, tar_path: Path, repository: str, tag: str) -> str:
        """Import a root filesystem tarball as an image (`docker import`)."""
        with engine_errors("importing a root filesystem"):
            self._client.api.import_image_from_file(str(tar_path), repository=repository, tag=tag)
        return self.size(f"{repository}:{tag}")[0]

    def build(
        self,
        context: IO[bytes],
        tag: str,
        labels: dict[str, str],
        on_output: OutputSink,
        memory_bytes: int | None = None,
        buildargs: dict[str, str] | None = None,
    ) -> str:
        """Build an image from a tar context; stream the engine's output lines."""
        limits = {"memory": memory_bytes, "memswap": memory_bytes} if memory_bytes else None
        with engine_errors(f"building image {tag}"):
            stream = self._client.api.build(
                fileobj=context, custom_context=True, tag=tag, labels=labels, rm=True,
                forcerm=True, pull=False, decode=True, container_limits=limits,
                buildargs=buildargs or {},
            )
            image_id = None
            for event in stream:
                if "error" in event:
                    raise ImageBuildFailed(event["error"].strip())
                for line in (event.get("stream") or "").splitlines():
                    if line.strip():
                        on_output(line.rstrip())
                if "ID" in (event.get("aux") or {}):
                    image_id = event["aux"]["ID"]
        return image_id or self.size(tag)[0]

    def compose(
        self,
        base: str,
        files: Iterable[bytes] | bytes,
        repository: str,
        tag: str,
        labels: dict[str, str],
        entrypoint: list[str] | None,
        user: str,
        working_dir: str,
    ) -> str:
        """`base` plus a tar of files unpacked at /, committed as repository:tag.

        The container is created (never started) with the image config we want, so
        the commit inherits it: entrypoint, user, working dir and labels.
        """
        with engine_errors(f"making image {repository}:{tag}"):
            container = self._client.containers.create(
                base, entrypoint=entrypoint, command=[], user=user, working_dir=working_dir,
                labels=labels,
            )
            try:
                if not container.put_archive("/", files):
                    raise ImageBuildFailed("could not copy the slug into the run image")
                image = container.commit(repository=repository, tag=tag)
            finally:
                container.remove(force=True)
        return image.id

    def remove(self, ref: str) -> None:
        try:
            with engine_errors(f"removing image {ref}"):
                self._client.images.remove(ref, force=False, noprune=False)
        except NotFound:
            pass
