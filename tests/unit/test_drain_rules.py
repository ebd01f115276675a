"""Drains without a network: URL rules, redaction, RFC 5424 / RFC 6587 framing, and a
worker that counts and reports what a stalled receiver made it drop."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from paas_platform.domain.drains import (
    drain_label, octet_frame, parse_drain_url, priority, redact_url, syslog_frames, syslog_message,
)
from paas_platform.domain.errors import InvalidParams
from paas_platform.domain.logs import LogDrain, LogLine
from paas_platform.services.drain_senders import SendFailed
from paas_platform.services.drains import DrainWorker, backoff
from paas_platform.services.log_hub import GapLine

WHEN = datetime(2026, 11, 23, 23, 50, 1, 123456, tzinfo=timezone.utc)
TOKEN = "d.9173ea1f-6f14-4976-9cf0-7cd0dafdcdbc"


def line(text: str, source: str = "app", process: str = "web.1") -> LogLine:
    return LogLine("demo", WHEN, source, process, text)


@pytest.mark.parametrize("url, kind, host, port", [
    ("syslog://logs.example.com:1514", "syslog", "logs.example.com", 1514),
    ("syslog+tls://logs.example.com:6514", "syslog+tls", "logs.example.com", 6514),
    ("syslog://10.0.0.5", "syslog", "10.0.0.5", 514),
    ("syslog+tls://logs.example.com", "syslog+tls", "logs.example.com", 6514),
    ("https://user:secret@logs.example.com/ingest?key=1", "https", "logs.example.com", 443),
    ("http://127.0.0.1:8080/logs", "http", "127.0.0.1", 8080),
])
def test_drain_urls_accepted(url, kind, host, port):
    target = parse_drain_url(url)
    assert (target.kind, target.host, target.port, target.url) == (kind, host, port, url)


@pytest.mark.parametrize("url, fragment", [
    ("", "drain URL such as"),
    (None, "drain URL such as"),
    ("ftp://logs.example.com", "unsupported drain URL"),
    ("logs.example.com:514", "unsupported drain URL"),
    ("syslog://:514", "has no host"),
    ("syslog://logs.example.com:99999", "bad host or port"),
    ("syslog://logs.example.com:514/path", "takes only a host and a port"),
    ("syslog://user:pw@logs.example.com:514", "takes only a host and a port"),
    ("https://logs.example.com/a b", "spaces or control characters"),
    ("https://" + "a" * 2050, "at most 2048"),
])
def test_bad_drain_urls_are_refused_clearly(url, fragment):
    with pytest.raises(InvalidParams) as caught:
        parse_drain_url(url)
    assert fragment in caught.value.message


def test_credentials_never_show():
    assert redact_url("https://user:secret@logs.example.com/x?y=1") == "https://***@logs.example.com/x?y=1"
    assert redact_url("syslog://logs.example.com:514") == "syslog://logs.example.com:514"
    assert drain_label("https://user:secret@logs.example.com:8443/x?key=abc") == "https://logs.example.com:8443"
    with pytest.raises(InvalidParams) as caught:
        parse_drain_url("ftp://user:secret@logs.example.com")
    assert "secret" not in caught.value.message


def test_rfc5424_message_as_heroku_frames_it():
    message = syslog_message(line("hello wörld"), TOKEN)
    assert message == (f"<190>1 2026-11-23T23:50:01.123456+00:00 {TOKEN} app web.1 - - hello wörld"
                       ).encode()
    assert octet_frame(message) == str(len(message)).encode() + b" " + message
    assert len("hello wörld".encode()) != len("hello wörld")  # the count is of bytes


def test_priorities_and_nil_fields():
    assert priority(line("x")) == 190  # local7.info
    assert priority(line("x", "platform", "router")) == 158  # local3.info
    assert priority(line("x", "platform", "api")) == 134  # local0.info
    odd = syslog_message(LogLine("demo", WHEN, "app", "", "x"), "")
    assert odd.endswith(b" - app - - - x")


def test_frames_concatenate_and_split_back():
    data = syslog_frames([line("one"), line("two\nlines")], TOKEN)
    messages, at = [], 0
    while at < len(data):
        space = data.index(b" ", at)
        length = int(data[at:space])
        messages.append(data[space + 1:space + 1 + length])
        at = space + 1 + length
    assert [m.rsplit(b" - - ", 1)[1] for m in messages] == [b"one", b"two\nlines"]


def test_backoff_grows_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(50) == 30


class StalledSender:
    def __init__(self) -> None:
        self.up = False
        self.batches: list[list[LogLine]] = []

    def send(self, lines):
        if not self.up:
            raise SendFailed("logs.example.com:514: ConnectionRefusedError")
        self.batches.append(list(lines))

    def close(self):
        pass


class Events:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str, str]] = []

    def publish(self, lines, cursors=()):
        pass

    def event(self, app, text, process="api"):
        self.lines.append((app, process, text))


def test_a_stalled_receiver_makes_drops_that_are_counted_and_reported_now_and_then():
    clock = [100.0]
    events, sender = Events(), StalledSender()
    drain = LogDrain("id-1", "demo", "syslog://user:pw@logs.example.com:514", TOKEN, WHEN)
    worker = DrainWorker(drain, subscription=None, sender=sender, logs=events,
                         report_seconds=10, monotonic=lambda: clock[0])
    worker.receive([line("a"), line("b")])
    assert worker.send_batch() is False  # receiver down: lines stay pending
    # Meanwhile the hub's bounded queue overflowed twice.
    worker.receive([GapLine("demo", WHEN, "platform", "logs", "gap", 700), line("c")])
    worker.receive([GapLine("demo", WHEN, "platform", "logs", "gap", 300)])
    worker.report_drops()
    assert events.lines == []  # not yet: at most one report per interval
    clock[0] += 10
    worker.report_drops()
    worker.report_drops()
    assert len(events.lines) == 1
    app, process, text = events.lines[0]
    assert (app, process) == ("demo", "drain")
    assert text.startswith(f"1000 lines dropped for drain {TOKEN} (syslog://logs.example.com:514)")
    assert "pw" not in text
    sender.up = True
    assert worker.send_batch() is True
    assert [sent.text for sent in sender.batches[0]] == ["a", "b", "c"]  # gap markers are not sent
    assert (worker.sent, worker.dropped) == (3, 1000)
