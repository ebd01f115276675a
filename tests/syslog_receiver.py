"""A syslog-over-TCP receiver for tests: accepts connections (TLS when given a server
context), keeps every byte, and splits RFC 6587 octet-counted frames out of them."""

from __future__ import annotations

import socket
import ssl
import threading


def complete_frames(data: bytes) -> list[bytes]:
    """The octet-counted frames (`LEN SP MSG`) wholly inside `data`."""
    frames, at = [], 0
    while (space := data.find(b" ", at)) >= 0:
        length = int(data[at:space])
        if space + 1 + length > len(data):
            break
        frames.append(data[space + 1:space + 1 + length])
        at = space + 1 + length
    return frames


class SyslogReceiver:
    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.context = context
        self.data = b""
        self.connections = 0
        self.closed_connections = 0
        self.got = threading.Condition()
        self._open: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            self._open.append(conn)
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        try:
            if self.context is not None:
                conn = self.context.wrap_socket(conn, server_side=True)
            while chunk := conn.recv(65536):
                with self.got:
                    self.data += chunk
                    self.got.notify_all()
        except (OSError, ssl.SSLError):
            pass
        finally:
            conn.close()
            with self.got:
                self.closed_connections += 1
                self.got.notify_all()

    def frames(self) -> list[bytes]:
        with self.got:
            return complete_frames(self.data)

    def wait_frames(self, count: int, timeout: float = 15) -> list[bytes]:
        with self.got:
            self.got.wait_for(lambda: len(complete_frames(self.data)) >= count, timeout=timeout)
            return complete_frames(self.data)

    def wait_for(self, needle: bytes, timeout: float = 15) -> bytes:
        with self.got:
            self.got.wait_for(lambda: needle in self.data, timeout=timeout)
            return self.data

    def drop_connections(self) -> None:
        """As a restarting receiver would: close every connection it has."""
        for conn in self._open:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        self.sock.close()
