"""The rendezvous protocol: frame codec, one-time expiring secrets, and the listener
(with a fake dyno behind it, spoken to by the CLI's own client so both halves agree)."""

from __future__ import annotations

import io
import os
import socket
import threading

import pytest

from paas_cli import rendezvous_client
from paas_cli.rendezvous_client import RendezvousSession
from paas_platform.runtime.rendezvous import (
    EXIT_STATUS, HEADER, MAX_PAYLOAD, Frame, FrameConnection, FrameDecoder, ProtocolError,
    RendezvousServer, SecretBook, encode_frame,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class EchoDyno:
    """Upper-cases its stdin to stdout; on stdin EOF says bye on stderr and exits 3."""

    def __init__(self) -> None:
        self.discarded = threading.Event()
        self.attached = threading.Event()
        self.client_left = threading.Event()
        self.resizes: list[bytes] = []

    def attach(self, conn: FrameConnection) -> None:
        self.attached.set()
        while (frame := conn.read_frame()) is not None:
            kind, payload = frame
            if kind == Frame.STDIN:
                conn.send(Frame.STDOUT, payload.upper())
            elif kind == Frame.RESIZE:
                self.resizes.append(payload)
            elif kind == Frame.STDIN_EOF:
                conn.send(Frame.STDERR, b"bye\n")
                conn.send_exit(3)
                conn.close()
                return
        self.client_left.set()

    def discard(self) -> None:
        self.discarded.set()


@pytest.fixture
def server():
    clock = Clock()
    server = RendezvousServer("127.0.0.1", 0, SecretBook(ttl=60, clock=clock))
    server.clock = clock
    server.start()
    yield server
    server.stop(timeout=5)


def url(server: RendezvousServer, secret: str) -> str:
    return f"rendezvous://127.0.0.1:{server.port}/{secret}"


def read_all(sock: socket.socket) -> list[tuple[int, bytes]]:
    """Every frame the server sends until it closes."""
    decoder, frames = FrameDecoder(), []
    while chunk := sock.recv(65536):
        frames += decoder.feed(chunk)
    return frames


# -- codec --------------------------------------------------------------------------------

def test_frames_round_trip_whole_or_byte_by_byte():
    stream = (encode_frame(Frame.STDOUT, b"hello") + encode_frame(Frame.STDIN_EOF)
              + encode_frame(Frame.EXIT, EXIT_STATUS.pack(-1)))
    expected = [(Frame.STDOUT, b"hello"), (Frame.STDIN_EOF, b""), (Frame.EXIT, b"\xff" * 4)]

    assert FrameDecoder().feed(stream) == expected
    decoder = FrameDecoder()
    assert [f for i in range(len(stream)) for f in decoder.feed(stream[i:i + 1])] == expected


def test_header_is_type_byte_then_big_endian_length():
    assert encode_frame(Frame.STDERR, b"ab") == b"\x02\x00\x00\x00\x02ab"
    assert HEADER.size == 5


def test_oversized_frames_are_refused_both_ways():
    with pytest.raises(ValueError):
        encode_frame(Frame.STDOUT, b"x" * (MAX_PAYLOAD + 1))
    with pytest.raises(ProtocolError):
        FrameDecoder().feed(HEADER.pack(Frame.STDIN, MAX_PAYLOAD + 1))


def test_large_output_is_split_into_frames_the_client_accepts():
    ours, theirs = socket.socketpair()
    conn = FrameConnection(ours)
    data = b"y" * (MAX_PAYLOAD * 2 + 10)
    sender = threading.Thread(target=lambda: (conn.send(Frame.STDOUT, data), conn.close()))
    sender.start()
    frames = read_all(theirs)
    sender.join()
    assert [len(p) for _, p in frames] == [MAX_PAYLOAD, MAX_PAYLOAD, 10]


def test_cli_and_platform_agree_on_the_wire_format():
    assert rendezvous_client.HEADER.format == HEADER.format
    assert rendezvous_client.MAX_PAYLOAD == MAX_PAYLOAD
    for name in ("STDOUT", "STDERR", "EXIT", "ERROR", "STDIN", "STDIN_EOF", "RESIZE"):
        assert getattr(rendezvous_client, name) == Frame[name]


# -- secrets ------------------------------------------------------------------------------

def test_a_secret_works_once():
    book = SecretBook(clock=Clock())
    target = EchoDyno()
    secret = book.issue(target)

    assert len(secret) >= 40
    assert book.claim(secret) is target
    assert book.claim(secret) is None
    assert book.claim("made-up") is None


def test_a_secret_expires_and_its_dyno_is_handed_back_for_discarding():
    clock = Clock()
    book = SecretBook(ttl=60, clock=clock)
    early, late = EchoDyno(), EchoDyno()
    early_secret = book.issue(early)
    clock.now += 30
    book.issue(late)
    clock.now += 30

    assert book.claim(early_secret) is None  # expired: never attached...
    assert book.expire() == [early]  # ...but still discarded
    assert book.expire() == []
    clock.now += 30
    assert book.expire() == [late]


# -- the listener -------------------------------------------------------------------------

def test_client_session_relays_stdin_output_resize_and_exit_status(server):
    dyno = EchoDyno()
    session = RendezvousSession.connect(url(server, server.issue(dyno)))
    read_end, write_end = os.pipe()
    os.write(write_end, b"hi there")
    os.close(write_end)
    out, err = io.BytesIO(), io.BytesIO()

    end = session.run(read_end, out, err, terminal=False)

    assert (end.status, end.notes) == (3, [])
    assert (out.getvalue(), err.getvalue()) == (b"HI THERE", b"bye\n")
    assert dyno.resizes == []  # no terminal, no window size


def test_unknown_used_or_expired_secrets_get_an_error_and_no_dyno(server):
    dyno = EchoDyno()
    secret = server.issue(dyno)
    assert RendezvousSession.connect(url(server, secret)).run(None, io.BytesIO(), io.BytesIO(),
                                                              False).status == 3
    for attempt in (secret, "not-a-secret"):
        end = RendezvousSession.connect(url(server, attempt)).run(
            None, io.BytesIO(), io.BytesIO(), False)
        assert end.status is None
        assert end.notes == ["this attach URL is unknown, already used or expired"]

    stale = EchoDyno()
    stale_secret = server.issue(stale)
    server.clock.now += 61
    assert stale.discarded.wait(5), "the listener discards dynos nobody attached to"
    end = RendezvousSession.connect(url(server, stale_secret)).run(
        None, io.BytesIO(), io.BytesIO(), False)
    assert end.status is None and not stale.attached.is_set()


def test_a_client_that_leaves_is_noticed_and_stop_ends_sessions(server):
    dyno = EchoDyno()
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(server.issue(dyno).encode() + b"\n" + encode_frame(Frame.STDIN, b"x"))
        assert sock.recv(100) == encode_frame(Frame.STDOUT, b"X")
    assert dyno.client_left.wait(5)

    lingering = EchoDyno()
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(server.issue(lingering).encode() + b"\n")
    assert lingering.attached.wait(5)
    waiting = EchoDyno()
    server.issue(waiting)
    server.stop(timeout=5)
    assert lingering.client_left.is_set() and waiting.discarded.is_set()
    assert not server.listening
    sock.close()


def test_a_garbled_client_is_cut_off(server):
    dyno = EchoDyno()
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(server.issue(dyno).encode() + b"\n" + HEADER.pack(Frame.STDIN, 1 << 30))
        assert dyno.client_left.wait(5)
