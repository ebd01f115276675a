"""LogCollector with a fake engine: which containers it follows, what it publishes
(lines and cursors together), resuming with a new collector, forgetting cursors of
vanished containers, and before_remove reading a stopped dyno to its end."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import docker
import pytest

from paas_platform.domain.log_cursors import parse_stamp
from paas_platform.runtime import log_collector
from paas_platform.runtime.log_collector import LogCollector


def stamp(second: int, nanos: int = 0) -> str:
    base = datetime.fromtimestamp(1_764_000_000 + second, timezone.utc)
    return base.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


class Container:
    def __init__(self, cid: str, role: str, dyno: str, status: str = "running") -> None:
        self.id, self.name, self.status = cid, f"x-{dyno}", status
        self.labels = {"io.paas.instance": "t", "io.paas.role": role, "io.paas.app": "demo",
                       "io.paas.dyno": dyno}


class Events:
    """An event stream that stays open (no events) until closed."""

    def __init__(self) -> None:
        self.closed = threading.Event()

    def __iter__(self):
        self.closed.wait()
        return iter(())

    def close(self) -> None:
        self.closed.set()


class Engine:
    def __init__(self, containers: list[Container]) -> None:
        self.all = {c.id: c for c in containers}
        self.output: dict[str, list[tuple[str, int, str]]] = {}
        self.reads: list[tuple[str, str]] = []
        self.containers = self

    def list(self, all: bool, filters: dict) -> list[Container]:
        assert all and "io.paas.role=dyno" in filters["label"]
        return [c for c in self.all.values() if c.labels["io.paas.role"] == "dyno"]

    def get(self, cid: str) -> Container:
        if cid not in self.all:
            raise docker.errors.NotFound(f"No such container: {cid}")
        return self.all[cid]

    def events(self, decode: bool, filters: dict) -> Events:
        return Events()

    def follow(self, client, cid: str, since: str):
        """The engine's replay from `since`; the stream ends (the container stopped)."""
        self.reads.append((cid, since))
        entries = [e for e in self.output.get(cid, []) if parse_stamp(e[0]).second >= int(since)]
        for at in range(0, len(entries), 2):
            yield entries[at:at + 2]


class Hub:
    def __init__(self) -> None:
        self.lines = []
        self.cursors = {}
        self.published = threading.Condition()

    def publish(self, lines, cursors=()):
        with self.published:
            self.lines.extend(lines)
            self.cursors.update({c.container_id: c for c in cursors})
            self.published.notify_all()

    def cursor(self, cid):
        return self.cursors.get(cid)

    def forget_cursors(self, ids):
        for cid in ids:
            self.cursors.pop(cid, None)

    def cursor_ids(self):
        return list(self.cursors)

    def wait_lines(self, count: int) -> list[str]:
        with self.published:
            self.published.wait_for(lambda: len(self.lines) >= count, timeout=10)
            return [f"{line.process} {line.text}" for line in self.lines]


@pytest.fixture
def engine(monkeypatch):
    engine = Engine([Container("c-web", "dyno", "web.1"), Container("c-run", "oneoff", "run.1"),
                     Container("c-wrk", "dyno", "worker.1", status="exited")])
    engine.output = {"c-web": [(stamp(0, 1), 1, "w0"), (stamp(0, 2), 2, "w1"), (stamp(1), 1, "w2")],
                     "c-wrk": [(stamp(0, 5), 1, "bye")],
                     "c-run": [(stamp(0, 1), 1, "not mine")]}
    monkeypatch.setattr(log_collector, "follow_entries", engine.follow)
    return engine


def collector(engine, hub) -> LogCollector:
    return LogCollector(lambda: engine, "t", hub, rescan_seconds=3600)


def test_dynos_are_followed_and_lines_published_with_their_cursor(engine):
    hub = Hub()
    hub.cursors["c-gone"] = object()  # a container removed while the platform was down
    hub.cursors["router:access.log"] = object()  # another reader's cursor
    running = collector(engine, hub)
    running.start()
    try:
        assert sorted(hub.wait_lines(4)) == ["web.1 w0", "web.1 w1", "web.1 w2", "worker.1 bye"]
        assert {line.app for line in hub.lines} == {"demo"}
        assert {line.source for line in hub.lines} == {"app"}
        assert hub.lines[0].timestamp == parse_stamp(stamp(0, 1)).moment
        assert "c-gone" not in hub.cursors and "router:access.log" in hub.cursors
        assert (hub.cursors["c-web"].timestamp, hub.cursors["c-web"].repeats) == (stamp(1), 1)
        assert hub.cursors["c-web"].app == "demo"
        assert "c-run" not in {cid for cid, _ in engine.reads}
    finally:
        running.stop()


def test_a_new_collector_resumes_from_the_cursors_without_repeats(engine):
    hub = Hub()
    first = collector(engine, hub)
    first.start()
    hub.wait_lines(4)
    first.stop()
    engine.output["c-web"].append((stamp(1, 9), 1, "w3"))  # printed while no collector ran
    second = collector(engine, hub)
    second.start()
    try:
        lines = hub.wait_lines(5)
        assert sorted(lines) == ["web.1 w0", "web.1 w1", "web.1 w2", "web.1 w3", "worker.1 bye"]
        assert ("c-web", str(1_764_000_001)) in engine.reads  # from the cursor's second
    finally:
        second.stop()


def test_before_remove_reads_a_stopped_dyno_to_its_end(engine):
    hub = Hub()
    running = collector(engine, hub)
    running.start()
    try:
        hub.wait_lines(4)
        # The worker is started again (the rescan sees it running, as a start event would),
        # prints, and is stopped; before its removal its last line is collected.
        engine.all["c-wrk"].status = "running"
        engine.output["c-wrk"].append((stamp(2), 1, "second bye"))
        running.rescan()
        engine.all["c-wrk"].status = "exited"
        running.before_remove("c-wrk")
        assert [f"{line.process} {line.text}" for line in hub.lines][-1] == "worker.1 second bye"
        # A dyno that started and stopped between two looks at the engine.
        engine.all["c-new"] = Container("c-new", "dyno", "web.2", status="exited")
        engine.output["c-new"] = [(stamp(3), 1, "short life")]
        running.before_remove("c-new")
        assert [f"{line.process} {line.text}" for line in hub.lines][-1] == "web.2 short life"
        running.before_remove("c-unknown-and-gone-xx")  # not an error
    finally:
        running.stop()
