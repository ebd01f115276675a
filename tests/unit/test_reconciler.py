"""FormationReconciler with a fake engine and a fake clock."""

from datetime import datetime, timedelta, timezone

import pytest

from paas_platform.domain.dynos import Dyno
from paas_platform.domain.releases import Release, ReleaseStatus
from paas_platform.services.desired_state import AppTarget
from paas_platform.services.reconciler import FormationReconciler
from paas_platform.settings import Settings

T0 = datetime(2026, 11, 24, tzinfo=timezone.utc)


class FakeDynos:
    def __init__(self):
        self.dynos: dict[str, Dyno] = {}
        self.started, self.stopped, self.restarted = [], [], []
        self.serial = 0

    def add(self, ptype, number, version=2, running=True, exit_code=None, up_for=5.0):
        self.serial += 1
        dyno = Dyno("demo", ptype, number, version, f"c{self.serial}", running, T0, T0,
                    None if running else T0 + timedelta(seconds=up_for), exit_code, "cmd")
        self.dynos[dyno.container_id] = dyno
        return dyno

    def list(self, app=None):
        return list(self.dynos.values())

    def start(self, spec):
        self.started.append(spec.dyno)
        return self.add(spec.process_type, spec.number, spec.release_version)

    def start_many(self, specs):
        return [self.start(spec) for spec in specs]

    def stop_many(self, dynos, grace_seconds):
        for dyno in dynos:
            self.stopped.append(dyno.name)
            self.dynos.pop(dyno.container_id, None)

    def restart(self, dyno):
        self.restarted.append(dyno.name)


def target(formation, version=2):
    release = Release("r", "a", version, "Deploy", ReleaseStatus.SUCCEEDED, {"A": "1"}, "admin", T0, "b")
    return AppTarget("demo", release, "img", True, {"web": "w", "worker": "k"}, formation, {})


@pytest.fixture
def clock():
    now = [1000.0]
    return now


@pytest.fixture
def reconciler(clock):
    return FormationReconciler(store=None, dynos=lambda: None, network=lambda app: "net",
                               settings=Settings(), monotonic=lambda: clock[0])


def test_starts_missing_and_stops_extra_and_stale(reconciler):
    engine = FakeDynos()
    engine.add("web", 1)
    engine.add("web", 4)          # beyond the formation
    engine.add("worker", 1, version=1)  # an older release
    reconciler.reconcile_app(engine, "demo", target({"web": 2, "worker": 1}), engine.list())
    assert sorted(engine.started) == ["web.2", "worker.1"]
    assert sorted(engine.stopped) == ["web.4", "worker.1"]


def test_duplicate_slots_keep_the_running_one(reconciler):
    engine = FakeDynos()
    engine.add("web", 1, running=False, exit_code=1)
    keeper = engine.add("web", 1)
    reconciler.reconcile_app(engine, "demo", target({"web": 1}), engine.list())
    assert engine.stopped == ["web.1"] and keeper.container_id in engine.dynos
    assert engine.started == [] and engine.restarted == []


def test_no_target_stops_everything(reconciler):
    engine = FakeDynos()
    engine.add("web", 1)
    reconciler.reconcile_app(engine, "demo", None, engine.list())
    assert engine.stopped == ["web.1"]


def test_crash_restarts_back_off_and_are_counted(reconciler, clock):
    engine = FakeDynos()
    crashed = engine.add("worker", 1, running=False, exit_code=3)
    goal = target({"worker": 1})
    reconciler.reconcile_app(engine, "demo", goal, engine.list())
    assert engine.restarted == ["worker.1"]  # the first restart is immediate
    # It crashes again at once: the second restart waits 10 s.
    engine.dynos.pop(crashed.container_id)
    again = engine.add("worker", 1, running=False, exit_code=3)
    reconciler.reconcile_app(engine, "demo", goal, engine.list())
    assert engine.restarted == ["worker.1"]
    clock[0] += 9
    reconciler.reconcile_app(engine, "demo", goal, engine.list())
    assert engine.restarted == ["worker.1"]
    clock[0] += 2
    reconciler.reconcile_app(engine, "demo", goal, [again])
    assert engine.restarted == ["worker.1", "worker.1"]
    assert reconciler.restarts("demo", "worker", 1) == 2


def test_a_new_release_resets_the_restart_count(reconciler):
    engine = FakeDynos()
    engine.add("worker", 1, running=False, exit_code=1)
    reconciler.reconcile_app(engine, "demo", target({"worker": 1}), engine.list())
    assert reconciler.restarts("demo", "worker", 1) == 1
    engine.dynos.clear()
    engine.add("worker", 1, version=3, running=False, exit_code=1)
    reconciler.reconcile_app(engine, "demo", target({"worker": 1}, version=3), engine.list())
    assert reconciler.restarts("demo", "worker", 1) == 1
