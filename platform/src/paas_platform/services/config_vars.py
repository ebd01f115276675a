"""ConfigService: read and change an app's config. Every change is a new release
that keeps the current build and snapshots the whole new config."""

from __future__ import annotations

import logging
from datetime import datetime

from paas_platform.domain.apps import App
from paas_platform.domain.config import ConfigChange, apply_patch
from paas_platform.domain.logs import release_text
from paas_platform.domain.releases import NewRelease, Release, ReleaseStatus, initial_status
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
            change, release = self.record(tx, app, patch, user, now)
            if release is None:
                live = tx.releases.latest_live(app.id)
                return app.config, live.version if live else None
        self.roll_out(app_name, release)
        return change.config, release.version

    def record(self, tx, app: App, patch: object, user: str, now: datetime,
               description: str | None = None) -> tuple[ConfigChange, Release | None]:
        """In the caller's transaction (app row locked): apply `patch` and append the
        release that carries the new config (None when nothing changed). Add-ons use
        this too, with their own description (`Attach DATABASE (...)`)."""
        change = apply_patch(app.config, patch)
        if not change.changed:
            return change, None
        # The build being deployed (even if its rollout is still pending) is the
        # one the new config goes with.
        live = tx.releases.latest_live(app.id)
        build_id = live.build_id if live else None
        tx.apps.set_config(app.id, change.config, now)
        release = tx.releases.append(
            app.id,
            NewRelease(
                description=description or change.description(),
                config=change.config,
                user=user,
                build_id=build_id,
                status=initial_status(build_id),
            ),
            now,
        )
        return change, release

    def roll_out(self, app_name: str, release: Release) -> None:
        """After commit: announce the release and start rolling it out."""
        # Keys only: config values never reach a log.
        log.info("release v%d of %s created by %s: %s", release.version, app_name, release.user,
                 release.description)
        self._logs.event(app_name, f"{release.description} by {release.user}")
        self._logs.event(app_name, release_text(release.version, release.user, release.description))
        if release.status is ReleaseStatus.PENDING:
            self._runner.deploy_in_background(app_name, release)
