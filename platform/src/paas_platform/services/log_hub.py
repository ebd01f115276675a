"""LogHub: the one place log lines enter. It stores them (with the collector's
cursors, in one transaction), fans them out to live readers and keeps each
app's lines within the retention caps.

Readers get a bounded queue each: when a reader falls behind, its oldest
queued lines are dropped and it is told how many with a gap line, so a slow
reader never blocks a publisher, the collector or other readers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable, Iterator, Protocol, Sequence

from paas_platform.domain.logs import LogCursor, LogLine, LogQuery, gap_text, matches, text_lines
from paas_platform.services.clock import Clock, utc_now
from paas_platform.store import Store

log = logging.getLogger("paas.logs")

DEFAULT_MAX_LINES = 10_000
DEFAULT_MAX_AGE = 7 * 86400
# A reader may hold this many undelivered lines before the oldest are dropped.
SUBSCRIBER_QUEUE_LINES = 10_000
# Prune an app when this share of its cap was written since its last prune, or
# after PRUNE_SECONDS; never per line.
PRUNE_FRACTION = 10
PRUNE_SECONDS = 60.0
# A reader whose queue is full and that has not asked for lines this long is gone
# (its stream ended without closing): the next publish closes it.
ABANDONED_SECONDS = 300.0


class LogSink(Protocol):
    """What services need to write to the log stream."""

    def publish(self, lines: Sequence[LogLine], cursors: Sequence[LogCursor] = ()) -> None: ...

    def event(self, app: str, text: str, process: str = "api") -> None: ...

    def write(self, app: str, source: str, process: str, text: str) -> None: ...


class NullLogSink:
    """Drops everything: for services built without a hub (unit tests)."""

    def publish(self, lines: Sequence[LogLine], cursors: Sequence[LogCursor] = ()) -> None:
        return None

    def event(self, app: str, text: str, process: str = "api") -> None:
        return None

    def write(self, app: str, source: str, process: str, text: str) -> None:
        return None


NULL_LOGS = NullLogSink()


@dataclass(frozen=True)
class GapLine(LogLine):
    """Stands in for lines a reader missed; renders as `platform[logs]: N lines skipped ...`."""

    skipped: int = 0


class Subscription:
    """One live reader's bounded queue of lines for one app."""

    def __init__(self, hub: "LogHub", app: str, query: LogQuery, capacity: int, clock: Clock) -> None:
        self.app = app
        self.query = query
        self._hub = hub
        self._capacity = capacity
        self._clock = clock
        self._lines: deque[LogLine] = deque()
        self._skipped = 0
        self._closed = False
        self._cond = threading.Condition()
        self._waker: Callable[[], None] | None = None
        self._last_read = time.monotonic()
        self.total_skipped = 0

    def on_ready(self, waker: Callable[[], None]) -> None:
        """Also call `waker` (from the publisher's thread) whenever lines arrive or the
        subscription closes: lets an event loop wait without holding a thread."""
        self._waker = waker

    def offer(self, lines: Sequence[LogLine]) -> None:
        """Called by the publisher: never waits for the reader."""
        if (len(self._lines) >= self._capacity
                and time.monotonic() - self._last_read > ABANDONED_SECONDS):
            self.close()
            return
        with self._cond:
            if self._closed:
                return
            for line in lines:
                if len(self._lines) >= self._capacity:
                    self._lines.popleft()
                    self._skipped += 1
                    self.total_skipped += 1
                self._lines.append(line)
            self._cond.notify()
        self._wake()

    def get(self, timeout: float | None = None) -> list[LogLine]:
        """The queued lines (a GapLine first if some were dropped); [] on timeout or close."""
        with self._cond:
            if not self._lines and not self._skipped and not self._closed:
                self._cond.wait(timeout)
            self._last_read = time.monotonic()
            batch: list[LogLine] = []
            if self._skipped:
                batch.append(self._gap(self._skipped))
                self._skipped = 0
            batch.extend(self._lines)
            self._lines.clear()
            return batch

    def __iter__(self) -> Iterator[list[LogLine]]:
        """Batches until the subscription is closed and drained."""
        while True:
            batch = self.get(timeout=1.0)
            if batch:
                yield batch
            elif self.closed:
                return

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._hub._unsubscribe(self)
        self._wake()

    def _wake(self) -> None:
        if self._waker is not None:
            try:
                self._waker()
            except Exception:  # noqa: BLE001 - the reader's loop is gone; it is closing
                pass

    def _gap(self, skipped: int) -> GapLine:
        return GapLine(self.app, self._clock(), "platform", "logs", gap_text(skipped), skipped)

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LogHub:
    def __init__(
        self,
        store: Store,
        max_lines: int = DEFAULT_MAX_LINES,
        max_age: int = DEFAULT_MAX_AGE,
        clock: Clock = utc_now,
        queue_lines: int = SUBSCRIBER_QUEUE_LINES,
    ) -> None:
        self._store = store
        self._max_lines = max_lines
        self._max_age = timedelta(seconds=max_age)
        self._clock = clock
        self._queue_lines = queue_lines
        # Held while lines are stored and handed to readers, and while a reader
        # reads its history and subscribes: the seam between the two is exact.
        self._publish_lock = threading.Lock()
        self._subscribers: dict[str, list[Subscription]] = {}
        self._subscribers_lock = threading.Lock()
        self._written_since_prune: dict[str, int] = {}
        self._last_prune: dict[str, float] = {}
        self._stopped = False

    # -- writing ---------------------------------------------------------

    def publish(self, lines: Sequence[LogLine], cursors: Sequence[LogCursor] = ()) -> None:
        """Store the lines and the cursors in one transaction, then hand the lines
        to live readers. Raises StoreUnavailable if the store is down (nothing stored)."""
        if not lines and not cursors:
            return
        with self._publish_lock:
            with self._store.transaction(write=True) as tx:
                tx.logs.append(lines)
                tx.logs.upsert_cursors(cursors)
            self._fan_out(lines)
        self._prune_if_due(lines)

    def event(self, app: str, text: str, process: str = "api") -> None:
        """A platform line about `app`, now. Never raises: the change it reports is done."""
        self.write(app, "platform", process, text)

    def write(self, app: str, source: str, process: str, text: str) -> None:
        """Lines of `text`, now. Never raises: a lost line must not fail what it reports."""
        try:
            self.publish(text_lines(app, self._clock(), source, process, text))
        except Exception as exc:  # noqa: BLE001
            log.warning("could not store a log line for %s: %s", app, type(exc).__name__)

    def cursor(self, container_id: str) -> LogCursor | None:
        with self._store.transaction() as tx:
            return tx.logs.cursor(container_id)

    def cursor_ids(self) -> list[str]:
        """Every container with a stored cursor (to forget those that vanished)."""
        with self._store.transaction() as tx:
            return tx.logs.cursor_ids()

    def forget_cursors(self, container_ids: Iterable[str]) -> None:
        ids = list(container_ids)
        if ids:
            with self._store.transaction(write=True) as tx:
                tx.logs.delete_cursors(ids)

    # -- reading ---------------------------------------------------------

    def history(self, app: str, query: LogQuery) -> list[LogLine]:
        """The last `query.num` stored lines matching the query, oldest first."""
        with self._store.transaction() as tx:
            return tx.logs.query(app, query, not_before=self._oldest_kept())

    def subscribe(self, app: str, query: LogQuery) -> Subscription:
        """A live reader of lines published from now on that match the query."""
        subscription = Subscription(self, app, query, self._queue_lines, self._clock)
        with self._subscribers_lock:
            if not self._stopped:
                self._subscribers.setdefault(app, []).append(subscription)
                return subscription
        subscription.close()  # the hub has stopped: the stream ends at once
        return subscription

    def history_and_subscribe(self, app: str, query: LogQuery) -> tuple[list[LogLine], Subscription]:
        """History, then a subscription starting exactly after it: no line lost or doubled."""
        with self._publish_lock:
            return self.history(app, query), self.subscribe(app, query)

    def reader_count(self, app: str) -> int:
        """How many live readers follow `app` now."""
        with self._subscribers_lock:
            return len(self._subscribers.get(app, []))

    # -- retention and lifecycle -----------------------------------------

    def prune(self, app: str) -> int:
        """Apply the caps to one app now; return how many lines went."""
        with self._store.transaction(write=True) as tx:
            removed = tx.logs.prune(app, self._max_lines, self._oldest_kept())
        self._written_since_prune[app] = 0
        self._last_prune[app] = time.monotonic()
        return removed

    def prune_all(self) -> int:
        """Apply the caps to every app (at start-up: apps that have gone quiet too)."""
        with self._store.transaction() as tx:
            apps = tx.logs.apps_with_lines()
        return sum(self.prune(app) for app in apps)

    def forget_app(self, app: str) -> None:
        """Drop an app's lines, drains and readers (the app is being destroyed)."""
        with self._store.transaction(write=True) as tx:
            tx.logs.delete_app(app)
        with self._subscribers_lock:
            readers = self._subscribers.pop(app, [])
        for reader in readers:
            reader.close()

    def stop(self) -> None:
        """Close every reader; streams then end."""
        with self._subscribers_lock:
            self._stopped = True
            readers = [reader for group in self._subscribers.values() for reader in group]
            self._subscribers.clear()
        for reader in readers:
            reader.close()

    @property
    def stopped(self) -> bool:
        return self._stopped

    # -- internals -------------------------------------------------------

    def _oldest_kept(self) -> datetime:
        return self._clock() - self._max_age

    def _fan_out(self, lines: Sequence[LogLine]) -> None:
        with self._subscribers_lock:
            if not self._subscribers:
                return
            readers = {app: list(group) for app, group in self._subscribers.items()}
        by_app: dict[str, list[LogLine]] = {}
        for line in lines:
            if line.app in readers:
                by_app.setdefault(line.app, []).append(line)
        for app, app_lines in by_app.items():
            for reader in readers[app]:
                wanted = [line for line in app_lines if matches(line, reader.query)]
                if wanted:
                    reader.offer(wanted)

    def _unsubscribe(self, subscription: Subscription) -> None:
        with self._subscribers_lock:
            group = self._subscribers.get(subscription.app, [])
            if subscription in group:
                group.remove(subscription)
            if not group:
                self._subscribers.pop(subscription.app, None)

    def _prune_if_due(self, lines: Sequence[LogLine]) -> None:
        counts: dict[str, int] = {}
        for line in lines:
            counts[line.app] = counts.get(line.app, 0) + 1
        now = time.monotonic()
        threshold = max(1, self._max_lines // PRUNE_FRACTION)
        for app, count in counts.items():
            written = self._written_since_prune.get(app, 0) + count
            self._written_since_prune[app] = written
            last = self._last_prune.setdefault(app, now)
            if written >= threshold or now - last >= PRUNE_SECONDS:
                try:
                    self.prune(app)
                except Exception as exc:  # noqa: BLE001 - retried on the next publish
                    log.warning("could not prune the logs of %s: %s", app, type(exc).__name__)
