"""LogCollector: every dyno's stdout and stderr, from the engine into the log hub.

Each dyno container of this platform instance is followed through the engine's
logs endpoint (runtime/log_stream.py, with the engine's timestamps) by a thread of
its own; each batch read becomes one publish of lines plus the container's cursor,
stored together. After a control-plane restart every container is read again from
its stored cursor (domain/log_cursors.py), so lines printed while the control plane
was down are collected (as far as the engine kept them: 10 MB x 3 files per
container) and none twice.

Containers are found at start, from the engine's events (a start: new dynos and
crash restarts) and by a periodic rescan in case an event was missed. A stopped
container's follower reads it to the end; `before_remove` lets the code that
removes containers wait (briefly) until that has happened, so the last lines of a
dyno that was stopped are not lost with its container.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Callable, Mapping, Protocol, Sequence

import docker
import requests

from paas_platform.domain.log_cursors import CursorTracker
from paas_platform.domain.logs import LogCursor, LogLine, app_lines
from paas_platform.runtime.engine import DEFAULT_TIMEOUT, INSTANCE_LABEL, LABEL_PREFIX
from paas_platform.runtime.log_stream import follow_entries

log = logging.getLogger("paas.logs.collector")

DYNO_ROLE = "dyno"
RESCAN_SECONDS = 5.0
DRAIN_SECONDS = 2.0  # how long before_remove waits for a stopped dyno's last lines
RETRY_SECONDS = 1.0
# Followers each hold a connection to the engine: more than docker-py's default pool.
POOL_SIZE = 512
ENGINE_ERRORS = (docker.errors.DockerException, requests.RequestException, OSError)


class CollectorSink(Protocol):
    """Where collected lines go (services/log_hub.py LogHub)."""

    def publish(self, lines: Sequence[LogLine], cursors: Sequence[LogCursor] = ()) -> None: ...

    def cursor(self, container_id: str) -> LogCursor | None: ...

    def forget_cursors(self, container_ids: Sequence[str]) -> None: ...

    def cursor_ids(self) -> list[str]: ...


def dyno_identity(labels: Mapping[str, str]) -> tuple[str, str] | None:
    """(app, process name such as web.1) of a dyno container, from its labels; None for
    a container that is not a dyno of an app."""
    if labels.get(f"{LABEL_PREFIX}.role") != DYNO_ROLE:
        return None
    app = labels.get(f"{LABEL_PREFIX}.app")
    name = labels.get(f"{LABEL_PREFIX}.dyno")
    if not name:
        ptype, number = labels.get(f"{LABEL_PREFIX}.process_type"), labels.get(f"{LABEL_PREFIX}.number")
        name = f"{ptype}.{number}" if ptype and number else None
    return (app, name) if app and name else None


def connect_for_logs() -> docker.DockerClient:
    """A client of its own, with a connection pool large enough for every follower."""
    return docker.from_env(timeout=DEFAULT_TIMEOUT, max_pool_size=POOL_SIZE)


@dataclass
class _Followed:
    """One container being (or once) followed."""

    container_id: str
    name: str  # the container's name, for the platform's own log
    app: str
    process: str
    tracker: CursorTracker | None = None
    thread: threading.Thread | None = None
    again: bool = False  # started again while its follower was finishing
    lock: threading.Lock = field(default_factory=threading.Lock)


class LogCollector:
    def __init__(self, connect: Callable[[], docker.DockerClient], instance: str,
                 sink: CollectorSink, rescan_seconds: float = RESCAN_SECONDS,
                 drain_seconds: float = DRAIN_SECONDS) -> None:
        self._connect = connect
        self._instance = instance
        self._sink = sink
        self._rescan_seconds = rescan_seconds
        self._drain_seconds = drain_seconds
        self._client: docker.DockerClient | None = None
        self._followed: dict[str, _Followed] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._events = None  # the engine's event stream, closed to stop its reader
        self._threads: list[threading.Thread] = []

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        self._client = self._connect()
        self.rescan()
        # Containers removed while the control plane was down leave cursors behind.
        with self._lock:
            known = set(self._followed)
        # Only container ids are ours: other readers keep cursors in the same table
        # under `kind:name` ids (the router's access log: `router:access.log`).
        stale = [cid for cid in self._sink.cursor_ids() if cid not in known and ":" not in cid]
        if stale:
            self._sink.forget_cursors(stale)
        for target, name in ((self._watch_events, "logs-events"), (self._rescan_loop, "logs-rescan")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop following. Followers blocked in a read are daemon threads: whatever they
        have not stored yet is read again from the cursor by the next start."""
        self._stop.set()
        events = self._events
        if events is not None:
            try:
                events.close()
            except Exception:  # noqa: BLE001 - already closed or broken
                pass
        for thread in self._threads:
            thread.join(timeout=5)

    # -- finding containers -------------------------------------------------------------

    def _filters(self) -> list[str]:
        return [f"{INSTANCE_LABEL}={self._instance}", f"{LABEL_PREFIX}.role={DYNO_ROLE}"]

    def rescan(self) -> None:
        """Follow every dyno not followed yet, follow running ones whose follower has
        finished, and forget the cursors of containers that are gone."""
        assert self._client is not None
        containers = self._client.containers.list(all=True, filters={"label": self._filters()})
        present = set()
        for container in containers:
            present.add(container.id)
            with self._lock:
                known = container.id in self._followed
            if not known or container.status in ("running", "restarting"):
                self._follow(container.id, container.name, container.labels)
        with self._lock:
            gone = [cid for cid, f in self._followed.items()
                    if cid not in present and not _alive(f.thread)]
        for container_id in gone:
            self._forget(container_id)

    def _rescan_loop(self) -> None:
        while not self._stop.wait(self._rescan_seconds):
            try:
                self.rescan()
            except ENGINE_ERRORS as exc:
                log.warning("could not list dynos to collect their logs: %s", exc)

    def _watch_events(self) -> None:
        assert self._client is not None
        filters = {"type": "container", "label": self._filters(), "event": ["start", "destroy"]}
        while not self._stop.is_set():
            try:
                self._events = self._client.events(decode=True, filters=filters)
                for event in self._events:
                    if self._stop.is_set():
                        return
                    self._on_event(event)
            except ENGINE_ERRORS as exc:
                if not self._stop.is_set():
                    log.warning("engine events interrupted (%s); rescanning meanwhile", exc)
            self._stop.wait(RETRY_SECONDS)

    def _on_event(self, event: dict) -> None:
        actor = event.get("Actor") or {}
        container_id = actor.get("ID") or event.get("id")
        attributes = actor.get("Attributes") or {}
        if not container_id:
            return
        if event.get("status", event.get("Action")) == "start":
            self._follow(container_id, attributes.get("name", container_id[:12]), attributes)
        else:  # destroy
            with self._lock:
                followed = self._followed.get(container_id)
            if followed is not None and not _alive(followed.thread):
                self._forget(container_id)

    def _forget(self, container_id: str) -> None:
        with self._lock:
            self._followed.pop(container_id, None)
        try:
            self._sink.forget_cursors([container_id])
        except Exception as exc:  # noqa: BLE001 - the next rescan tries again
            log.warning("could not forget the log cursor of a removed dyno: %s", type(exc).__name__)

    # -- following ---------------------------------------------------------------------

    def _follow(self, container_id: str, name: str, labels: Mapping[str, str]) -> _Followed | None:
        """Make sure a follower reads `container_id` (one at a time per container)."""
        identity = dyno_identity(labels)
        if identity is None or self._stop.is_set():
            return None
        with self._lock:
            followed = self._followed.get(container_id)
            if followed is None:
                followed = self._followed[container_id] = _Followed(container_id, name, *identity)
        with followed.lock:
            if _alive(followed.thread):
                followed.again = True  # it may be finishing a read that ended before this start
                return followed
            followed.again = False
            followed.thread = threading.Thread(target=self._run, args=(followed,),
                                               name=f"logs-{followed.process}", daemon=True)
            followed.thread.start()
        return followed

    def _run(self, followed: _Followed) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                if followed.tracker is None:
                    followed.tracker = CursorTracker(followed.container_id,
                                                     self._sink.cursor(followed.container_id),
                                                     followed.app)
                self._read_to_end(followed)
            except docker.errors.NotFound:
                return  # removed: nothing more to read
            except Exception as exc:  # noqa: BLE001 - engine or store trouble: read again
                if self._stop.is_set():
                    return
                failures += 1
                # Once per outage, not once a second while the engine or store is away.
                log.log(logging.WARNING if failures == 1 else logging.DEBUG,
                        "collecting the logs of %s interrupted (%s); resuming",
                        followed.name, type(exc).__name__)
                followed.tracker = None  # re-read the stored cursor: nothing unstored is skipped
                self._stop.wait(RETRY_SECONDS)
                continue
            failures = 0
            with followed.lock:
                if not followed.again:
                    followed.thread = None
                    return
                followed.again = False

    def _read_to_end(self, followed: _Followed) -> None:
        assert self._client is not None and followed.tracker is not None
        tracker = followed.tracker
        since = tracker.start_read()
        for entries in follow_entries(self._client, followed.container_id, since):
            fresh = tracker.take(entries)
            if not fresh:
                continue
            lines: list[LogLine] = []
            for (_, _, text), stamp in fresh:
                lines.extend(app_lines(followed.app, stamp.moment, "app", followed.process, text))
            if self._stop.is_set():
                raise InterruptedError("stopping")  # not stored: read again next time
            self._sink.publish(lines, [tracker.cursor] if tracker.cursor else [])

    # -- the seam for code that removes containers ---------------------------------------

    def before_remove(self, container_id: str) -> None:
        """Wait (at most a couple of seconds) until the stopped container's output has
        been collected to its end, so removing it loses no line."""
        if self._client is None or self._stop.is_set():
            return
        with self._lock:
            followed = self._followed.get(container_id)
        if followed is None or not _alive(followed.thread):
            try:
                container = self._client.containers.get(container_id)
            except ENGINE_ERRORS:
                return
            followed = self._follow(container_id, container.name, container.labels)
        thread = followed.thread if followed is not None else None
        if thread is not None:
            thread.join(self._drain_seconds)


def _alive(thread: threading.Thread | None) -> bool:
    return thread is not None and thread.is_alive()
