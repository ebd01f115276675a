"""The tarball `paas push --source DIR` uploads: DIR's files, gzipped, without `.git`.

It is written to a temporary file and read back in chunks, never held in memory whole
(an app with its assets can be tens of MB). File modes are kept, and symlinks stay
symlinks: the server, not the client, decides whether a link is acceptable.
"""

import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from paas_cli.errors import CliError

CHUNK_SIZE = 64 * 1024
SKIPPED_NAME = ".git"  # repository metadata is not source, and can dwarf it


@contextmanager
def packed(directory: Path) -> Iterator[tuple[BinaryIO, int]]:
    """`with packed(dir) as (archive, size):` - the tarball as an open file, and its size."""
    if not directory.is_dir():
        raise CliError(f"{directory} is not a directory")
    with tempfile.TemporaryFile() as archive:
        try:
            write_archive(directory, archive)
        except OSError as error:
            where = error.filename or directory
            raise CliError(f"cannot pack {where}: {error.strerror or error}") from None
        size = archive.tell()
        archive.seek(0)
        yield archive, size


def write_archive(directory: Path, fileobj: BinaryIO) -> None:
    """Write the gzipped tar of `directory`'s contents (names relative to it) to `fileobj`."""
    with tarfile.open(fileobj=fileobj, mode="w:gz") as tar:
        for entry in sorted(directory.iterdir()):
            tar.add(entry, arcname=entry.name, filter=_member)


def _member(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """Keep files, directories and links; drop `.git` (anywhere) and special files."""
    if SKIPPED_NAME in PurePosixPath(info.name).parts:
        return None  # for a directory this also skips everything below it
    if not (info.isreg() or info.isdir() or info.issym() or info.islnk()):
        return None  # FIFOs and devices are never app source, and the server refuses them
    # Local user names mean nothing on the platform; leave them out of the upload.
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def chunks(fileobj: BinaryIO) -> Iterator[bytes]:
    """`fileobj`'s bytes in CHUNK_SIZE pieces, for a streamed upload."""
    while chunk := fileobj.read(CHUNK_SIZE):
        yield chunk
