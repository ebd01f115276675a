"""MaintenanceService: maintenance mode on or off. The router answers the app's
hosts with a 503 maintenance page; its dynos keep running untouched."""

from __future__ import annotations

import logging
from typing import Callable

from paas_platform.services.clock import Clock, utc_now
from paas_platform.services.log_hub import NULL_LOGS, LogSink
from paas_platform.services.domains import reapply_routes
from paas_platform.store import Store

log = logging.getLogger("paas.maintenance")


class MaintenanceService:
    def __init__(self, store: Store, apply_routes: Callable[[], object],
                 clock: Clock = utc_now, logs: LogSink = NULL_LOGS) -> None:
        self._store = store
        self._logs = logs
        self._apply_routes = apply_routes
        self._clock = clock

    def set(self, app_name: str, enabled: bool, user: str) -> None:
        with self._store.transaction(write=True) as tx:
            app = tx.apps.get(app_name, lock=True)
            if app.maintenance == enabled:
                return
            tx.apps.set_maintenance(app.id, enabled, self._clock())
        log.info("maintenance mode %s for %s by %s", "on" if enabled else "off", app_name, user)
        self._logs.event(app_name, f"Maintenance mode {'on' if enabled else 'off'} by {user}")
        reapply_routes(self._apply_routes)
