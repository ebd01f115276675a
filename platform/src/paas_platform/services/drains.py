"""Log drains: an app's stream forwarded to syslog or HTTPS receivers.

DrainService is the API's use case (list, add, remove; at most five per app, each
URL once). DrainManager runs one DrainWorker per drain: a live reader of the log
hub (a bounded queue that never holds up the platform) and a sender thread that
delivers batches, reconnecting with back-off while the receiver is away. Lines the
queue had to drop meanwhile are counted and reported in the app's own stream now
and then (`platform[drain]: N lines dropped for drain d.…`), never per line.
Drain URLs appear in the platform's log with their host only: paths, query
strings and user:password@ may hold credentials.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Callable, Protocol

from paas_platform.domain.drains import (
    MAX_DRAINS_PER_APP, drain_label, dropped_text, parse_drain_url, redact_url,
)
from paas_platform.domain.errors import InvalidParams, NotFound, PaasError
from paas_platform.domain.logs import LogDrain, LogLine, LogQuery
from paas_platform.services.clock import Clock, utc_now
from paas_platform.services.drain_senders import Sender, SendFailed, sender_for
from paas_platform.services.log_hub import GapLine, LogHub, LogSink, NULL_LOGS
from paas_platform.store import Store

log = logging.getLogger("paas.drains")

BATCH_LINES = 500  # per syslog write or HTTPS POST
REPORT_SECONDS = 10.0
SYNC_SECONDS = 10.0  # at most one "lines dropped" line per drain this often
MAX_BACKOFF_SECONDS = 30.0


def backoff(failures: int) -> float:
    """1, 2, 4, ... seconds after consecutive failures, capped."""
    return min(MAX_BACKOFF_SECONDS, 2.0 ** max(0, failures - 1))


class DrainWorker:
    """One drain: reads its subscription, sends in batches, counts what was dropped."""

    def __init__(self, drain: LogDrain, subscription, sender: Sender, logs: LogSink,
                 report_seconds: float = REPORT_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.drain = drain
        self._subscription = subscription
        self._sender = sender
        self._logs = logs
        self._report_seconds = report_seconds
        self._monotonic = monotonic
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pending: list[LogLine] = []
        self._last_report = monotonic()
        self.sent = 0
        self.dropped = 0  # in all
        self._unreported = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"drain-{self.drain.token[:10]}",
                                        daemon=True)
        self._thread.start()

    @property
    def alive(self) -> bool:
        """False once it stopped, or ended because its app's stream closed (app destroyed)."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        self._subscription.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._sender.close()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            if not self._pending:
                if self._subscription.closed:
                    return  # the hub stopped, or the app was destroyed
                self.receive(self._subscription.get(timeout=1.0))
            self.report_drops()
            if not self._pending:
                continue
            if self.send_batch():
                if failures:
                    log.info("drain %s delivers again", self._name())
                failures = 0
            else:
                failures += 1
                self._stop.wait(backoff(failures))

    def receive(self, batch: list[LogLine]) -> None:
        for line in batch:
            if isinstance(line, GapLine):
                self.dropped += line.skipped
                self._unreported += line.skipped
            else:
                self._pending.append(line)

    def send_batch(self) -> bool:
        """Send the oldest pending lines; False (and they stay pending) on failure."""
        chunk = self._pending[:BATCH_LINES]
        try:
            self._sender.send(chunk)
        except SendFailed as exc:
            log.warning("drain %s of %s: delivery failed (%s); retrying", self._name(),
                        self.drain.app, exc)
            return False
        del self._pending[:len(chunk)]
        self.sent += len(chunk)
        return True

    def report_drops(self) -> None:
        if not self._unreported:
            return
        if self._monotonic() - self._last_report < self._report_seconds:
            return
        count, self._unreported = self._unreported, 0
        self._last_report = self._monotonic()
        self._logs.event(self.drain.app, dropped_text(count, self.drain.token, self.drain.url),
                         process="drain")

    def _name(self) -> str:
        return f"{self.drain.token} ({drain_label(self.drain.url)})"


class DrainRunner(Protocol):
    def added(self, drain: LogDrain) -> None: ...

    def removed(self, drain: LogDrain) -> None: ...


class DrainManager:
    """Every drain's worker, started for the stored drains and as drains come and go.
    Every SYNC_SECONDS it also compares its workers with the stored drains, so drains
    that went with a destroyed app stop (and any it missed start)."""

    def __init__(self, store: Store, hub: LogHub, extra_ca_file: Path | None = None,
                 make_sender: Callable[[LogDrain], Sender] | None = None,
                 report_seconds: float = REPORT_SECONDS,
                 sync_seconds: float = SYNC_SECONDS) -> None:
        self._store = store
        self._sync_seconds = sync_seconds
        self._stopping = threading.Event()
        self._hub = hub
        self._make_sender = make_sender or (lambda drain: sender_for(
            parse_drain_url(drain.url), drain.token, extra_ca_file))
        self._report_seconds = report_seconds
        self._workers: dict[str, DrainWorker] = {}
        self._lock = threading.Lock()

    def start(self) -> int:
        """Start the stored drains, then keep them in step; how many there are."""
        count = self.sync()
        threading.Thread(target=self._sync_loop, name="drains-sync", daemon=True).start()
        return count

    def sync(self) -> int:
        with self._store.transaction() as tx:
            drains = tx.logs.drains()
        stored = {drain.id for drain in drains}
        with self._lock:
            gone = [w.drain for w in self._workers.values() if w.drain.id not in stored]
        for drain in gone:
            self.removed(drain)
        for drain in drains:
            self.added(drain)
        return len(drains)

    def _sync_loop(self) -> None:
        while not self._stopping.wait(self._sync_seconds):
            try:
                self.sync()
            except PaasError as exc:
                log.warning("drains not compared with the store: %s", exc.message)

    def added(self, drain: LogDrain) -> None:
        with self._lock:
            if drain.id in self._workers and self._workers[drain.id].alive:
                return
            try:
                sender = self._make_sender(drain)
            except (InvalidParams, OSError) as exc:
                log.warning("drain %s of %s not started: %s", drain.token, drain.app, exc)
                return
            worker = DrainWorker(drain, self._hub.subscribe(drain.app, LogQuery()), sender,
                                 self._hub, self._report_seconds)
            self._workers[drain.id] = worker
        worker.start()
        log.info("drain %s (%s) of %s started", drain.token, drain_label(drain.url), drain.app)

    def removed(self, drain: LogDrain) -> None:
        with self._lock:
            worker = self._workers.pop(drain.id, None)
        if worker is not None:
            worker.stop()

    def running(self) -> list[LogDrain]:
        with self._lock:
            return [worker.drain for worker in self._workers.values() if worker.alive]

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            workers = list(self._workers.values())
            self._workers.clear()
        for worker in workers:
            worker.stop()


class NullDrainRunner:
    """Drains are stored but nothing is sent (API tests)."""

    def added(self, drain: LogDrain) -> None:
        return None

    def removed(self, drain: LogDrain) -> None:
        return None


class DrainService:
    def __init__(self, store: Store, runner: DrainRunner | None = None,
                 logs: LogSink = NULL_LOGS, clock: Clock = utc_now) -> None:
        self._store = store
        self._runner = runner or NullDrainRunner()
        self._logs = logs
        self._clock = clock

    def list(self, app_name: str) -> list[LogDrain]:
        with self._store.transaction() as tx:
            app = tx.apps.get(app_name)
            return tx.logs.drains(app.name)

    def add(self, app_name: str, url: object, user: str) -> LogDrain:
        target = parse_drain_url(url)
        with self._store.transaction(write=True) as tx:
            app = tx.apps.get(app_name, lock=True)
            existing = tx.logs.drains(app.name)
            if len(existing) >= MAX_DRAINS_PER_APP and all(d.url != target.url for d in existing):
                raise InvalidParams(f"{app.name} already has {MAX_DRAINS_PER_APP} drains, the "
                                    "most an app may have; remove one first")
            drain = tx.logs.add_drain(app.name, target.url, self._clock())
        log.info("drain %s (%s) added to %s by %s", drain.token, drain_label(drain.url),
                 app_name, user)
        self._logs.event(app_name, f"Add drain {drain.token} ({drain_label(drain.url)}) by {user}")
        self._runner.added(drain)
        return drain

    def remove(self, app_name: str, id_or_url: str, user: str) -> LogDrain:
        with self._store.transaction(write=True) as tx:
            app = tx.apps.get(app_name, lock=True)
            drain = tx.logs.remove_drain(app.name, id_or_url.strip())
        if drain is None:
            raise NotFound(f"no drain {redact_url(id_or_url)!r} on {app_name}: give its id, token or URL "
                           "(paas drains lists them)")
        self._runner.removed(drain)
        log.info("drain %s (%s) removed from %s by %s", drain.token, drain_label(drain.url),
                 app_name, user)
        self._logs.event(app_name, f"Remove drain {drain.token} ({drain_label(drain.url)}) by {user}")
        return drain
