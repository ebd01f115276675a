"""Senders: how a batch of log lines leaves the platform for one drain.

SyslogSender keeps one TCP connection (TLS for syslog+tls://, verified against the
system's trust store plus PAAS_DRAIN_CA_CERTS) and writes octet-counted RFC 5424
frames. HttpSender POSTs each batch as Heroku's Logplex does: the body is the same
frames, `Content-Type: application/logplex-1`, with Logplex-Msg-Count,
Logplex-Frame-Id and Logplex-Drain-Token headers. A failed send raises SendFailed;
the drain's worker retries with back-off. Only the standard library and httpx.
"""

from __future__ import annotations

import select
import socket
import ssl
import uuid
from pathlib import Path
from typing import Protocol

import httpx

from paas_platform.domain.drains import DrainTarget, drain_label, syslog_frames
from paas_platform.domain.logs import LogLine

CONNECT_SECONDS = 10.0
SEND_SECONDS = 30.0


class SendFailed(Exception):
    """The batch was not delivered; the message names the drain by host only."""


class Sender(Protocol):
    def send(self, lines: list[LogLine]) -> None: ...

    def close(self) -> None: ...


def tls_context(extra_ca_file: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if extra_ca_file is not None:
        context.load_verify_locations(cafile=str(extra_ca_file))
    return context


class SyslogSender:
    def __init__(self, target: DrainTarget, token: str, context: ssl.SSLContext | None) -> None:
        self._target = target
        self._token = token
        self._context = context if target.kind == "syslog+tls" else None
        self._sock: socket.socket | None = None

    def send(self, lines: list[LogLine]) -> None:
        data = syslog_frames(lines, self._token)
        try:
            if self._sock is not None and _peer_closed(self._sock):
                self.close()  # the receiver went away: write to a new connection, not into the void
            if self._sock is None:
                self._sock = self._connect()
            self._sock.sendall(data)
        except (OSError, ssl.SSLError) as exc:
            self.close()
            raise SendFailed(f"{drain_label(self._target.url)}: {type(exc).__name__}: {exc}") from None

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self._target.host, self._target.port),
                                        timeout=CONNECT_SECONDS)
        try:
            if self._context is not None:
                sock = self._context.wrap_socket(sock, server_hostname=self._target.host)
            sock.settimeout(SEND_SECONDS)
        except BaseException:
            sock.close()
            raise
        return sock

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None


def _peer_closed(sock: socket.socket) -> bool:
    """True when a plain connection's receiver has closed it (it never sends to us, so
    anything readable means end-of-file or a reset). TLS sockets are left to fail on send."""
    if isinstance(sock, ssl.SSLSocket):
        return False
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


class HttpSender:
    def __init__(self, target: DrainTarget, token: str, context: ssl.SSLContext | None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._target = target
        self._token = token
        self._client = httpx.Client(
            verify=context if context is not None else True, transport=transport,
            timeout=httpx.Timeout(SEND_SECONDS, connect=CONNECT_SECONDS),
            headers={"User-Agent": "paas-logs"}, follow_redirects=False)

    def send(self, lines: list[LogLine]) -> None:
        headers = {
            "Content-Type": "application/logplex-1",
            "Logplex-Msg-Count": str(len(lines)),
            "Logplex-Frame-Id": uuid.uuid4().hex.upper(),
            "Logplex-Drain-Token": self._token,
        }
        try:
            response = self._client.post(self._target.url, content=syslog_frames(lines, self._token),
                                         headers=headers)
        except httpx.HTTPError as exc:
            raise SendFailed(f"{drain_label(self._target.url)}: {type(exc).__name__}") from None
        if not 200 <= response.status_code < 300:
            raise SendFailed(f"{drain_label(self._target.url)} answered {response.status_code}")

    def close(self) -> None:
        self._client.close()


def sender_for(target: DrainTarget, token: str, extra_ca_file: Path | None) -> Sender:
    context = tls_context(extra_ca_file) if target.kind in ("syslog+tls", "https") else None
    if target.is_syslog:
        return SyslogSender(target, token, context)
    return HttpSender(target, token, context)
