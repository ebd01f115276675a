"""ReleaseService: list and show releases, and roll back by appending a copy."""

from __future__ import annotations

import logging
from dataclasses import replace

from paas_platform.domain.addons import keep_attached_vars
from paas_platform.domain.releases import Release, ReleaseStatus, parse_version, rollback_of
from paas_platform.domain.errors import NotFound
from paas_platform.domain.logs import release_text
from paas_platform.services.clock import Clock, utc_now
from paas_platform.services.log_hub import NULL_LOGS, LogSink
from paas_platform.services.runner import Runner
from paas_platform.store import Store

log = logging.getLogger("paas.releases")


class ReleaseService:
    def __init__(self, store: Store, runner: Runner, clock: Clock = utc_now,
                 logs: LogSink = NULL_LOGS) -> None:
        self._store = store
        self._logs = logs
        self._runner = runner
        self._clock = clock

    def list(self, app_name: str) -> tuple[list[Release], Release | None]:
        """All releases, oldest first, and the current one."""
        with self._store.transaction() as tx:
            app = tx.apps.get(app_name)
            return tx.releases.list(app.id), tx.releases.current(app.id)

    def get(self, app_name: str, ref: object) -> tuple[Release, Release | None]:
        version = parse_version(ref)
        with self._store.transaction() as tx:
            app = tx.apps.get(app_name)
            release = tx.releases.find(app.id, version)
            if release is None:
                raise NotFound(f"release v{version} of {app_name} not found")
            return release, tx.releases.current(app.id)

    def rollback(self, app_name: str, ref: object, user: str) -> Release:
        version = parse_version(ref)
        now = self._clock()
        with self._store.transaction(write=True) as tx:
            app = tx.apps.get(app_name, lock=True)
            current = tx.releases.current(app.id)
            new = rollback_of(tx.releases.find(app.id, version), version, user,
                              deployed=current is not None and current.build_id is not None)
            # Rolling back leaves add-ons alone: their vars keep naming them as they are now.
            attached = tx.addons.attached_vars(app.id)
            new = replace(new, config=keep_attached_vars(new.config, attached))
            tx.apps.set_config(app.id, new.config, now)
            release = tx.releases.append(app.id, new, now)
        log.info("release v%d of %s created by %s: %s", release.version, app_name, user,
                 release.description)
        self._logs.event(app_name, release_text(release.version, user, release.description))
        if release.status is ReleaseStatus.PENDING:
            self._runner.deploy_in_background(app_name, release)
        return release
