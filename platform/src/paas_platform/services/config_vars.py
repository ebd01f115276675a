"""ConfigService: read and change an app's config. Every change is a new release
that keeps the current build and snapshots the whole new config."""

from __future__ import annotations

import logging

from paas_platform.domain.config import apply_patch
from paas_platform.domain.logs import release_text
from paas_platform.domain.releases import NewRelease, ReleaseStatus, initial_status
from paas_platform.services.runner import Runner
from paas_platform.services.clock import Clock, utc_now
from paas_platform.services.log_hub import NULL_LOGS, LogSink
from paas_platform.store import Store

log = logging.getLogger("paas.config")


class ConfigService:
    def __init__(self, store: Store, runner: Runner, clock: Clock = utc_now,
                 logs: LogSink = NULL_LOGS) -> None:
        self._store = store
        self._logs = logs
        self._runner = runner
        self._clock = clock

    def get(self, app_name: str) -> dict[str, str]:
        with self._store.transaction() as tx:
            return tx.apps.get(app_name).config

    def update(self, app_name: str, patch: object, user: str) -> tuple[dict[str, str], int | None]:
        """Apply a merge patch; return the new config and the version now current."""
        now = self._clock()
        with self._store.transaction(write=True) as tx:
            # Lock first, then read: concurrent patches must merge, not overwrite.
            app = tx.apps.get(app_name, lock=True)
            change = apply_patch(app.config, patch)
            # The build being deployed (even if its rollout is still pending) is the
            # one the new config goes with.
            live = tx.releases.latest_live(app.id)
            if not change.changed:
                return app.config, live.version if live else None
            build_id = live.build_id if live else None
            tx.apps.set_config(app.id, change.config, now)
            release = tx.releases.append(
                app.id,
                NewRelease(
                    description=change.description(),
                    config=change.config,
                    user=user,
                    build_id=build_id,
                    status=initial_status(build_id),
                ),
                now,
            )
        # Keys only: config values never reach a log.
        log.info("release v%d of %s created by %s: %s", release.version, app_name, user,
                 release.description)
        self._logs.event(app_name, f"{release.description} by {user}")
        self._logs.event(app_name, release_text(release.version, user, release.description))
        if release.status is ReleaseStatus.PENDING:
            self._runner.deploy_in_background(app_name, release)
        return change.config, release.version
