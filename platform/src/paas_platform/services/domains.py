"""DomainService: the custom hostnames an app answers to.

Hostnames are validated and normalized (domain/routing.py), unique across apps
(the store's constraint: 409), and names under PAAS_DOMAIN belong to the app they
name. Every change re-applies the router's configuration at once.
"""

from __future__ import annotations

import logging
from typing import Callable

from paas_platform.domain.errors import InvalidParams, NotFound, PaasError
from paas_platform.domain.routing import (
    CustomDomain, check_custom_domain, default_hostname, normalize_hostname,
)
from paas_platform.services.clock import Clock, utc_now
from paas_platform.services.log_hub import NULL_LOGS, LogSink
from paas_platform.store import Store

log = logging.getLogger("paas.domains")


def reapply_routes(apply: Callable[[], object]) -> None:
    """Re-apply the router's table after a change; the change itself is already saved,
    so a router that cannot be reached now catches up on its next sync."""
    try:
        apply()
    except PaasError as exc:
        log.warning("router not updated yet (it retries): %s", exc.message)


class DomainService:
    def __init__(self, store: Store, platform_domain: str, apply_routes: Callable[[], object],
                 clock: Clock = utc_now, logs: LogSink = NULL_LOGS) -> None:
        self._store = store
        self._logs = logs
        self._platform_domain = platform_domain
        self._apply_routes = apply_routes
        self._clock = clock

    def default(self, app_name: str) -> str:
        return default_hostname(app_name, self._platform_domain)

    def list(self, app_name: str) -> list[CustomDomain]:
        with self._store.transaction() as tx:
            app = tx.apps.get(app_name)
            return tx.domains.list(app.id)

    def add(self, app_name: str, hostname: object, user: str) -> CustomDomain:
        name = normalize_hostname(hostname)
        check_custom_domain(name, app_name, self._platform_domain)
        with self._store.transaction(write=True) as tx:
            app = tx.apps.get(app_name, lock=True)
            domain = tx.domains.insert(app.id, name, self._clock())
        log.info("domain %s added to %s by %s", name, app_name, user)
        self._logs.event(app_name, f"Domain {name} added by {user}")
        reapply_routes(self._apply_routes)
        return domain

    def remove(self, app_name: str, hostname: str, user: str) -> CustomDomain:
        try:
            name = normalize_hostname(hostname)
        except InvalidParams:
            name = hostname  # cannot be stored, so: not found below
        if name == self.default(app_name):
            raise InvalidParams(f"{name} is {app_name}'s default hostname; it cannot be removed")
        with self._store.transaction(write=True) as tx:
            app = tx.apps.get(app_name, lock=True)
            domain = tx.domains.delete(app.id, name)
        if domain is None:
            raise NotFound(f"domain {name} not found on {app_name}")
        log.info("domain %s removed from %s by %s", name, app_name, user)
        self._logs.event(app_name, f"Domain {name} removed by {user}")
        reapply_routes(self._apply_routes)
        return domain
