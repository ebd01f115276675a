"""Rendezvous: the TCP listener that joins a `paas run` client to its one-off dyno.

As on Heroku, `POST /apps/{app}/dynos` with `attach: true` creates the container (not
yet started) and answers with `attach_url = rendezvous://HOST:PORT/SECRET`. The secret is
random, valid for one connection and for SECRET_TTL seconds; a dyno nobody attaches to
in time is discarded.

Protocol (integers are big-endian):

    client -> server  the secret, then "\\n"          (ASCII, at most MAX_SECRET_LINE bytes)
    then, both ways   frames: type (1 byte) | length (4 bytes) | payload (length bytes)

    server -> client
      0x01 STDOUT  bytes the command wrote to stdout (all its output, under a TTY)
      0x02 STDERR  bytes it wrote to stderr
      0x03 EXIT    the exit status, a 4-byte signed integer; always the last frame
      0x04 ERROR   a UTF-8 message from the platform (unknown secret, could not start,
                   time-to-live ran out); when no EXIT follows, the server closes
    client -> server
      0x10 STDIN   bytes for the command's stdin
      0x11 EOF     the client's stdin ended (empty payload): the command reads EOF
      0x12 RESIZE  the terminal's rows and columns, two 2-byte unsigned integers

A payload is at most MAX_PAYLOAD bytes; a longer length ends the session. Servers
ignore client frame types they do not know. A client that disconnects before EXIT ends
its dyno (killed and removed), as closing `heroku run` does.

Each session costs one thread here (plus the bridge's input thread): one-off dynos are
few, and blocking sockets keep the bridge to the Docker attach stream simple.
"""

from __future__ import annotations

import enum
import logging
import secrets
import socket
import struct
import threading
import time
from dataclasses import dataclass
from typing import Callable, Protocol

log = logging.getLogger("paas.rendezvous")

SECRET_TTL = 60.0
HANDSHAKE_TIMEOUT = 10.0
MAX_SECRET_LINE = 128
MAX_PAYLOAD = 1024 * 1024
HEADER = struct.Struct(">BI")
EXIT_STATUS = struct.Struct(">i")
WINDOW_SIZE = struct.Struct(">HH")
_SWEEP_EVERY = 0.5


class Frame(enum.IntEnum):
    STDOUT = 0x01
    STDERR = 0x02
    EXIT = 0x03
    ERROR = 0x04
    STDIN = 0x10
    STDIN_EOF = 0x11
    RESIZE = 0x12


class ProtocolError(Exception):
    """The peer broke the framing; the session cannot continue."""


def encode_frame(kind: int, payload: bytes = b"") -> bytes:
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"frame payload of {len(payload)} bytes exceeds {MAX_PAYLOAD}")
    return HEADER.pack(kind, len(payload)) + payload


class FrameDecoder:
    """Bytes in, whole frames out: (type, payload) pairs, in order."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        self._buffer += data
        frames = []
        while len(self._buffer) >= HEADER.size:
            kind, length = HEADER.unpack_from(self._buffer)
            if length > MAX_PAYLOAD:
                raise ProtocolError(f"frame of {length} bytes exceeds {MAX_PAYLOAD}")
            end = HEADER.size + length
            if len(self._buffer) < end:
                break
            frames.append((kind, bytes(self._buffer[HEADER.size:end])))
            del self._buffer[:end]
        return frames


class FrameConnection:
    """One client connection: the secret line, then frames. Sending is thread-safe."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._decoder = FrameDecoder()
        self._ready: list[tuple[int, bytes]] = []
        self._send_lock = threading.Lock()
        self._broken = False  # the client broke the framing: no more frames from it

    def read_line(self, limit: int = MAX_SECRET_LINE) -> str | None:
        """The first line (without its newline); bytes after it stay for read_frame."""
        data = b""
        while b"\n" not in data:
            if len(data) > limit:
                return None
            chunk = self._recv()
            if not chunk:
                return None
            data += chunk
        line, _, rest = data.partition(b"\n")
        self._feed(rest)
        return line.decode("ascii", "replace").strip()

    def read_frame(self) -> tuple[int, bytes] | None:
        """The next frame; None when the client is gone or broke the protocol."""
        while not self._ready:
            chunk = None if self._broken else self._recv()
            if not chunk or not self._feed(chunk):
                return None
        return self._ready.pop(0)

    def _feed(self, data: bytes) -> bool:
        try:
            self._ready += self._decoder.feed(data)
            return True
        except ProtocolError as exc:
            log.info("rendezvous client broke the protocol: %s", exc)
            self._broken = True
            return False

    def send(self, kind: int, payload: bytes = b"") -> bool:
        """Send one frame (payloads over MAX_PAYLOAD are split); False if the client is gone."""
        chunks = [payload[i:i + MAX_PAYLOAD] for i in range(0, len(payload), MAX_PAYLOAD)]
        try:
            with self._send_lock:
                for chunk in chunks or [b""]:
                    self._sock.sendall(encode_frame(kind, chunk))
            return True
        except OSError:
            return False

    def send_exit(self, status: int) -> bool:
        return self.send(Frame.EXIT, EXIT_STATUS.pack(status))

    def send_error(self, message: str) -> bool:
        return self.send(Frame.ERROR, message.encode("utf-8", "replace"))

    def settimeout(self, seconds: float | None) -> None:
        self._sock.settimeout(seconds)

    def close(self) -> None:
        """Close; shutdown first, so a thread blocked reading this socket wakes up."""
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()

    def _recv(self) -> bytes:
        try:
            return self._sock.recv(65536)
        except OSError:  # reset, timed out, or closed by us
            return b""


class AttachTarget(Protocol):
    """What a secret stands for: a created one-off dyno waiting for its client."""

    def attach(self, conn: FrameConnection) -> None:
        """Run the session to its end (blocking); the target closes `conn`."""

    def discard(self) -> None:
        """Nobody came for it in time: remove it."""


@dataclass
class _Pending:
    target: AttachTarget
    expires: float


class SecretBook:
    """One-time secrets, each valid for `ttl` seconds from issue."""

    def __init__(self, ttl: float = SECRET_TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def issue(self, target: AttachTarget) -> str:
        secret = secrets.token_urlsafe(32)
        with self._lock:
            self._pending[secret] = _Pending(target, self._clock() + self._ttl)
        return secret

    def claim(self, secret: str) -> AttachTarget | None:
        """The target of a valid secret, which is used up; None if unknown, used or expired."""
        with self._lock:
            pending = self._pending.pop(secret, None)
            if pending is not None and pending.expires <= self._clock():
                # Leave an expired one to expire() so its dyno is discarded, never attached.
                self._pending[secret] = pending
                return None
        return pending.target if pending else None

    def expire(self) -> list[AttachTarget]:
        """Forget every expired secret; their targets are for the caller to discard."""
        now = self._clock()
        with self._lock:
            gone = [s for s, p in self._pending.items() if p.expires <= now]
            return [self._pending.pop(s).target for s in gone]

    def drain(self) -> list[AttachTarget]:
        """Forget every secret (shutdown)."""
        with self._lock:
            targets = [p.target for p in self._pending.values()]
            self._pending.clear()
        return targets


class RendezvousServer:
    """The listener: accept, read the secret, hand the connection to its dyno."""

    def __init__(self, host: str, port: int, book: SecretBook | None = None) -> None:
        self._host = host
        self._port = port
        self.book = book or SecretBook()
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self._sessions: set[FrameConnection] = set()
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()

    @property
    def listening(self) -> bool:
        return self._listener is not None and not self._stopping.is_set()

    @property
    def port(self) -> int:
        """The bound port (the asked one, or the one the OS chose for port 0)."""
        return self._listener.getsockname()[1] if self._listener else self._port

    def issue(self, target: AttachTarget) -> str:
        return self.book.issue(target)

    def start(self) -> None:
        """Bind and serve in a background thread; OSError if the port cannot be bound."""
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((self._host, self._port))
            listener.listen(64)
        except OSError:
            listener.close()
            raise
        # A timeout on accept lets the loop sweep expired secrets and notice stop().
        listener.settimeout(_SWEEP_EVERY)
        self._listener = listener
        self._spawn(self._serve, "rendezvous")
        log.info("rendezvous listening on %s:%d", self._host, self.port)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop accepting, end every session (their dynos are killed) and discard waiting ones."""
        self._stopping.set()
        with self._lock:
            sessions = list(self._sessions)
        for conn in sessions:
            conn.close()
        for target in self.book.drain():
            _discard(target)
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if self._listener is not None:
            self._listener.close()

    def _serve(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            for target in self.book.expire():
                self._spawn(lambda t=target: _discard(t), "rendezvous-expire")
            try:
                sock, peer = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                if self._stopping.is_set():
                    return
                log.exception("rendezvous accept failed")
                time.sleep(_SWEEP_EVERY)
                continue
            self._spawn(lambda s=sock: self._session(s), f"rendezvous-{peer[0]}")

    def _session(self, sock: socket.socket) -> None:
        # Keepalive: a client whose machine vanished is noticed, and its dyno ended.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        conn = FrameConnection(sock)
        with self._lock:
            self._sessions.add(conn)
        try:
            conn.settimeout(HANDSHAKE_TIMEOUT)
            secret = conn.read_line()
            target = self.book.claim(secret) if secret else None
            if target is None:
                conn.send_error("this attach URL is unknown, already used or expired")
                return
            if self._stopping.is_set():
                _discard(target)
                conn.send_error("the platform is shutting down; try again")
                return
            conn.settimeout(None)
            target.attach(conn)
        except Exception:  # noqa: BLE001 - one broken session must not stop the listener
            log.exception("rendezvous session failed")
        finally:
            conn.close()
            with self._lock:
                self._sessions.discard(conn)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        def run() -> None:
            try:
                target()
            finally:
                with self._lock:
                    self._threads.discard(threading.current_thread())

        thread = threading.Thread(target=run, name=name, daemon=True)
        with self._lock:
            self._threads.add(thread)
        thread.start()


def _discard(target: AttachTarget) -> None:
    try:
        target.discard()
    except Exception:  # noqa: BLE001 - best effort: the sweep at the next start retries
        log.exception("discarding an unattached one-off dyno failed")
