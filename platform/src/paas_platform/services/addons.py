"""AddonService: provision, attach, detach and destroy backing services.

An add-on's config var reaches an app the way every config change does: a release
appended through ConfigService.record (described `Attach DATABASE (postgresql-...)`)
and rolled out like `config:set`. The server answers before that release exists, and a
failed provision leaves no row, container, volume or release behind. Rollbacks leave
add-ons alone (ReleaseService keeps attached vars as they are now).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Protocol

from paas_platform.domain.addons import (
    Addon, AddonState, AddonStatus, Attachment, attachment_name, attachment_var, check_var_free,
    new_credentials, parse_plan, random_addon_name, validate_addon_name, volume_name,
)
from paas_platform.domain.apps import App
from paas_platform.domain.errors import Conflict, InvalidParams, NotFound, PaasError, Unavailable
from paas_platform.domain.releases import Release
from paas_platform.services.clock import Clock, utc_now
from paas_platform.services.config_vars import ConfigService
from paas_platform.store import Store

log = logging.getLogger("paas.addons")

RANDOM_NAME_ATTEMPTS = 8


class AddonRuntime(Protocol):
    def provision(self, addon: Addon, apps: list[str]) -> None: ...
    def ensure(self, addon: Addon, apps: list[str]) -> bool: ...
    def remove(self, addon: Addon) -> None: ...
    def remove_unknown(self, known: Callable[[], set[str]]) -> int: ...
    def connect(self, addon: Addon, app: str) -> None: ...
    def disconnect(self, addon: Addon, app: str) -> None: ...
    def status(self, addon: Addon) -> AddonStatus: ...


class NoAddonRuntime:
    """Without a Docker Engine no server can be made: provisioning answers 503."""

    def provision(self, addon: Addon, apps: list[str]) -> None:
        raise Unavailable("add-ons need the Docker Engine, which this platform runs without")

    connect = provision

    def ensure(self, addon: Addon, apps: list[str]) -> bool:
        return False

    def remove(self, addon: Addon) -> None:
        pass

    def remove_unknown(self, known: Callable[[], set[str]]) -> int:
        return 0

    def disconnect(self, addon: Addon, app: str) -> None:
        pass

    def status(self, addon: Addon) -> AddonStatus:
        return AddonStatus("unknown", None)


@dataclass(frozen=True)
class AddonView:
    addon: Addon
    attachments: list[Attachment]


@dataclass(frozen=True)
class AppAddonsGone:
    """What a destroyed app leaves for the engine: servers to remove, networks to leave."""

    app: str
    removed: list[Addon]
    left: list[Addon]


class AddonService:
    def __init__(self, store: Store, config: ConfigService, runtime: AddonRuntime,
                 instance: str, clock: Clock = utc_now) -> None:
        self._store = store
        self._config = config
        self._runtime = runtime
        self._instance = instance
        self._clock = clock

    # -- reading ----------------------------------------------------------------------------

    def list(self, app_name: str | None = None) -> list[AddonView]:
        """Every add-on, or those attached to `app_name` (as `heroku addons -a APP`)."""
        with self._store.transaction() as tx:
            if app_name is None:
                addons = tx.addons.list()
            else:
                app = tx.apps.get(app_name)
                names = sorted({a.addon_name for a in tx.addons.attachments(app_id=app.id)})
                addons = [tx.addons.get(name) for name in names]
            return [AddonView(a, tx.addons.attachments(addon_id=a.id)) for a in addons]

    def info(self, name: str) -> tuple[AddonView, AddonStatus]:
        with self._store.transaction() as tx:
            addon = tx.addons.get(name)
            view = AddonView(addon, tx.addons.attachments(addon_id=addon.id))
        return view, self._runtime.status(addon)

    def owner(self, name: str) -> str:
        """The name of the app that owns add-on `name`."""
        with self._store.transaction() as tx:
            return tx.addons.get(name).app_name

    def attachments(self, app_name: str) -> list[Attachment]:
        with self._store.transaction() as tx:
            return tx.addons.attachments(app_id=tx.apps.get(app_name).id)

    # -- provisioning -----------------------------------------------------------------------

    def create(self, app_name: str, plan: object, name: object, as_name: object,
               user: str) -> tuple[AddonView, Release | None]:
        kind, plan_name = parse_plan(plan)
        attach_as = attachment_name(as_name, kind)
        var = attachment_var(attach_as)
        if name is not None:
            validate_addon_name(name)
        now = self._clock()
        with self._store.transaction(write=True) as tx:
            app = tx.apps.get(app_name, lock=True)
            check_var_free(app_name, var, tx.addons.attachments(app_id=app.id))
            addon = self._insert(tx, app, kind, plan_name, name, now)
        log.info("provisioning %s (%s) for %s, by %s", addon.name, kind.name, app_name, user)
        try:
            self._runtime.provision(addon, [app_name])
        except BaseException:
            self._forget_rows(addon)
            raise
        try:
            with self._store.transaction(write=True) as tx:
                app = tx.apps.get(app_name, lock=True)
                check_var_free(app_name, var, tx.addons.attachments(app_id=app.id))
                attachment = tx.addons.attach(addon.id, app.id, attach_as, now)
                tx.addons.set_state(addon.id, AddonState.PROVISIONED)
                _, release = self._config.record(
                    tx, app, {var: addon.url()}, user, now,
                    description=f"Attach {attach_as} ({addon.name})")
                addon = tx.addons.get(addon.name)
        except BaseException:
            self._runtime.remove(addon)
            self._forget_rows(addon)
            raise
        if release is not None:
            self._config.roll_out(app_name, release)
        return AddonView(addon, [attachment]), release

    def _insert(self, tx, app: App, kind, plan: str, name: str | None, now) -> Addon:
        candidates = ([name] if name else
                      [random_addon_name(kind) for _ in range(RANDOM_NAME_ATTEMPTS)])
        for candidate in candidates:
            try:
                return tx.addons.insert(candidate, kind.name, plan, app.id, new_credentials(kind),
                                        volume_name(self._instance, candidate),
                                        AddonState.PROVISIONING, now)
            except Conflict:
                if name:
                    raise
        raise Conflict("could not find a free random add-on name; please choose one with --name")

    def _forget_rows(self, addon: Addon) -> None:
        with self._store.transaction(write=True) as tx:
            tx.addons.delete(addon.id)

    # -- attachments ------------------------------------------------------------------------

    def attach(self, addon_name: str, app_name: str, as_name: object,
               user: str) -> tuple[Attachment, Release | None]:
        now = self._clock()
        with self._store.transaction(write=True) as tx:
            app = tx.apps.get(app_name, lock=True)
            addon = tx.addons.get(addon_name)
            if addon.state != AddonState.PROVISIONED:
                raise Conflict(f"add-on {addon_name} is still being provisioned")
            attach_as = attachment_name(as_name, addon.spec)
            var = attachment_var(attach_as)
            check_var_free(app_name, var, tx.addons.attachments(app_id=app.id))
            attachment = tx.addons.attach(addon.id, app.id, attach_as, now)
            _, release = self._config.record(tx, app, {var: addon.url()}, user, now,
                                             description=f"Attach {attach_as} ({addon.name})")
            # Last, inside the transaction: when the engine refuses, nothing is recorded.
            self._runtime.connect(addon, app_name)
        if release is not None:
            self._config.roll_out(app_name, release)
        return attachment, release

    def detach(self, app_name: str, ref: str, user: str) -> tuple[Attachment, Release | None]:
        """Detach by add-on name, attachment name (DATABASE) or var (DATABASE_URL)."""
        with self._store.transaction() as tx:
            found = [a for a in tx.addons.attachments(app_id=tx.apps.get(app_name).id)
                     if ref in (a.addon_name, a.name, a.var)]
        if not found:
            raise NotFound(f"no add-on attachment {ref} on {app_name}")
        if len(found) > 1:
            raise InvalidParams(f"{ref} is attached to {app_name} more than once; name the var "
                                f"({', '.join(a.var for a in found)})")
        return self.detach_by_id(found[0].id, user)

    def detach_by_id(self, attachment_id: str, user: str) -> tuple[Attachment, Release | None]:
        now = self._clock()
        with self._store.transaction(write=True) as tx:
            attachment = tx.addons.attachment(attachment_id)
            app = tx.apps.get(attachment.app_name, lock=True)
            addon = tx.addons.get(attachment.addon_name)
            siblings = tx.addons.attachments(addon_id=addon.id)
            if len(siblings) == 1:
                raise Conflict(f"{attachment.var} is the only attachment of {addon.name}; "
                               f"remove the add-on with addons:destroy {addon.name}")
            tx.addons.detach(attachment.id)
            _, release = self._config.record(tx, app, {attachment.var: None}, user, now,
                                             description=f"Detach {attachment.name} ({addon.name})")
            still_here = any(s.app_id == app.id and s.id != attachment.id for s in siblings)
        if not still_here:
            self._runtime.disconnect(addon, app.name)
        if release is not None:
            self._config.roll_out(app.name, release)
        return attachment, release

    # -- destroying -------------------------------------------------------------------------

    def destroy(self, app_name: str, name: str, confirm: object, force: bool,
                user: str) -> AddonView:
        """Unset the var on every attached app (a release each), then remove the server
        and its data. Refused while attached to another app unless `force`."""
        now = self._clock()
        releases: list[tuple[str, Release]] = []
        with self._store.transaction(write=True) as tx:
            addon = tx.addons.get(name)
            if addon.app_name != app_name:
                raise InvalidParams(f"add-on {name} is owned by {addon.app_name}; destroy it "
                                    f"with -a {addon.app_name}")
            if confirm != addon.app_name:
                raise InvalidParams(f"destroying {name} deletes its data: confirm with "
                                    f"--confirm {addon.app_name}")
            attachments = tx.addons.attachments(addon_id=addon.id)
            elsewhere = [a for a in attachments if a.app_id != addon.app_id]
            if elsewhere and not force:
                shown = ", ".join(f"{a.app_name} ({a.var})" for a in elsewhere)
                raise Conflict(f"add-on {name} is also attached to {shown}; detach it there "
                               "first or destroy it with --force")
            # Lock the apps in name order, so concurrent destroys cannot deadlock.
            for locked in sorted({a.app_name for a in attachments}):
                tx.apps.get(locked, lock=True)
            for attachment in attachments:
                tx.addons.detach(attachment.id)
                app = tx.apps.get(attachment.app_name)  # re-read: its config may just have changed
                _, release = self._config.record(
                    tx, app, {attachment.var: None}, user, now,
                    description=f"Detach {attachment.name} ({addon.name})")
                if release is not None:
                    releases.append((app.name, release))
            tx.addons.delete(addon.id)
        self._runtime.remove(addon)
        log.info("add-on %s destroyed by %s", name, user)
        for app, release in releases:
            self._config.roll_out(app, release)
        return AddonView(addon, attachments)

    def forget_app(self, tx, app: App) -> AppAddonsGone:
        """In AppService.destroy's transaction: drop the app's attachments (no releases:
        the app is going), destroy the add-ons it owns that no other app uses, and hand
        shared ones to the app attached longest."""
        attached = tx.addons.attachments(app_id=app.id)
        for attachment in attached:
            tx.addons.detach(attachment.id)
        removed = []
        for addon in tx.addons.owned_by(app.id):
            others = tx.addons.attachments(addon_id=addon.id)
            if others:
                tx.addons.set_owner(addon.id, others[0].app_id)
                log.info("add-on %s now owned by %s", addon.name, others[0].app_name)
            else:
                tx.addons.delete(addon.id)
                removed.append(addon)
        gone = {a.id for a in removed}
        left = {a.addon_name: a for a in attached if a.addon_id not in gone}
        return AppAddonsGone(app.name, removed, [tx.addons.get(n) for n in sorted(left)])

    def after_app_destroyed(self, gone: AppAddonsGone) -> None:
        """After commit, before the app's network goes: leave it, remove orphaned servers.
        The rows are gone already; what the engine refuses now, the next start's
        ensure_all() finishes (it removes servers without rows)."""
        try:
            for addon in gone.left:
                self._runtime.disconnect(addon, gone.app)
            for addon in gone.removed:
                self._runtime.remove(addon)
                log.info("add-on %s destroyed with its app %s", addon.name, gone.app)
        except PaasError as exc:
            log.error("add-ons of destroyed app %s: %s", gone.app, exc.message)

    # -- the platform's start ---------------------------------------------------------------

    def ensure_all(self, started_at: datetime) -> int:
        """Every add-on's server exists, runs and sits on its apps' networks; what a
        provision interrupted before `started_at` (the platform's start) left is
        removed. Returns how many servers changed."""
        with self._store.transaction() as tx:
            plans = [(a, sorted({t.app_name for t in tx.addons.attachments(addon_id=a.id)}))
                     for a in tx.addons.list()]
        changed = 0
        for addon, apps in plans:
            try:
                if addon.state == AddonState.PROVISIONED:
                    changed += self._runtime.ensure(addon, apps)
                elif addon.created_at < started_at:
                    log.warning("add-on %s: provisioning was interrupted; removing it", addon.name)
                    self._runtime.remove(addon)
                    self._forget_rows(addon)
            except PaasError as exc:
                log.error("add-on %s: %s", addon.name, exc.message)
        return changed + self._runtime.remove_unknown(self._names)

    def _names(self) -> set[str]:
        with self._store.transaction() as tx:
            return {a.name for a in tx.addons.list()}
