"""Live build output: one in-memory stream per running build that any number of
readers follow; once the build ends, its output is read from the store instead."""

from __future__ import annotations

import threading
from typing import Iterator

# How long a reader waits for new output before checking again (client gone, etc.).
POLL_SECONDS = 5.0


class OutputStream:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.done = False
        self._cond = threading.Condition()

    def append(self, line: str) -> None:
        with self._cond:
            self.lines.append(line)
            self._cond.notify_all()

    def finish(self) -> None:
        with self._cond:
            self.done = True
            self._cond.notify_all()

    def text(self) -> str:
        with self._cond:
            return "".join(f"{line}\n" for line in self.lines)

    def follow(self) -> Iterator[str]:
        """Every line from the start, then new ones as they come, until finished."""
        index = 0
        while True:
            with self._cond:
                if index >= len(self.lines) and not self.done:
                    self._cond.wait(POLL_SECONDS)
                batch = self.lines[index:]
                index += len(batch)
                finished = self.done and index >= len(self.lines)
            for line in batch:
                yield f"{line}\n"
            if finished:
                return


class BuildOutputs:
    """The live streams, by build id."""

    def __init__(self) -> None:
        self._streams: dict[str, OutputStream] = {}
        self._lock = threading.Lock()

    def open(self, build_id: str) -> OutputStream:
        stream = OutputStream()
        with self._lock:
            self._streams[build_id] = stream
        return stream

    def get(self, build_id: str) -> OutputStream | None:
        with self._lock:
            return self._streams.get(build_id)

    def close(self, build_id: str) -> None:
        """Readers already following keep their stream; new ones read the store."""
        with self._lock:
            stream = self._streams.pop(build_id, None)
        if stream is not None:
            stream.finish()
