"""Following a container's output through the engine's logs endpoint, in large reads.

The engine sends every line as its own HTTP chunk holding one multiplexed frame;
docker-py reads those one at a time (several Python calls per line). For the
router's access log, thousands of lines a second, that costs the control plane
more CPU than nginx spends on the requests. Here each read takes whatever has
arrived (up to 64 KB, pausing briefly after short reads so lines pile up) and a
small decoder splits it: HTTP chunks, then frames, then lines. Reading the logs endpoint never slows the container down: the engine
serves it from the log file, so a slow or stopped reader only falls behind.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Iterator

import docker
import requests

READ_SIZE = 65536
# After a short read, wait this long before the next: lines pile up in the socket and
# come in one read, not one read (a system call, a wake-up) per line. Delays a line
# by at most this much.
BATCH_PAUSE = 0.05
FRAME_HEADER = 8  # stream type (1 byte), 3 zero bytes, payload length (big-endian 32 bits)


class LogStreamDecoder:
    """Bytes of a chunked, multiplexed (non-TTY) log response -> complete lines."""

    def __init__(self) -> None:
        self._raw = b""  # HTTP chunked encoding, not yet decoded
        self._chunk_left = 0  # body bytes still due in the current HTTP chunk
        self._frames = b""  # decoded body: frames not yet complete
        self._text = b""  # frame payloads: the start of a line not yet ended
        self.finished = False

    def feed(self, data: bytes) -> list[str]:
        self._raw += data
        self._frames += self._dechunk()
        payloads = []
        frames, offset = self._frames, 0
        while len(frames) - offset >= FRAME_HEADER:
            size = int.from_bytes(frames[offset + 4:offset + 8], "big")
            end = offset + FRAME_HEADER + size
            if end > len(frames):
                break
            payloads.append(frames[offset + FRAME_HEADER:end])
            offset = end
        self._frames = frames[offset:]
        *lines, self._text = (self._text + b"".join(payloads)).split(b"\n")
        return [line.decode("utf-8", "replace") for line in lines]

    def _dechunk(self) -> bytes:
        # Offsets, not slices: a 64 KB read holds hundreds of chunks, and slicing off
        # each one would copy the rest of the buffer every time.
        body, raw, at = [], self._raw, 0
        while at < len(raw) and not self.finished:
            if self._chunk_left:
                taken = raw[at:at + self._chunk_left]
                body.append(taken)
                self._chunk_left -= len(taken)
                at += len(taken)
            elif raw.startswith(b"\r\n", at):  # the end of the previous chunk
                at += 2
            else:
                size_end = raw.find(b"\r\n", at)
                if size_end < 0:
                    break
                self._chunk_left = int(raw[at:size_end].split(b";")[0], 16)
                self.finished = self._chunk_left == 0
                at = size_end + 2
        self._raw = raw[at:]
        return b"".join(body)


def _body_reader(response) -> Callable[[int], bytes] | None:
    """The buffered socket under a streamed response (what docker-py itself reaches for
    to attach), read whole reads at a time; None where it is not there."""
    fp = getattr(getattr(getattr(response, "raw", None), "_fp", None), "fp", None)
    return getattr(fp, "read1", None)


def follow_lines(client: docker.DockerClient, container: str, since: float) -> Iterator[list[str]]:
    """Batches of lines the container writes from `since` on, until it stops."""
    response = client.api._get(
        client.api._url("/containers/{0}/logs", container),
        params={"stdout": 1, "stderr": 1, "follow": 1, "since": f"{since:.6f}"}, stream=True)
    client.api._raise_for_status(response)
    try:
        read = _body_reader(response)
        chunked = response.headers.get("Transfer-Encoding", "").lower() == "chunked"
        if read is None or not chunked:
            raise docker.errors.DockerException("unexpected log stream encoding")
        decoder = LogStreamDecoder()
        while not decoder.finished:
            data = read(READ_SIZE)
            if not data:
                break
            lines = decoder.feed(data)
            if lines:
                yield lines
            if len(data) < READ_SIZE // 2:
                time.sleep(BATCH_PAUSE)
    finally:
        response.close()


def follow_output(client: docker.DockerClient, container: str,
                  on_lines: Callable[[list[str]], None], stop: threading.Event,
                  on_error: Callable[[Exception], None] = lambda exc: None) -> None:
    """Hand every batch of `container`'s lines to `on_lines` until `stop` is set,
    following it again when it is restarted or replaced."""
    since = time.time()
    while not stop.is_set():
        try:
            for lines in follow_lines(client, container, since):
                since = time.time()
                on_lines(lines)
                if stop.is_set():
                    return
        except (docker.errors.DockerException, requests.RequestException, OSError) as exc:
            on_error(exc)  # gone, restarting, or idle past the client's timeout
        stop.wait(1.0)
