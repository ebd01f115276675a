"""The client half of the rendezvous protocol: this terminal, bridged to a one-off dyno.

The platform documents the protocol (paas_platform.runtime.rendezvous); the CLI cannot
import it, so the few constants live here too. In short: send the attach URL's secret
and a newline, then exchange frames of type (1 byte) | length (4 bytes, big-endian) |
payload. We send STDIN, STDIN_EOF and RESIZE; we receive STDOUT, STDERR, ERROR and,
last, EXIT with the command's status.

One thread and select(): the socket is non-blocking with an outgoing buffer, and stdin
is read only while that buffer is small, so a command that neither reads its input nor
stops writing output cannot deadlock the two directions.
"""

import os
import select
import signal
import socket
import struct
import termios
import threading
import tty
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO
from urllib.parse import urlsplit

from paas_cli.errors import CliError

STDOUT, STDERR, EXIT, ERROR = 0x01, 0x02, 0x03, 0x04
STDIN, STDIN_EOF, RESIZE = 0x10, 0x11, 0x12
HEADER = struct.Struct(">BI")
EXIT_STATUS = struct.Struct(">i")
WINDOW_SIZE = struct.Struct(">HH")
MAX_PAYLOAD = 1024 * 1024
CONNECT_TIMEOUT = 10.0
READ_SIZE = 64 * 1024
HIGH_WATER = 1024 * 1024  # stop reading stdin while this much is still unsent


def parse_attach_url(url: str) -> tuple[str, int, str]:
    """`rendezvous://HOST:PORT/SECRET` -> (host, port, secret)."""
    try:
        parts = urlsplit(url)
        host, port, secret = parts.hostname, parts.port, parts.path.lstrip("/")
    except ValueError:  # e.g. a port that is no number
        parts = host = port = secret = None
    if not parts or parts.scheme != "rendezvous" or not host or not port or not secret:
        raise CliError(f"the API returned an invalid attach URL: {url!r}")
    return host, port, secret


def frame(kind: int, payload: bytes = b"") -> bytes:
    return HEADER.pack(kind, len(payload)) + payload


def stdin_frames(data: bytes) -> bytes:
    """STDIN frames for `data`, split so that none exceeds MAX_PAYLOAD."""
    return b"".join(frame(STDIN, data[i:i + MAX_PAYLOAD]) for i in range(0, len(data), MAX_PAYLOAD))


def resize_frame(fd: int) -> bytes:
    """A RESIZE frame with the terminal's size, or nothing when `fd` is no terminal."""
    try:
        size = os.get_terminal_size(fd)
    except OSError:
        return b""
    return frame(RESIZE, WINDOW_SIZE.pack(size.lines, size.columns))


@dataclass
class SessionEnd:
    """How a session ended: the command's status (None: no EXIT came) and the platform's notes."""

    status: int | None
    notes: list[str] = field(default_factory=list)


class _Incoming:
    """Server frames, reassembled from whatever recv() returns."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> Iterator[tuple[int, bytes]]:
        self._buffer += data
        while len(self._buffer) >= HEADER.size:
            kind, length = HEADER.unpack_from(self._buffer)
            if length > MAX_PAYLOAD:
                raise CliError("the rendezvous server sent a malformed frame")
            end = HEADER.size + length
            if len(self._buffer) < end:
                return
            payload = bytes(self._buffer[HEADER.size:end])
            del self._buffer[:end]
            yield kind, payload


class RendezvousSession:
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    @classmethod
    def connect(cls, url: str, timeout: float = CONNECT_TIMEOUT) -> "RendezvousSession":
        host, port, secret = parse_attach_url(url)
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
            sock.sendall(secret.encode("ascii") + b"\n")
        except OSError as error:
            raise CliError(f"cannot reach the dyno at {host}:{port}: {error}") from error
        return cls(sock)

    def run(self, stdin_fd: int | None, stdout: BinaryIO, stderr: BinaryIO,
            terminal: bool) -> SessionEnd:
        """Relay until the command exits; in `terminal` mode stdin is put in raw mode."""
        try:
            with _raw_mode(stdin_fd if terminal else None), _window_changes(terminal) as wake:
                return self._relay(stdin_fd, stdout, stderr, terminal, wake)
        finally:
            self._sock.close()

    def _relay(self, stdin_fd: int | None, stdout: BinaryIO, stderr: BinaryIO,
               terminal: bool, wake: int | None) -> SessionEnd:
        self._sock.setblocking(False)
        outgoing = bytearray(resize_frame(stdin_fd) if terminal and stdin_fd is not None else b"")
        if stdin_fd is None:
            outgoing += frame(STDIN_EOF)
        incoming, notes, sending = _Incoming(), [], True
        while True:
            readers = [self._sock] + ([wake] if wake is not None else [])
            if stdin_fd is not None and len(outgoing) < HIGH_WATER:
                readers.append(stdin_fd)
            writers = [self._sock] if outgoing and sending else []
            readable, writable, _ = select.select(readers, writers, [])
            if writable:
                try:
                    del outgoing[:self._sock.send(outgoing)]
                except BlockingIOError:
                    pass
                except OSError:
                    sending = False  # the server hung up; read what it said before that
            if wake is not None and wake in readable:
                os.read(wake, 64)
                outgoing += resize_frame(stdin_fd) if stdin_fd is not None else b""
            if stdin_fd is not None and stdin_fd in readable:
                data = _read(stdin_fd)
                if data:
                    outgoing += stdin_frames(data)
                else:
                    outgoing += frame(STDIN_EOF)
                    stdin_fd = None
            if self._sock in readable:
                data = _recv(self._sock)
                if data == b"":
                    return SessionEnd(None, notes)
                for kind, payload in incoming.feed(data or b""):
                    if kind == EXIT and len(payload) == EXIT_STATUS.size:
                        return SessionEnd(EXIT_STATUS.unpack(payload)[0], notes)
                    if kind == ERROR:
                        notes.append(payload.decode("utf-8", "replace"))
                    elif kind in (STDOUT, STDERR):
                        out = stdout if kind == STDOUT else stderr
                        out.write(payload)
                        out.flush()


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, READ_SIZE)
    except OSError:  # e.g. EIO from a terminal that went away: treat as end of input
        return b""


def _recv(sock: socket.socket) -> bytes | None:
    """Bytes from the server; b"" when it hung up; None when nothing is there after all."""
    try:
        return sock.recv(READ_SIZE)
    except BlockingIOError:
        return None
    except OSError:
        return b""


@contextmanager
def _raw_mode(fd: int | None) -> Iterator[None]:
    """The terminal in raw mode (keys go to the dyno as typed), always restored."""
    if fd is None:
        yield
        return
    saved = termios.tcgetattr(fd)
    try:
        tty.setraw(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


@contextmanager
def _window_changes(terminal: bool) -> Iterator[int | None]:
    """A pipe that becomes readable on SIGWINCH (None when there is nothing to watch)."""
    if not terminal or threading.current_thread() is not threading.main_thread():
        yield None
        return
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)

    def on_resize(_signum, _frame) -> None:
        try:
            os.write(write_end, b"w")
        except OSError:  # the pipe is full: a resize is already pending
            pass

    previous = signal.signal(signal.SIGWINCH, on_resize)
    try:
        yield read_end
    finally:
        signal.signal(signal.SIGWINCH, previous)
        os.close(read_end)
        os.close(write_end)
