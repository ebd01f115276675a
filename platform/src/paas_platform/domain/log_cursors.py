"""How far a container's output has been collected, and where to pick it up again.

The engine stamps every line it keeps with a nanosecond time (RFC3339Nano) and can
replay a container's output from a whole second on (`since`). A cursor holds the
latest stamp collected and how many collected lines fall in that stamp's second. To
resume, read from the start of that second and skip exactly that many lines: they
are the first ones the engine replays, because lines are collected in the order the
engine keeps them. Counting lines from the start of the second (rather than lines
with exactly the last stamp) stays exact when stdout and stderr lines are kept
slightly out of time order. Pure: no I/O.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, TypeVar

from paas_platform.domain.logs import LogCursor

Entry = tuple[str, int, str]  # (engine time, stream, text), as runtime/log_stream.py yields
E = TypeVar("E", bound=tuple)


@dataclass(frozen=True)
class Stamp:
    """An engine timestamp split into whole seconds since the epoch and nanoseconds."""

    second: int
    nanos: int

    @property
    def moment(self) -> datetime:
        """Aware UTC, to the microsecond."""
        return _second_start(self.second).replace(microsecond=self.nanos // 1000)


def parse_stamp(text: str) -> Stamp:
    """`2026-11-23T23:50:01.123456789Z` (trailing zeros of the fraction may be cut, or
    the fraction missing) -> Stamp. ValueError when it is not such a time."""
    if not text.endswith("Z"):
        raise ValueError(f"not an engine timestamp: {text!r}")
    head, _, fraction = text[:-1].partition(".")
    if not fraction.isdigit() and fraction != "":
        raise ValueError(f"not an engine timestamp: {text!r}")
    return Stamp(_epoch_second(head), int(fraction[:9].ljust(9, "0")) if fraction else 0)


_last_second: tuple[str, int] = ("", 0)
_last_start: tuple[int, datetime] = (0, datetime.fromtimestamp(0, timezone.utc))


def _second_start(second: int) -> datetime:
    global _last_start
    cached, start = _last_start
    if cached != second:
        start = datetime.fromtimestamp(second, timezone.utc)
        _last_start = (second, start)
    return start


def _epoch_second(head: str) -> int:
    # Thousands of lines share a second: remember the last one parsed (one tuple,
    # swapped whole, so threads never see a head with another head's second).
    global _last_second
    cached_head, second = _last_second
    if head != cached_head:
        whole = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S")
        second = calendar.timegm(whole.timetuple())
        _last_second = (head, second)
    return second


def resume_since(cursor: LogCursor | None) -> str:
    """The engine's `since` for a read that picks up after `cursor` ("0": from the start)."""
    if cursor is None:
        return "0"
    return str(parse_stamp(cursor.timestamp).second)


class CursorTracker:
    """One container's cursor while its output is read: drops what the cursor says is
    already collected and moves the cursor over what is new."""

    def __init__(self, container_id: str, cursor: LogCursor | None, app: str = "") -> None:
        self.container_id = container_id
        self.app = app
        self.cursor = cursor
        self._latest = parse_stamp(cursor.timestamp) if cursor else None
        self._in_second = cursor.repeats if cursor else 0
        self._to_skip = 0

    def start_read(self) -> str:
        """A read is starting from resume_since(cursor): its first lines are known ones."""
        self._to_skip = self._in_second
        return resume_since(self.cursor)

    def take(self, entries: Iterable[E]) -> list[tuple[E, Stamp]]:
        """The entries not collected before, each with its parsed stamp; the cursor
        then covers them. Entries whose time cannot be read are kept, stamped with
        the latest time seen (they do not move the cursor)."""
        fresh: list[tuple[E, Stamp]] = []
        for entry in entries:
            if self._to_skip:
                self._to_skip -= 1
                continue
            try:
                stamp = parse_stamp(entry[0])
            except ValueError:
                fresh.append((entry, self._latest or Stamp(0, 0)))
                continue
            fresh.append((entry, stamp))
            latest = self._latest
            if latest is None or stamp.second > latest.second:
                self._latest, self._in_second, text = stamp, 1, entry[0]
            elif stamp.second == latest.second:
                self._in_second += 1
                if stamp.nanos > latest.nanos:
                    self._latest, text = stamp, entry[0]
                else:
                    text = self.cursor.timestamp if self.cursor else entry[0]
            else:
                continue  # an earlier second: a replay from the latest second skips it anyway
            self.cursor = LogCursor(self.container_id, text, self._in_second, self.app)
        return fresh
