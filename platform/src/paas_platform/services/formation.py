"""FormationService: read and scale an app's formation. Scaling makes no release;
the reconciler converges the engine to the new quantities."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from paas_platform.domain.errors import InvalidParams
from paas_platform.domain.formation import (
    DEFAULT_SIZE, new_quantity, runnable_types, validate_size,
)
from paas_platform.services.clock import Clock, utc_now
from paas_platform.services.log_hub import NULL_LOGS, LogSink
from paas_platform.services.desired_state import quantities
from paas_platform.services.runner import Runner
from paas_platform.store import Store

log = logging.getLogger("paas.formation")


@dataclass(frozen=True)
class FormationEntry:
    process_type: str
    quantity: int
    command: str
    size: str = DEFAULT_SIZE


class FormationService:
    def __init__(self, store: Store, runner: Runner, clock: Clock = utc_now,
                 logs: LogSink = NULL_LOGS) -> None:
        self._store = store
        self._logs = logs
        self._runner = runner
        self._clock = clock

    def _process_types(self, tx, app) -> dict[str, str]:
        release = tx.releases.latest_live(app.id)
        build = tx.builds.get(app.id, release.build_id) if release and release.build_id else None
        return runnable_types(build.process_types) if build else {}

    def get(self, app_name: str) -> list[FormationEntry]:
        with self._store.transaction() as tx:
            app = tx.apps.get(app_name)
            types = self._process_types(tx, app)
            counts = quantities(types, tx.formation.get(app.id))
            sizes = tx.formation.sizes(app.id)
        return [FormationEntry(t, counts[t], c, sizes.get(t, DEFAULT_SIZE))
                for t, c in sorted(types.items())]

    def update(self, app_name: str, updates: object, user: str) -> list[FormationEntry]:
        if not isinstance(updates, list) or not updates:
            raise InvalidParams("updates must be a non-empty list of {type, quantity}")
        with self._store.transaction(write=True) as tx:
            app = tx.apps.get(app_name, lock=True)
            types = self._process_types(tx, app)
            counts = quantities(types, tx.formation.get(app.id))
            stored_sizes = tx.formation.sizes(app.id)
            sizes = {t: stored_sizes.get(t, DEFAULT_SIZE) for t in types}
            changed: dict[str, tuple[int, str]] = {}
            for update in updates:
                if not isinstance(update, dict) or "type" not in update or not (
                        "quantity" in update or "size" in update):
                    raise InvalidParams("each update needs a type and a quantity and/or size")
                ptype = str(update["type"]).lower()
                if ptype not in types:
                    known = ", ".join(sorted(types)) or "none yet: deploy first"
                    raise InvalidParams(f"no process type {ptype} on {app_name} (known: {known})")
                if ptype in changed:
                    raise InvalidParams(f"process type {ptype} appears twice")
                quantity = (new_quantity(counts[ptype], update["quantity"])
                            if "quantity" in update else counts[ptype])
                size = validate_size(update["size"]) if "size" in update else sizes[ptype]
                changed[ptype] = (quantity, size)
            now = self._clock()
            for ptype, (quantity, size) in changed.items():
                tx.formation.set(app.id, ptype, quantity, size, now)
                counts[ptype], sizes[ptype] = quantity, size
        scaled = " ".join(f"{t}={q}:{z}" for t, (q, z) in sorted(changed.items()))
        log.info("%s scaled by %s: %s", app_name, user, scaled)
        self._logs.event(app_name, f"Scaled to {scaled} by {user}")
        self._runner.poke()
        return [FormationEntry(t, counts[t], c, sizes[t]) for t, c in sorted(types.items())]
