"""Uploaded source: receive it under a size cap, then check every tar member and
repack what is safe into a clean archive for the build container.

Refused: `..` or absolute paths, links that point outside the tree (or through a
link), devices and FIFOs, and archives over the compressed or unpacked caps.
Nothing is ever extracted on the host: the clean archive goes straight into the
build container, owned by the build user.
"""

from __future__ import annotations

import io
import posixpath
import shutil
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable

from paas_platform.domain.errors import InvalidParams

BUILD_UID = 1000
PROCFILE_MAX_BYTES = 64 * 1024


class SourceRejected(InvalidParams):
    id = "invalid_source"


@dataclass(frozen=True)
class SourceLimits:
    max_compressed: int
    max_unpacked: int
    max_members: int = 200_000


@dataclass
class SourceTree:
    """A checked source archive (uncompressed tar, names relative to the app root)."""

    tar_path: Path
    top_level: set[str] = field(default_factory=set)
    procfile: str | None = None
    unpacked_bytes: int = 0

    @property
    def has_dockerfile(self) -> bool:
        return "Dockerfile" in self.top_level


class UploadWriter:
    """Writes an upload to a file chunk by chunk, refusing it once past the compressed cap."""

    def __init__(self, dest: Path, limits: SourceLimits) -> None:
        self.dest = dest
        self._limits = limits
        self._out = open(dest, "wb")
        self.total = 0

    def write(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if self.total > self._limits.max_compressed:
            self._out.close()
            raise SourceRejected(
                f"source archive is over the {_mb(self._limits.max_compressed)} upload limit"
            )
        self._out.write(chunk)

    def discard(self) -> None:
        """Drop a refused upload and its work directory."""
        self._out.close()
        shutil.rmtree(self.dest.parent, ignore_errors=True)

    def close(self) -> Path:
        self._out.close()
        if self.total == 0:
            raise SourceRejected("no source archive received (send a gzipped tarball)")
        return self.dest


def receive(chunks: Iterable[bytes], dest: Path, limits: SourceLimits) -> Path:
    """Write an iterable upload to `dest` under the cap (see UploadWriter)."""
    writer = UploadWriter(dest, limits)
    for chunk in chunks:
        writer.write(chunk)
    return writer.close()


def sanitize(upload: Path, dest: Path, limits: SourceLimits) -> SourceTree:
    """Check the gzipped tarball at `upload`; write the clean archive to `dest`."""
    tree = SourceTree(tar_path=dest)
    links: set[str] = set()
    seen: set[str] = set()
    try:
        with tarfile.open(upload, mode="r:*") as src, tarfile.open(dest, mode="w") as out:
            for count, member in enumerate(src, start=1):
                if count > limits.max_members:
                    raise SourceRejected(f"source archive has more than {limits.max_members} entries")
                name = _clean_name(member.name)
                if name is None:
                    continue  # the root directory itself
                _check_member(member, name, links, seen)
                tree.unpacked_bytes += member.size if member.isfile() else 0
                if tree.unpacked_bytes > limits.max_unpacked:
                    raise SourceRejected(
                        f"source unpacks to over the {_mb(limits.max_unpacked)} limit"
                    )
                tree.top_level.add(name.split("/", 1)[0])
                _copy_member(src, out, member, name, tree)
                seen.add(name)
                if member.issym() or member.islnk():
                    links.add(name)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise SourceRejected(f"source is not a readable tar archive: {exc}") from exc
    if not tree.top_level:
        raise SourceRejected("source archive is empty")
    return tree


def _clean_name(raw: str) -> str | None:
    if "\x00" in raw:
        raise SourceRejected("source archive has a file name with a NUL byte")
    if raw.startswith("/"):
        raise SourceRejected(f"source archive has an absolute path: {raw[:200]}")
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise SourceRejected(f"source archive has a path with '..': {raw[:200]}")
    return "/".join(parts) or None


def _check_member(member: tarfile.TarInfo, name: str, links: set[str], seen: set[str]) -> None:
    parents = name.split("/")[:-1]
    for i in range(1, len(parents) + 1):
        if "/".join(parents[:i]) in links:
            raise SourceRejected(f"source archive writes through a link: {name[:200]}")
    if member.isdev() or member.isfifo():
        raise SourceRejected(f"source archive has a device or FIFO: {name[:200]}")
    if member.issym():
        if member.linkname.startswith("/"):
            raise SourceRejected(f"link {name[:200]} points outside the source (absolute target)")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), member.linkname))
        if target == ".." or target.startswith("../"):
            raise SourceRejected(f"link {name[:200]} points outside the source")
    elif member.islnk():
        target = _clean_name(member.linkname)
        if target is None or target not in seen:
            raise SourceRejected(f"hard link {name[:200]} points outside the source")
    elif not (member.isfile() or member.isdir()):
        raise SourceRejected(f"source archive has an unsupported entry: {name[:200]}")


def _copy_member(src: tarfile.TarFile, out: tarfile.TarFile, member: tarfile.TarInfo,
                 name: str, tree: SourceTree) -> None:
    clean = tarfile.TarInfo(name)
    clean.type, clean.size, clean.mtime = member.type, member.size, member.mtime
    clean.linkname = (_clean_name(member.linkname) or "") if member.islnk() else member.linkname
    # Owned by the build user; no setuid/setgid/sticky bits survive.
    clean.mode = member.mode & 0o777
    clean.uid = clean.gid = BUILD_UID
    clean.uname = clean.gname = "paas"
    data: BinaryIO | None = src.extractfile(member) if member.isfile() else None
    if name == "Procfile" and member.isfile():
        content = data.read() if data else b""
        if len(content) > PROCFILE_MAX_BYTES:
            raise SourceRejected("Procfile is larger than 64 KB")
        tree.procfile = content.decode("utf-8", "replace")
        data = io.BytesIO(content)
    out.addfile(clean, data)


def _mb(size: int) -> str:
    return f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{size} bytes"
