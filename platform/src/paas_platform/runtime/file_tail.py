"""Following a log file another process appends to, and rotating it under that writer.

The router's nginx writes its access lines into a file on the host (64 KB buffers
per worker, a handful of writes a second) rather than on its stdout, where every
line would pass through the Docker daemon and its logs API before the platform
saw it: that path cost the router ~10% of its requests per second. Here the
platform reads the file in large reads.

`poll()` returns the complete lines appended since the last call and the position
after them (inode + offset), which the caller persists with the lines so a
restarted platform resumes exactly there. When the file passes `rotate_at` bytes
it is renamed to `<name>.1` and the writer is told to reopen (nginx -s reopen);
the old file is read to its end after the writer has let go of it, then removed.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

READ_SIZE = 1 << 20
ROTATE_AT = 64 << 20
# After asking the writer to reopen: how long its workers may still flush buffered
# lines into the old file (nginx flushes every 250 ms and on reopen).
REOPEN_GRACE = 3.0


@dataclass(frozen=True)
class TailPosition:
    inode: int
    offset: int

    def encode(self) -> str:
        return f"{self.inode}:{self.offset}"

    @classmethod
    def decode(cls, text: str) -> "TailPosition | None":
        inode, _, offset = text.partition(":")
        if not (inode.isdigit() and offset.isdigit()):
            return None
        return cls(int(inode), int(offset))


class _Open:
    """One file being read: its descriptor, inode, offset and an unfinished line."""

    def __init__(self, path: Path, offset: int = 0) -> None:
        self.fd = os.open(path, os.O_RDONLY)
        self.inode = os.fstat(self.fd).st_ino
        self.offset = offset if offset <= os.fstat(self.fd).st_size else 0  # truncated: restart
        self.partial = b""

    def read_lines(self) -> list[str]:
        lines: list[str] = []
        while True:
            data = os.pread(self.fd, READ_SIZE, self.offset + len(self.partial))
            if not data:
                return lines
            *complete, self.partial = (self.partial + data).split(b"\n")
            if complete:
                consumed = sum(len(line) + 1 for line in complete)
                self.offset += consumed
                lines.extend(line.decode("utf-8", "replace") for line in complete)
            if len(data) < READ_SIZE:
                return lines

    def position(self) -> TailPosition:
        return TailPosition(self.inode, self.offset)

    def close(self) -> None:
        os.close(self.fd)


class RotatingFileTail:
    def __init__(self, path: Path, position: TailPosition | None, reopen: Callable[[], None],
                 rotate_at: int = ROTATE_AT, clock: Callable[[], float] = time.monotonic) -> None:
        self._path = Path(path)
        self._rotated = self._path.with_name(self._path.name + ".1")
        self._reopen = reopen
        self._rotate_at = rotate_at
        self._clock = clock
        self._start = position
        self._current: _Open | None = None
        self._old: _Open | None = None  # rotated, still read until the writer let go
        self._old_since = 0.0

    def poll(self) -> tuple[list[str], TailPosition | None]:
        """Lines appended since the last poll; the position after them (None before the
        file exists)."""
        if self._current is None and self._old is None and not self._open_at_start():
            return [], None
        lines: list[str] = []
        if self._old is not None:
            lines += self._old.read_lines()
            if self._clock() - self._old_since < REOPEN_GRACE or not self._path.exists():
                return lines, self._old.position()
            self._finish_old()  # read to its end just now; the writer has let go of it
        if self._current is None:
            if not self._path.exists():
                return lines, None
            self._current = _Open(self._path)
        lines += self._current.read_lines()
        if self._current.offset >= self._rotate_at:
            self._rotate()
        return lines, self._current.position() if self._current else self._old.position()

    def close(self) -> None:
        for handle in (self._current, self._old):
            if handle is not None:
                handle.close()
        self._current = self._old = None

    def _open_at_start(self) -> bool:
        """Where the last run stopped: in the current file, in a rotated one it had not
        finished, or (unknown or no position) at the start of the current file."""
        start = self._start
        if start is not None and _inode(self._rotated) == start.inode:
            self._old, self._old_since = _Open(self._rotated, start.offset), self._clock()
            return True
        if not self._path.exists():
            return False
        offset = start.offset if start is not None and _inode(self._path) == start.inode else 0
        self._current = _Open(self._path, offset)
        return True

    def _rotate(self) -> None:
        if self._rotated.exists():
            return  # the last rotation is not finished
        os.rename(self._path, self._rotated)
        try:
            self._reopen()
        except Exception:
            os.rename(self._rotated, self._path)  # the writer still writes here: keep it
            raise
        self._old, self._current = self._current, None
        self._old_since = self._clock()

    def _finish_old(self) -> None:
        self._old.close()  # a line the writer left unfinished in it never will be
        self._old = None
        self._rotated.unlink(missing_ok=True)


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except FileNotFoundError:
        return None
