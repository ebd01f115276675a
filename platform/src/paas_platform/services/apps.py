"""AppService: create, list, show and destroy apps. Creating an app records v1."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from paas_platform.domain.apps import App
from paas_platform.domain.buildpacks import parse_buildpack
from paas_platform.domain.formation import validate_health_check_path
from paas_platform.domain.errors import Conflict
from paas_platform.domain.logs import release_text
from paas_platform.domain.names import random_app_name, validate_app_name
from paas_platform.domain.releases import NewRelease, Release
from paas_platform.services.clock import Clock, utc_now
from paas_platform.services.log_hub import NULL_LOGS, LogSink
from paas_platform.store import Store

log = logging.getLogger("paas.apps")

RANDOM_NAME_ATTEMPTS = 8


@dataclass(frozen=True)
class AppSummary:
    """An app with its current release, as shown by `apps:info`."""

    app: App
    current: Release | None


class AppRepos(Protocol):
    """Where an app's pushed source lives (its bare git repo); goes with the app."""

    def remove(self, app: str) -> None: ...


class AppRuntime(Protocol):
    """What the engine holds for an app (dynos, network, cache, images); goes with the app."""

    def forget(self, app: str) -> None: ...


class AppAddons(Protocol):
    """Add-ons attached to or owned by an app; see services/addons.py."""

    def forget_app(self, tx, app: App) -> object: ...
    def after_app_destroyed(self, gone) -> None: ...


class AppService:
    def __init__(self, store: Store, stack: str, clock: Clock = utc_now,
                 repos: AppRepos | None = None, runner: AppRuntime | None = None,
                 addons: AppAddons | None = None, logs: LogSink = NULL_LOGS) -> None:
        self._store = store
        self._addons = addons
        self._logs = logs
        self._runner = runner
        self._stack = stack
        self._clock = clock
        self._repos = repos

    def create(self, name: str | None, user: str) -> AppSummary:
        if name is not None:
            return self._create(validate_app_name(name), user)
        for _ in range(RANDOM_NAME_ATTEMPTS):
            try:
                return self._create(random_app_name(), user)
            except Conflict:
                continue
        raise Conflict("could not find a free random app name; please choose a name")

    def _create(self, name: str, user: str) -> AppSummary:
        now = self._clock()
        with self._store.transaction(write=True) as tx:
            app = tx.apps.insert(name, self._stack, now)
            release = tx.releases.append(app.id, NewRelease("Initial release", {}, user), now)
            # Lines (and drains) left under a reused name belong to the app that had it.
            tx.logs.delete_app(name)
        log.info("app %s created by %s (v%d)", name, user, release.version)
        self._logs.event(name, f"App {name} created by {user}")
        self._logs.event(name, release_text(release.version, user, release.description))
        return AppSummary(app, release)

    def list(self) -> list[AppSummary]:
        with self._store.transaction() as tx:
            return [AppSummary(app, tx.releases.current(app.id)) for app in tx.apps.list()]

    def get(self, name: str) -> AppSummary:
        with self._store.transaction() as tx:
            app = tx.apps.get(name)
            return AppSummary(app, tx.releases.current(app.id))

    def set_buildpack(self, name: str, buildpack: object, user: str) -> AppSummary:
        """Choose the buildpack for the next builds (None: detect automatically)."""
        value = parse_buildpack(buildpack).label if buildpack is not None else None
        if value is not None and isinstance(buildpack, str) and "#" in buildpack:
            value = buildpack.strip()  # keep the #ref the user asked for
        summary = self._update(
            name, lambda tx, app_id, now: tx.apps.set_buildpack(app_id, value, now))
        log.info("buildpack of %s %s by %s", name, f"set to {value}" if value else "cleared", user)
        return summary

    def set_health_check(self, name: str, path: object, user: str) -> AppSummary:
        """The path new web dynos must answer during rollouts (None: TCP only)."""
        checked = validate_health_check_path(path)
        summary = self._update(
            name, lambda tx, app_id, now: tx.apps.set_health_check(app_id, checked, now))
        log.info("health check of %s %s by %s", name, f"set to {checked}" if checked else "cleared", user)
        return summary

    def _update(self, name: str, change) -> AppSummary:
        """One setting of the app, changed under its row lock; the app as it is after."""
        with self._store.transaction(write=True) as tx:
            app = tx.apps.get(name, lock=True)
            change(tx, app.id, self._clock())
            app = tx.apps.get(name)
            return AppSummary(app, tx.releases.current(app.id))

    def destroy(self, name: str, user: str) -> AppSummary:
        with self._store.transaction(write=True) as tx:
            app = tx.apps.get(name, lock=True)
            summary = AppSummary(app, tx.releases.current(app.id))
            addons_gone = self._addons.forget_app(tx, app) if self._addons else None
            tx.formation.delete_all(app.id)
            tx.builds.delete_all(app.id)
            tx.releases.delete_all(app.id)
            tx.apps.delete(app.id)
            tx.logs.delete_app(name)
        if self._repos is not None:
            self._repos.remove(name)
        if addons_gone is not None:
            # Before the runner removes the app's network: add-ons must leave it first.
            self._addons.after_app_destroyed(addons_gone)
        if self._runner is not None:
            self._runner.forget(name)
        log.info("app %s destroyed by %s", name, user)
        return summary
