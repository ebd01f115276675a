"""The runner seam services talk to: deploy a release, list/restart/stop dynos.

DockerRunner drives the engine through the rollout and the reconciler; NullRunner
(no engine: API tests, or a platform started without Docker) succeeds releases
at once and runs nothing.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable, Protocol

from paas_platform.domain.dynos import Dyno
from paas_platform.domain.errors import NotFound
from paas_platform.domain.releases import Release, ReleaseStatus
from paas_platform.runtime.dynos import DockerDynos
from paas_platform.services.clock import Clock, utc_now
from paas_platform.services.reconciler import FormationReconciler
from paas_platform.services.rollout import Rollout
from paas_platform.store import Store

log = logging.getLogger("paas.runner")

Say = Callable[[str], None]


@dataclass(frozen=True)
class DynoView:
    dyno: Dyno
    restarts: int


class Runner(Protocol):
    def deploy(self, app: str, release: Release, say: Say) -> bool: ...
    def deploy_in_background(self, app: str, release: Release) -> None: ...
    def dynos(self, app: str) -> list[DynoView]: ...
    def restart(self, app: str, target: str | None) -> int: ...
    def stop(self, app: str, target: str) -> int: ...
    def poke(self) -> None: ...
    def forget(self, app: str) -> None: ...


class NullRunner:
    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def deploy(self, app: str, release: Release, say: Say) -> bool:
        with self._store.transaction(write=True) as tx:
            tx.releases.set_status(release.id, ReleaseStatus.SUCCEEDED, self._clock())
        return True

    def deploy_in_background(self, app: str, release: Release) -> None:
        self.deploy(app, release, lambda line: None)

    def dynos(self, app: str) -> list[DynoView]:
        return []

    def restart(self, app: str, target: str | None) -> int:
        return 0

    def stop(self, app: str, target: str) -> int:
        return 0

    def poke(self) -> None:
        pass

    def forget(self, app: str) -> None:
        pass


class DockerRunner:
    def __init__(self, dynos: Callable[[], DockerDynos], rollout: Rollout,
                 reconciler: FormationReconciler, stop_grace: int,
                 forget_app: Callable[[str], int] = lambda app: 0,
                 drain: Callable[[str, list[str]], object] = lambda app, ids: None) -> None:
        self._drain = drain
        self._dynos = dynos
        self._forget_app = forget_app
        self._rollout = rollout
        self._reconciler = reconciler
        self._stop_grace = stop_grace
        self._app_locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def _lock(self, app: str) -> threading.Lock:
        with self._locks_lock:
            return self._app_locks.setdefault(app, threading.Lock())

    def deploy(self, app: str, release: Release, say: Say) -> bool:
        # One rollout per app at a time; the reconciler keeps its hands off meanwhile.
        with self._lock(app):
            self._reconciler.hold(app)
            try:
                return self._rollout.run(app, release, say)
            finally:
                self._reconciler.release(app)

    def deploy_in_background(self, app: str, release: Release) -> None:
        def run() -> None:
            try:
                self.deploy(app, release, lambda line: log.info("%s: %s", app, line))
            except Exception:
                log.exception("rollout of v%d of %s crashed", release.version, app)

        threading.Thread(target=run, name=f"rollout-{app}", daemon=True).start()

    def dynos(self, app: str) -> list[DynoView]:
        return [DynoView(d, self._reconciler.restarts(app, d.process_type, d.number))
                for d in self._dynos().list(app)]

    def _matching(self, app: str, target: str | None) -> list[Dyno]:
        found = [d for d in self._dynos().list(app)
                 if target is None or target in (d.name, d.process_type)]
        if target is not None and not found:
            raise NotFound(f"no dyno or process type {target} running on {app}")
        return found

    def restart(self, app: str, target: str | None) -> int:
        """Stop the dynos; the reconciler starts fresh ones at once."""
        found = self._matching(app, target)
        self._drain(app, [d.container_id for d in found if d.process_type == "web"])
        self._dynos().stop_many(found, self._stop_grace)
        self._reconciler.poke()
        return len(found)

    def resume(self, store: Store) -> int:
        """Finish rollouts a stopped control plane left pending: the newest pending
        release of each app is rolled out again; older pending ones are superseded."""
        resumed = 0
        with store.transaction(write=True) as tx:
            pending = []
            for app in tx.apps.list():
                waiting = [r for r in tx.releases.list(app.id) if r.status is ReleaseStatus.PENDING]
                if not waiting:
                    continue
                *superseded, newest = waiting
                for release in superseded:
                    tx.releases.set_status(release.id, ReleaseStatus.FAILED, utc_now())
                pending.append((app.name, newest))
        for app_name, release in pending:
            log.info("resuming the rollout of v%d of %s", release.version, app_name)
            self.deploy_in_background(app_name, release)
            resumed += 1
        return resumed

    def stop(self, app: str, target: str) -> int:
        # As on Heroku, a stopped formation dyno is replaced: scale down to keep it off.
        return self.restart(app, target)

    def poke(self) -> None:
        self._reconciler.poke()

    def forget(self, app: str) -> None:
        """A destroyed app: remove its dynos, network, cache and images."""
        with self._lock(app):
            removed = self._forget_app(app)
        log.info("removed %d engine objects of destroyed app %s", removed, app)
