"""Drain senders against local receivers: syslog over TCP and TLS (a self-signed CA
trusted through PAAS_DRAIN_CA_CERTS), and Logplex-style HTTPS POSTs."""

from __future__ import annotations

import http.server
import shutil
import socket
import ssl
import subprocess
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from paas_platform.domain.drains import parse_drain_url
from paas_platform.domain.logs import LogLine
from paas_platform.services.drain_senders import SendFailed, sender_for
from tests.conftest import require_real_part
from tests.syslog_receiver import SyslogReceiver, complete_frames

WHEN = datetime(2026, 11, 23, 23, 50, 1, tzinfo=timezone.utc)
TOKEN = "d.00000000-0000-4000-8000-000000000001"
LINES = [LogLine("demo", WHEN, "app", "web.1", f"line {n}") for n in range(3)]


def test_syslog_over_tcp_sends_octet_counted_frames_and_reconnects():
    receiver = SyslogReceiver()
    sender = sender_for(parse_drain_url(f"syslog://127.0.0.1:{receiver.port}"), TOKEN, None)
    try:
        sender.send(LINES)
        frames = receiver.wait_frames(3)
        assert [f.split(b" - - ")[1] for f in frames] == [b"line 0", b"line 1", b"line 2"]
        assert all(f.split(b" ")[2] == TOKEN.encode() for f in frames)
        receiver.drop_connections()  # the receiver restarts: the next batch goes to a new connection
        with receiver.got:
            receiver.got.wait_for(lambda: receiver.closed_connections == 1, timeout=10)
        sender.send(LINES[:1])
        assert len(receiver.wait_frames(4)) == 4
        assert receiver.connections == 2
    finally:
        sender.close()
        receiver.close()


def test_syslog_sender_fails_clearly_when_nobody_listens():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = sender_for(parse_drain_url(f"syslog://127.0.0.1:{port}"), TOKEN, None)
    with pytest.raises(SendFailed) as caught:
        sender.send(LINES)
    assert f"syslog://127.0.0.1:{port}" in str(caught.value)


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory) -> tuple[Path, Path]:
    """(certificate, key) for 127.0.0.1, made with the openssl command."""
    if shutil.which("openssl") is None:  # scripts/setup-host.sh installs it
        require_real_part("the openssl command", "not installed")
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def test_syslog_over_tls_trusts_the_extra_ca_file(self_signed):
    cert, key = self_signed
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(str(cert), str(key))
    receiver = SyslogReceiver(server_context)
    url = f"syslog+tls://127.0.0.1:{receiver.port}"
    untrusting = sender_for(parse_drain_url(url), TOKEN, None)
    with pytest.raises(SendFailed):
        untrusting.send(LINES)  # the self-signed certificate is not in the default trust store
    sender = sender_for(parse_drain_url(url), TOKEN, cert)
    try:
        sender.send(LINES)
        frames = receiver.wait_frames(3)
        assert len(frames) == 3 and frames[0].startswith(b"<190>1 ")
    finally:
        sender.close()
        receiver.close()


def test_https_drain_checks_the_certificate_against_the_extra_ca_file(self_signed):
    cert, key = self_signed
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.headers["Logplex-Msg-Count"])
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"https://127.0.0.1:{server.server_address[1]}/logs"
    untrusting = sender_for(parse_drain_url(url), TOKEN, None)
    trusting = sender_for(parse_drain_url(url), TOKEN, cert)
    try:
        with pytest.raises(SendFailed):
            untrusting.send(LINES)
        trusting.send(LINES)
        assert seen == ["3"]
    finally:
        untrusting.close()
        trusting.close()
        server.shutdown()


def test_https_drain_posts_logplex_batches():
    received: list[tuple[dict, bytes]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(204 if len(received) == 1 else 500)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/logs"
    sender = sender_for(parse_drain_url(url), TOKEN, None)
    try:
        sender.send(LINES)
        headers, body = received[0]
        assert headers["Content-Type"] == "application/logplex-1"
        assert headers["Logplex-Msg-Count"] == "3"
        assert headers["Logplex-Drain-Token"] == TOKEN
        assert len(headers["Logplex-Frame-Id"]) == 32
        assert len(complete_frames(body)) == 3
        with pytest.raises(SendFailed) as caught:
            sender.send(LINES)
        assert "answered 500" in str(caught.value)
    finally:
        sender.close()
        server.shutdown()
