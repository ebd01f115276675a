"""The collector's pure parts: engine timestamps, resuming from a cursor without losing or
repeating lines, the timestamped frame decoder, and container labels -> dyno names."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from paas_platform.domain.log_cursors import CursorTracker, Stamp, parse_stamp, resume_since
from paas_platform.domain.logs import LogCursor
from paas_platform.runtime.log_collector import dyno_identity
from paas_platform.runtime.log_stream import TimestampedDecoder


def test_engine_stamps_parse_with_cut_or_missing_fractions():
    assert parse_stamp("1970-01-01T00:00:01.5Z") == Stamp(1, 500_000_000)
    assert parse_stamp("2026-11-23T23:50:01.123456789Z").nanos == 123_456_789
    assert parse_stamp("2026-11-23T23:50:01Z").nanos == 0
    moment = parse_stamp("2026-11-23T23:50:01.123456789Z").moment
    assert moment == datetime(2026, 11, 23, 23, 50, 1, 123456, tzinfo=timezone.utc)
    for bad in ("2026-11-23T23:50:01", "yesterday", "2026-11-23T23:50:01.12x4Z"):
        with pytest.raises(ValueError):
            parse_stamp(bad)


def stamp(second: int, nanos: int = 0) -> str:
    base = datetime.fromtimestamp(1_764_000_000 + second, timezone.utc)
    return base.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


def replay(log: list[tuple[str, int, str]], since: str) -> list[tuple[str, int, str]]:
    """What the engine sends for `since` (whole seconds): lines at or after it, in order."""
    return [entry for entry in log if parse_stamp(entry[0]).second >= int(since)]


def collect(log, cursor, upto=None):
    tracker = CursorTracker("c1", cursor, "demo")
    since = tracker.start_read()
    entries = replay(log, since)[:upto]
    return [entry for entry, _ in tracker.take(entries)], tracker.cursor


def test_a_fresh_container_is_read_from_the_start():
    assert resume_since(None) == "0"
    log = [(stamp(0, 5), 1, "a"), (stamp(1, 7), 1, "b")]
    taken, cursor = collect(log, None)
    assert [text for _, _, text in taken] == ["a", "b"]
    assert cursor == LogCursor("c1", stamp(1, 7), 1, "demo")


@pytest.mark.parametrize("cut", range(0, 9))
def test_resuming_anywhere_neither_loses_nor_repeats(cut):
    # Lines in the engine's order; stderr lines kept slightly out of time order, and
    # several lines sharing one stamp.
    log = [(stamp(0, 10), 1, "0"), (stamp(0, 30), 1, "1"), (stamp(0, 20), 2, "2"),
           (stamp(1, 5), 1, "3"), (stamp(1, 5), 1, "4"), (stamp(1, 1), 2, "5"),
           (stamp(2, 0), 1, "6"), (stamp(2, 0), 1, "7")]
    first, cursor = collect(log, None, upto=cut)
    rest, _ = collect(log, cursor)
    assert [text for _, _, text in first + rest] == [str(n) for n in range(8)]


def test_the_cursor_counts_lines_of_its_second_and_keeps_the_latest_stamp():
    log = [(stamp(3, 50), 1, "a"), (stamp(3, 40), 2, "b"), (stamp(3, 60), 1, "c")]
    _, cursor = collect(log, None)
    assert cursor == LogCursor("c1", stamp(3, 60), 3, "demo")
    assert resume_since(cursor) == str(1_764_000_003)


def test_a_second_read_in_the_same_process_skips_what_the_first_took():
    log = [(stamp(0, 1), 1, "a"), (stamp(0, 2), 1, "b")]
    tracker = CursorTracker("c1", None)
    tracker.take(replay(log, tracker.start_read()))
    log.append((stamp(0, 3), 1, "c"))
    again = tracker.take(replay(log, tracker.start_read()))
    assert [entry[2] for entry, _ in again] == ["c"]


def frame(stream: int, payload: bytes) -> bytes:
    body = bytes([stream, 0, 0, 0]) + len(payload).to_bytes(4, "big") + payload
    return f"{len(body):x}\r\n".encode() + body + b"\r\n"


def test_the_decoder_splits_stamps_and_joins_lines_the_engine_cut():
    decoder = TimestampedDecoder()
    data = (frame(1, b"2026-11-23T23:50:01.1Z hello\n")
            + frame(2, b"2026-11-23T23:50:01.2Z first half ")
            + frame(1, b"2026-11-23T23:50:01.3Z out\n")
            + frame(2, b"2026-11-23T23:50:01.4Z second half\n")
            + frame(1, b"2026-11-23T23:50:01.5Z no newline at exit") + b"0\r\n\r\n")
    # Fed in awkward pieces: chunk headers and frames split across reads.
    entries = []
    for at in range(0, len(data), 7):
        entries += decoder.feed_entries(data[at:at + 7])
    assert decoder.finished
    entries += decoder.flush()
    assert entries == [
        ("2026-11-23T23:50:01.1Z", 1, "hello"),
        ("2026-11-23T23:50:01.3Z", 1, "out"),
        ("2026-11-23T23:50:01.4Z", 2, "first half second half"),
        ("2026-11-23T23:50:01.5Z", 1, "no newline at exit"),
    ]


def test_the_plain_decoder_still_gives_lines():
    from paas_platform.runtime.log_stream import LogStreamDecoder

    decoder = LogStreamDecoder()
    assert decoder.feed(frame(1, b"a\nb") + frame(1, b"c\n")) == ["a", "bc"]


def labels(**values: str) -> dict[str, str]:
    return {f"io.paas.{key}": value for key, value in values.items()}


def test_dyno_containers_map_to_app_and_dyno_name():
    assert dyno_identity(labels(role="dyno", app="demo", dyno="web.2")) == ("demo", "web.2")
    assert dyno_identity(labels(role="dyno", app="demo", process_type="worker",
                                number="3")) == ("demo", "worker.3")
    assert dyno_identity(labels(role="oneoff", app="demo", dyno="run.4711")) is None
    assert dyno_identity(labels(role="router")) is None
    assert dyno_identity(labels(role="dyno", dyno="web.1")) is None
