"""Log lines: the per-app stream's vocabulary, pure.

One line is (app, UTC time, source, process, text). `source` says who wrote it:
"app" for what a dyno printed, "platform" for what the platform says about the
app (events, build output, router). Lines are ordered by (timestamp, store id),
so lines written in the same microsecond keep the order they were stored in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from paas_platform.domain.errors import InvalidParams

SOURCES = ("app", "platform")
MAX_LINE_BYTES = 10_000
DEFAULT_NUM = 100
MAX_NUM = 100_000

# "web.1", "release.3", "router", "api": a process type, optionally with a dyno number.
_PROCESS = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}(\.[0-9]{1,9})?$")
_RELATIVE = re.compile(r"^([0-9]{1,9})([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class LogLine:
    app: str
    timestamp: datetime  # timezone-aware UTC
    source: str  # "app" | "platform"
    process: str  # "web.1", "release.3", "router", "api", "build", ...
    text: str  # one line, no newline, at most MAX_LINE_BYTES of UTF-8

    def render(self) -> str:
        """`2026-11-23T23:50:01.123456+00:00 app[web.1]: text`"""
        return f"{format_timestamp(self.timestamp)} {self.source}[{self.process}]: {self.text}"


@dataclass(frozen=True)
class LogCursor:
    """How far one container's output has been collected: Docker's RFC3339Nano
    timestamp of the last stored line and how many stored lines carry exactly it."""

    container_id: str
    timestamp: str
    repeats: int
    app: str = ""  # whose container, so an app's cursors can go with it


@dataclass(frozen=True)
class LogDrain:
    """Where an app's lines are forwarded (syslog or HTTPS); the token names the drain."""

    id: str
    app: str
    url: str
    token: str
    created_at: datetime


@dataclass(frozen=True)
class LogQuery:
    num: int = DEFAULT_NUM
    dyno: str | None = None  # "web.1" exactly, or "web" = every web dyno
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds, always `+00:00`."""
    return to_utc(moment).isoformat(timespec="microseconds")


def to_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken as UTC already."""
    if moment.tzinfo is timezone.utc:  # the common case, for every collected line
        return moment
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def split_long_text(text: str, limit: int = MAX_LINE_BYTES) -> list[str]:
    """Cut `text` into pieces of at most `limit` UTF-8 bytes, never inside a character."""
    if limit < 4:
        raise ValueError("limit must leave room for one UTF-8 character")
    if len(text) * 4 <= limit:  # no character takes more than 4 bytes: short enough
        return [text]
    encoded = text.encode("utf-8", errors="replace")
    if len(encoded) <= limit:
        return [text]
    pieces: list[str] = []
    start = 0
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        # Back off continuation bytes (10xxxxxx) so the cut lands on a character start.
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:
            end -= 1
        pieces.append(encoded[start:end].decode("utf-8", errors="replace"))
        start = end
    return pieces


def app_lines(
    app: str, timestamp: datetime, source: str, process: str, text: str
) -> list[LogLine]:
    """Lines for one printed line: trailing CR/LF dropped, long text split."""
    stamp = to_utc(timestamp)
    cleaned = text.rstrip("\r\n")
    return [LogLine(app, stamp, source, process, piece) for piece in split_long_text(cleaned)]


def text_lines(
    app: str, timestamp: datetime, source: str, process: str, text: str
) -> list[LogLine]:
    """Lines for a block of text that may hold several lines (events, build output)."""
    lines: list[LogLine] = []
    for part in text.splitlines() or [""]:
        lines.extend(app_lines(app, timestamp, source, process, part))
    return lines


def parse_time_bound(text: str, now: datetime) -> datetime:
    """An ISO 8601 time (naive = UTC) or a relative age: "30s", "10m", "2h", "3d" ago."""
    value = text.strip() if isinstance(text, str) else ""
    relative = _RELATIVE.fullmatch(value)
    if relative:
        seconds = int(relative.group(1)) * _UNIT_SECONDS[relative.group(2)]
        try:
            return to_utc(now) - timedelta(seconds=seconds)
        except OverflowError:
            raise InvalidParams(f"time {text!r} is too far back") from None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise InvalidParams(
            f"invalid time {text!r}: use ISO 8601 (2026-11-23T23:50:01Z) "
            "or an age like 30s, 10m, 2h, 3d"
        ) from None
    return to_utc(moment)


def validate_query(
    num: int | None = None,
    dyno: str | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    *,
    now: datetime,
) -> LogQuery:
    """Build a LogQuery from request parameters, or raise InvalidParams."""
    count = DEFAULT_NUM if num is None else num
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_NUM:
        raise InvalidParams(f"num must be a whole number from 1 to {MAX_NUM}")
    if dyno is not None and dyno != "" and not _PROCESS.fullmatch(dyno):
        raise InvalidParams(f"invalid dyno {dyno!r}: use a process type (web) or a dyno (web.1)")
    if source is not None and source != "" and source not in SOURCES:
        raise InvalidParams(f"invalid source {source!r}: use one of {', '.join(SOURCES)}")
    since_at = parse_time_bound(since, now) if since else None
    until_at = parse_time_bound(until, now) if until else None
    if since_at and until_at and since_at > until_at:
        raise InvalidParams("since must not be after until")
    return LogQuery(count, dyno or None, source or None, since_at, until_at)


def dyno_matches(process: str, dyno: str | None) -> bool:
    """"web" matches web.1, web.2 and a bare "web"; "web.1" matches only itself."""
    if not dyno:
        return True
    if "." in dyno:
        return process == dyno
    return process == dyno or process.startswith(dyno + ".")


def matches(line: LogLine, query: LogQuery) -> bool:
    if query.source and line.source != query.source:
        return False
    if not dyno_matches(line.process, query.dyno):
        return False
    if query.since and line.timestamp < query.since:
        return False
    if query.until and line.timestamp > query.until:
        return False
    return True


def gap_text(skipped: int) -> str:
    return f"{skipped} lines skipped: this reader fell behind"


def release_text(version: int, user: str, description: str) -> str:
    """`Release v7 created by admin: Set FOO config vars` (descriptions carry keys only)."""
    return f"Release v{version} created by {user}: {description}"
