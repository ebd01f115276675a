"""Rolling an app onto a new release.

web is start-first: every new web dyno must accept TCP on $PORT within the boot
timeout before any old one gets SIGTERM; if one never does, the new dynos are
removed, the release is marked failed and the old release keeps serving. Other
types are stop-first, so a singleton worker never runs twice at once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable

from paas_platform.domain.releases import Release, ReleaseStatus
from paas_platform.runtime.dynos import DockerDynos
from paas_platform.services.clock import Clock, utc_now
from paas_platform.services.desired_state import AppTarget, target_for
from paas_platform.services.log_hub import NULL_LOGS, LogSink
from paas_platform.settings import Settings

if TYPE_CHECKING:
    from paas_platform.services.routing import RoutingSeam
from paas_platform.store import Store

log = logging.getLogger("paas.rollout")

Say = Callable[[str], None]


class Rollout:
    def __init__(self, store: Store, dynos: Callable[[], DockerDynos],
                 network: Callable[[str], str], settings: Settings, clock: Clock = utc_now,
                 router: "RoutingSeam | None" = None, logs: LogSink = NULL_LOGS) -> None:
        self._router = router
        self._logs = logs
        self._store = store
        self._dynos = dynos
        self._network = network
        self._settings = settings
        self._clock = clock

    def run(self, app_name: str, release: Release, say: Say) -> bool:
        """Roll out `release` (pending); mark it succeeded or failed; True on success."""
        with self._store.transaction() as tx:
            target = target_for(tx, app_name, release)
        if target is None or not target.slots():
            self._mark(release, ReleaseStatus.SUCCEEDED)
            return True
        reason = self._roll(target, say)
        if reason is not None:
            say(f" !     Release v{release.version} failed: {reason}")
            log.warning("release v%d of %s failed: %s", release.version, app_name, reason)
            self._logs.event(app_name, f"Release v{release.version} failed: {reason}")
            self._mark(release, ReleaseStatus.FAILED)
            return False
        self._mark(release, ReleaseStatus.SUCCEEDED)
        return True

    def _roll(self, target: AppTarget, say: Say) -> str | None:
        dynos = self._dynos()
        network = self._network(target.app)
        # Everything running before the rollout is replaced, including dynos of this
        # very release left by a rollout a stopped control plane did not finish.
        old = dynos.list(target.app)
        # All new web dynos boot side by side; each must become ready before any old
        # one is stopped.
        started = dynos.start_many([target.spec(ptype, number, network, self._settings)
                                    for ptype, number in target.slots("web")])
        for dyno in started:
            say(f"-----> Starting {dyno.name} (v{target.release.version})")
        self._starting(target, started)
        for dyno in started:
            problem = dynos.wait_ready(dyno, network, self._settings.boot_timeout,
                                       target.health_check_path)
            if problem is not None:
                self._stopping(target.app, started)
                dynos.stop_many(started, grace_seconds=1)
                return problem
            self._logs.event(target.app, "State changed from starting to up", dyno.name)
        grace = self._settings.stop_grace
        old_web = [d for d in old if d.process_type == "web"]
        if self._router is not None:
            # The router sends traffic to the new web dynos, and stops sending it to the
            # old ones, before any of them gets SIGTERM: no request meets a closing dyno.
            self._router.apply()
            self._router.drain(target.app, [d.container_id for d in old_web])
        self._stopping(target.app, old_web)
        dynos.stop_many(old_web, grace)
        for ptype in [t for t in target.formation if t != "web"]:
            old_of_type = [d for d in old if d.process_type == ptype]
            self._stopping(target.app, old_of_type)
            dynos.stop_many(old_of_type, grace)
            self._starting(target, dynos.start_many([
                target.spec(ptype, number, network, self._settings)
                for _, number in target.slots(ptype)]))
        retired = [d for d in old if d.process_type not in target.formation]
        self._stopping(target.app, retired)
        dynos.stop_many(retired, grace)
        return None

    def _starting(self, target: AppTarget, started) -> None:
        for dyno in started:
            command = target.commands.get(dyno.process_type, "")
            self._logs.event(target.app, f"Starting process with command `{command}` "
                                         f"(v{target.release.version})", dyno.name)

    def _stopping(self, app: str, stopping) -> None:
        for dyno in stopping:
            self._logs.event(app, "Stopping process with SIGTERM", dyno.name)

    def _mark(self, release: Release, status: ReleaseStatus) -> None:
        with self._store.transaction(write=True) as tx:
            tx.releases.set_status(release.id, status, self._clock())
