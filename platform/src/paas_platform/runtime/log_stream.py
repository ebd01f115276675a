"""Following a container's output through the engine's logs endpoint, in large reads.

The engine sends every line as its own HTTP chunk holding one multiplexed frame;
docker-py reads those one at a time (several Python calls per line). For the
router's access log, thousands of lines a second, that costs the control plane
more CPU than nginx spends on the requests. Here each read takes whatever has
arrived (up to 64 KB, pausing briefly after short reads so lines pile up) and a
small decoder splits it: HTTP chunks, then frames, then lines. Reading the logs endpoint never slows the container down: the engine
serves it from the log file, so a slow or stopped reader only falls behind.

follow_lines gives plain lines (the router's access log); follow_entries gives each
line with the engine's timestamp and stream, for the log collector, which resumes
from those timestamps.
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
# The engine writes every frame separately, and a socket's buffer is accounted per
# write: only a few hundred frames fit, however short. While a container floods its
# output, a reader that pauses 50 ms leaves the engine blocked most of the time (about
# 5,000 lines/s); after a read that brought many frames it pauses only briefly.
BUSY_FRAMES = 100
BUSY_PAUSE = 0.002
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
        payloads = [payload for _stream, payload in self._frames_of(data)]
        *lines, self._text = (self._text + b"".join(payloads)).split(b"\n")
        return [line.decode("utf-8", "replace") for line in lines]

    def _frames_of(self, data: bytes) -> list[tuple[int, bytes]]:
        """(stream, payload) of every frame completed by `data`."""
        self._raw += data
        self._frames += self._dechunk()
        complete = []
        frames, offset = self._frames, 0
        while len(frames) - offset >= FRAME_HEADER:
            size = int.from_bytes(frames[offset + 4:offset + 8], "big")
            end = offset + FRAME_HEADER + size
            if end > len(frames):
                break
            complete.append((frames[offset], frames[offset + FRAME_HEADER:end]))
            offset = end
        self._frames = frames[offset:]
        return complete

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


Entry = tuple[str, int, str]  # (engine timestamp, stream: 1 stdout / 2 stderr, text)


class TimestampedDecoder(LogStreamDecoder):
    """The same response read with `timestamps=1`: every frame starts with the engine's
    RFC3339Nano time and a space. The engine cuts lines over 16 KB into several frames
    (each with its own time); they are joined again, and a joined line carries the time
    of its last part, so a read resumed in the middle of it counts it the same way."""

    def __init__(self) -> None:
        super().__init__()
        self._partial: dict[int, bytes] = {}  # stream -> start of a line cut by the engine
        self._stamps: dict[int, str] = {}  # stream -> time of that line's last part

    def feed_entries(self, data: bytes) -> list[Entry]:
        entries = []
        for stream, payload in self._frames_of(data):
            stamp, _, text = payload.partition(b" ")
            *lines, rest = (self._partial.pop(stream, b"") + text).split(b"\n")
            when = stamp.decode("ascii", "replace")
            entries.extend((when, stream, line.decode("utf-8", "replace")) for line in lines)
            if rest:
                self._partial[stream] = rest
                self._stamps[stream] = when
        return entries

    def flush(self) -> list[Entry]:
        """Unterminated last lines (a process that exited mid-line)."""
        entries = [(self._stamps[stream], stream, rest.decode("utf-8", "replace"))
                   for stream, rest in sorted(self._partial.items())]
        self._partial.clear()
        return entries


def _body_reader(response) -> Callable[[int], bytes] | None:
    """The buffered socket under a streamed response (what docker-py itself reaches for
    to attach), read whole reads at a time; None where it is not there."""
    fp = getattr(getattr(getattr(response, "raw", None), "_fp", None), "fp", None)
    return getattr(fp, "read1", None)


def _read_logs(client: docker.DockerClient, container: str, params: dict,
               decoder: LogStreamDecoder, decode: Callable[[bytes], list],
               adaptive: bool = False) -> Iterator[list]:
    """Batches of what `decode` makes of the logs endpoint's reads, until it ends."""
    response = client.api._get(
        client.api._url("/containers/{0}/logs", container),
        params={"stdout": 1, "stderr": 1, **params}, stream=True)
    client.api._raise_for_status(response)
    try:
        read = _body_reader(response)
        chunked = response.headers.get("Transfer-Encoding", "").lower() == "chunked"
        if read is None or not chunked:
            raise docker.errors.DockerException("unexpected log stream encoding")
        while not decoder.finished:
            data = read(READ_SIZE)
            if not data:
                break
            batch = decode(data)
            if batch:
                yield batch
            if adaptive and len(batch) >= BUSY_FRAMES:
                time.sleep(BUSY_PAUSE)
            elif len(data) < READ_SIZE // 2:
                time.sleep(BATCH_PAUSE)
    finally:
        response.close()


def follow_lines(client: docker.DockerClient, container: str, since: float) -> Iterator[list[str]]:
    """Batches of lines the container writes from `since` on, until it stops."""
    decoder = LogStreamDecoder()
    yield from _read_logs(client, container, {"follow": 1, "since": f"{since:.6f}"},
                          decoder, decoder.feed)


def follow_entries(client: docker.DockerClient, container: str, since: str,
                   follow: bool = True) -> Iterator[list[Entry]]:
    """Batches of (engine time, stream, text) from `since` (seconds since the epoch, as
    the engine takes it: "1764000000" or "1764000000.5") until the container stops (or,
    with follow=False, until what is written so far is read). The stream ending
    normally ends the iteration; a broken one raises (DockerException, OSError...)."""
    decoder = TimestampedDecoder()
    params = {"follow": 1 if follow else 0, "since": since, "timestamps": 1}
    yield from _read_logs(client, container, params, decoder, decoder.feed_entries, adaptive=True)
    if not decoder.finished:
        raise docker.errors.DockerException(f"log stream of {container[:12]} ended early")
    rest = decoder.flush()
    if rest:
        yield rest


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
