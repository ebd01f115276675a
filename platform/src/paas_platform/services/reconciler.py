"""FormationReconciler: makes the engine match desired state, again and again.

Desired state is each app's current release times its formation; actual state is
the dynos found on the engine by label. A pass starts missing dynos, removes
extra ones and leftovers of older releases, and restarts crashed ones with
growing back-off. It runs every few seconds and when poked (scale, restart), so
it converges after crashes, `docker rm -f`, a restarted control plane (it adopts
what runs) and a restarted Docker daemon. Apps being rolled out are left to the
rollout.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from paas_platform.domain.backoff import crashes_after, restart_delay
from paas_platform.domain.dynos import Dyno
from paas_platform.domain.formation import DEFAULT_SIZE
from paas_platform.domain.errors import PaasError
from paas_platform.runtime.dynos import DockerDynos
from paas_platform.services.desired_state import AppTarget, target_for
from paas_platform.services.log_hub import NULL_LOGS, LogSink
from paas_platform.settings import Settings

if TYPE_CHECKING:
    from paas_platform.services.routing import RoutingSeam
from paas_platform.store import Store

log = logging.getLogger("paas.reconciler")


@dataclass
class CrashRecord:
    """Per slot (app, type, number): crash count for back-off, restarts for `paas ps`."""

    release_version: int
    crashes: int = 0
    restarts: int = 0
    handled_exit: str = ""
    not_before: float = 0.0


class FormationReconciler:
    def __init__(self, store: Store, dynos: Callable[[], DockerDynos],
                 network: Callable[[str], str], settings: Settings,
                 monotonic: Callable[[], float] = time.monotonic,
                 router: "RoutingSeam | None" = None, logs: LogSink = NULL_LOGS) -> None:
        self._router = router
        self._logs = logs
        self._store = store
        self._dynos = dynos
        self._network = network
        self._settings = settings
        self._monotonic = monotonic
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._busy: set[str] = set()
        self._busy_lock = threading.Lock()
        self._records: dict[tuple[str, str, int], CrashRecord] = {}
        self._thread: threading.Thread | None = None

    # -- coordination with rollouts ----------------------------------------------------

    def hold(self, app: str) -> None:
        with self._busy_lock:
            self._busy.add(app)

    def release(self, app: str) -> None:
        with self._busy_lock:
            self._busy.discard(app)
        self.poke()

    def poke(self) -> None:
        self._wake.set()

    def restarts(self, app: str, ptype: str, number: int) -> int:
        record = self._records.get((app, ptype, number))
        return record.restarts if record else 0

    # -- the loop ------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="reconciler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.reconcile_all()
            except PaasError as exc:
                log.warning("reconcile pass failed: %s", exc.message)
            except Exception:
                log.exception("reconcile pass crashed")
            self._wake.wait(self._settings.reconcile_interval)
            self._wake.clear()

    def reconcile_all(self) -> None:
        dynos = self._dynos()
        actual = dynos.list()
        with self._store.transaction() as tx:
            names = [app.name for app in tx.apps.list()]
            targets = {name: target_for(tx, name) for name in names}
        with self._busy_lock:
            busy = set(self._busy)
        orphans = [d for d in actual if d.app not in targets]  # their app was destroyed
        for dyno in orphans:
            log.info("removing %s of %s: the app is gone", dyno.name, dyno.app)  # no log: app gone
        dynos.stop_many(orphans, self._settings.stop_grace)
        for name, target in targets.items():
            if name in busy:
                continue
            mine = [d for d in actual if d.app == name]
            self.reconcile_app(dynos, name, target, mine)

    def reconcile_app(self, dynos: DockerDynos, app: str, target: AppTarget | None,
                      actual: list[Dyno]) -> None:
        if target is None:
            self._drain(app, actual)
            dynos.stop_many(actual, self._settings.stop_grace)
            return
        wanted = set(target.slots())
        current: dict[tuple[str, int], Dyno] = {}
        unwanted = []
        for dyno in sorted(actual, key=lambda d: (not d.running, d.created_at)):
            slot = (dyno.process_type, dyno.number)
            resized = dyno.size and dyno.size != target.sizes.get(dyno.process_type, DEFAULT_SIZE)
            if (slot not in wanted or dyno.release_version != target.release.version
                    or slot in current or resized):
                unwanted.append(dyno)
            else:
                current[slot] = dyno
        for dyno in unwanted:
            log.info("stopping %s of %s (v%d): not in the formation of v%d", dyno.name, app,
                     dyno.release_version, target.release.version)
            self._logs.event(app, "Stopping process with SIGTERM", dyno.name)
        self._drain(app, unwanted)
        dynos.stop_many(unwanted, self._settings.stop_grace)
        missing = [slot for slot in sorted(wanted) if slot not in current]
        if missing:
            network = self._network(app)
            for ptype, number in missing:
                log.info("starting %s.%d of %s (v%d)", ptype, number, app, target.release.version)
                self._logs.event(app, f"Starting process with command `{target.commands[ptype]}` "
                                      f"(v{target.release.version})", f"{ptype}.{number}")
            started = dynos.start_many([target.spec(ptype, number, network, self._settings)
                                        for ptype, number in missing])
            for dyno in started:  # its process runs (a crash from here on is reported as one)
                self._logs.event(app, "State changed from starting to up", dyno.name)
        for dyno in current.values():
            if not dyno.running:
                self._handle_exit(dynos, dyno)
        for key in [k for k in self._records if k[0] == app and (k[1], k[2]) not in wanted]:
            del self._records[key]

    def _drain(self, app: str, stopping: list[Dyno]) -> None:
        """Take web dynos out of the router before they get SIGTERM (scale-down etc.)."""
        web = [d.container_id for d in stopping if d.process_type == "web" and d.running]
        if web and self._router is not None:
            self._router.drain(app, web)

    def _handle_exit(self, dynos: DockerDynos, dyno: Dyno) -> None:
        key = (dyno.app, dyno.process_type, dyno.number)
        record = self._records.get(key)
        if record is None or record.release_version != dyno.release_version:
            record = self._records[key] = CrashRecord(dyno.release_version)
        exit_id = f"{dyno.container_id}:{dyno.finished_at}"
        if record.handled_exit != exit_id:
            uptime = ((dyno.finished_at - dyno.started_at).total_seconds()
                      if dyno.finished_at and dyno.started_at else 0.0)
            record.crashes = crashes_after(record.crashes, uptime)
            record.handled_exit = exit_id
            record.not_before = self._monotonic() + restart_delay(record.crashes)
            log.info("%s of %s crashed (exit %s); restart %d in %.0f s", dyno.name, dyno.app,
                     dyno.exit_code, record.restarts + 1, restart_delay(record.crashes))
            self._logs.event(dyno.app, f"Process exited with status {dyno.exit_code}", dyno.name)
            self._logs.event(dyno.app, "State changed from up to crashed", dyno.name)
        if self._monotonic() >= record.not_before:
            record.restarts += 1
            self._logs.event(dyno.app, "State changed from crashed to starting", dyno.name)
            dynos.restart(dyno)
            self._logs.event(dyno.app, "State changed from starting to up", dyno.name)
