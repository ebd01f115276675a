"""The bridge between a rendezvous client and a container's attach stream, without Docker:
a fake container whose "engine" end speaks Docker's multiplexed stream over a socketpair."""

from __future__ import annotations

import socket
import struct
import threading

import pytest

from paas_platform.runtime.oneoff import OneOffContainer
from paas_platform.runtime.rendezvous import (
    EXIT_STATUS, WINDOW_SIZE, Frame, FrameConnection, encode_frame,
)
from tests.unit.test_rendezvous import read_all


def muxed(stream: int, data: bytes) -> bytes:
    """One frame of the engine's attach stream (no TTY): stream, 3 zero bytes, length."""
    return struct.pack(">BxxxL", stream, len(data)) + data


class FakeContainer:
    """Reads stdin until EOF, then answers on stdout and stderr and exits with `status`."""

    def __init__(self, status: int = 3, hang: bool = False) -> None:
        self.engine_end, self.our_end = socket.socketpair()
        self.status = status
        self.hang = hang  # ignore stdin and run until killed
        self.stdin = b""
        self.killed = threading.Event()
        self.removed = threading.Event()
        self.exited = threading.Event()
        self.sizes: list[tuple[int, int]] = []

    def attach_socket(self, params):
        assert params == {"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
        return self.our_end

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        if not self.hang:
            while chunk := self.engine_end.recv(4096):
                self.stdin += chunk
            self.engine_end.sendall(muxed(1, self.stdin.upper()) + muxed(2, b"warning\n"))
            self._exit(self.status)

    def _exit(self, status: int) -> None:
        self.status = status
        self.engine_end.close()
        self.exited.set()

    def wait(self):
        assert self.exited.wait(5)
        return {"StatusCode": self.status}

    def kill(self) -> None:
        self.killed.set()
        if not self.exited.is_set():
            self._exit(137)

    def remove(self, force: bool) -> None:
        self.removed.set()

    def resize(self, height: int, width: int) -> None:
        self.sizes.append((height, width))


def bridge(container: FakeContainer, ttl: float = 60, tty: bool = False):
    """Attach in a thread; return (client socket, thread)."""
    server_end, client = socket.socketpair()
    dyno = OneOffContainer(container, "demo", "run.4711", tty, ttl, lambda *a: None)
    thread = threading.Thread(target=dyno.attach, args=(FrameConnection(server_end),), daemon=True)
    thread.start()
    return client, thread


def test_stdin_reaches_the_command_and_its_streams_and_status_come_back():
    container = FakeContainer(status=3)
    client, thread = bridge(container)
    client.sendall(encode_frame(Frame.STDIN, b"hi") + encode_frame(Frame.STDIN_EOF))

    frames = read_all(client)
    thread.join(5)

    assert frames == [(Frame.STDOUT, b"HI"), (Frame.STDERR, b"warning\n"),
                      (Frame.EXIT, EXIT_STATUS.pack(3))]
    assert container.stdin == b"hi"
    assert container.removed.is_set() and not container.killed.is_set()


def test_a_client_that_goes_away_kills_and_removes_the_dyno():
    container = FakeContainer(hang=True)
    client, thread = bridge(container)
    client.close()

    thread.join(5)
    assert container.killed.is_set() and container.removed.is_set()


def test_time_to_live_kills_it_and_says_so_before_the_status():
    container = FakeContainer(hang=True)
    client, thread = bridge(container, ttl=0.2)

    frames = read_all(client)
    thread.join(5)

    assert frames[-1] == (Frame.EXIT, EXIT_STATUS.pack(137))
    assert frames[-2][0] == Frame.ERROR and b"time-to-live" in frames[-2][1]
    assert container.removed.is_set()


@pytest.mark.parametrize("tty", [True, False])
def test_resize_frames_resize_a_terminal_only(tty):
    container = FakeContainer()
    client, thread = bridge(container, tty=tty)
    client.sendall(encode_frame(Frame.RESIZE, WINDOW_SIZE.pack(40, 120))
                   + encode_frame(Frame.STDIN_EOF))

    read_all(client)
    thread.join(5)
    assert container.sizes == ([(40, 120)] if tty else [])


def test_a_container_that_cannot_start_is_reported_and_removed():
    container = FakeContainer()

    def broken_start():
        from docker.errors import APIError

        raise APIError("image is gone")

    container.start = broken_start
    client, thread = bridge(container)

    frames = read_all(client)
    thread.join(5)
    assert [kind for kind, _ in frames] == [Frame.ERROR]
    assert b"run.4711 could not start" in frames[0][1]
    assert container.removed.is_set()
