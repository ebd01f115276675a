"""Log line rules: rendering, splitting long lines, time bounds and filters (pure)."""

from datetime import datetime, timedelta, timezone

import pytest

from paas_platform.domain.errors import InvalidParams
from paas_platform.domain.logs import (
    LogLine, LogQuery, app_lines, matches, parse_time_bound, split_long_text, text_lines,
    validate_query,
)

NOW = datetime(2026, 11, 23, 23, 50, 1, 123456, tzinfo=timezone.utc)


def test_render_format():
    line = LogLine("demo", NOW, "app", "web.1", "hello")
    assert line.render() == "2026-11-23T23:50:01.123456+00:00 app[web.1]: hello"
    other_zone = NOW.astimezone(timezone(timedelta(hours=2))).replace(microsecond=0)
    assert LogLine("demo", other_zone, "platform", "api", "x").render() == (
        "2026-11-23T23:50:01.000000+00:00 platform[api]: x")


def test_short_text_is_one_piece():
    assert split_long_text("abc") == ["abc"]
    assert split_long_text("") == [""]


def test_split_at_10000_bytes():
    text = "a" * 25_000
    pieces = split_long_text(text)
    assert [len(p) for p in pieces] == [10_000, 10_000, 5_000]
    assert "".join(pieces) == text


def test_split_never_cuts_a_character():
    # 3-byte characters: 10,000 is not a multiple of 3, so a naive cut would break one.
    text = "€" * 4000  # 12,000 bytes
    pieces = split_long_text(text)
    assert all(len(p.encode()) <= 10_000 for p in pieces)
    assert "".join(pieces) == text
    assert len(pieces[0].encode()) == 9_999
    mixed = "a" + "😀" * 3000  # 1 + 12,000 bytes
    parts = split_long_text(mixed, limit=10_000)
    assert "".join(parts) == mixed and all(len(p.encode()) <= 10_000 for p in parts)


def test_app_lines_strips_line_endings_and_splits():
    lines = app_lines("demo", NOW, "app", "web.1", "x" * 10_001 + "\r\n")
    assert [len(line.text) for line in lines] == [10_000, 1]
    assert all(line.process == "web.1" and line.timestamp == NOW for line in lines)
    assert app_lines("demo", NOW, "app", "web.1", "ok\r")[0].text == "ok"


def test_text_lines_one_line_per_line():
    assert [line.text for line in text_lines("demo", NOW, "platform", "build", "a\nb\n")] == ["a", "b"]


@pytest.mark.parametrize("text,expected", [
    ("30s", NOW - timedelta(seconds=30)),
    ("10m", NOW - timedelta(minutes=10)),
    ("2h", NOW - timedelta(hours=2)),
    ("3d", NOW - timedelta(days=3)),
    ("2026-11-23T20:00:00Z", datetime(2026, 11, 23, 20, tzinfo=timezone.utc)),
    ("2026-11-23T20:00:00", datetime(2026, 11, 23, 20, tzinfo=timezone.utc)),
    ("2026-11-23T22:00:00+02:00", datetime(2026, 11, 23, 20, tzinfo=timezone.utc)),
    ("2026-11-23", datetime(2026, 11, 23, tzinfo=timezone.utc)),
])
def test_time_bounds(text, expected):
    assert parse_time_bound(text, NOW) == expected


@pytest.mark.parametrize("text", ["", "10", "10y", "-5m", "yesterday", "2026-13-01", "1.5h"])
def test_bad_time_bounds(text):
    with pytest.raises(InvalidParams):
        parse_time_bound(text, NOW)


def test_validate_query():
    query = validate_query(50, "web", "app", "10m", None, now=NOW)
    assert query == LogQuery(50, "web", "app", NOW - timedelta(minutes=10), None)
    assert validate_query(now=NOW) == LogQuery()


@pytest.mark.parametrize("args", [
    {"num": 0}, {"num": -1}, {"num": 100_001}, {"dyno": "Web 1"}, {"dyno": "web.x"},
    {"source": "router"}, {"since": "1h", "until": "2h"}, {"since": "soon"},
])
def test_bad_queries(args):
    with pytest.raises(InvalidParams):
        validate_query(**args, now=NOW)


def test_filters():
    web1 = LogLine("demo", NOW, "app", "web.1", "a")
    web12 = LogLine("demo", NOW, "app", "web.12", "b")
    worker = LogLine("demo", NOW, "app", "worker.1", "c")
    event = LogLine("demo", NOW, "platform", "api", "d")
    lines = [web1, web12, worker, event]
    assert [l for l in lines if matches(l, LogQuery(dyno="web"))] == [web1, web12]
    assert [l for l in lines if matches(l, LogQuery(dyno="web.1"))] == [web1]
    assert [l for l in lines if matches(l, LogQuery(source="platform"))] == [event]
    assert not matches(web1, LogQuery(since=NOW + timedelta(microseconds=1)))
    assert matches(web1, LogQuery(since=NOW, until=NOW))
    assert not matches(web1, LogQuery(until=NOW - timedelta(seconds=1)))
