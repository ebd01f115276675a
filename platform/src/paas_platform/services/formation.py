"""FormationService: read and scale an app's formation. Scaling makes no release;
the reconciler converges the engine to the new quantities."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from paas_platform.domain.errors import InvalidParams
from paas_platform.domain.formation import new_quantity, runnable_types
from paas_platform.services.clock import Clock, utc_now
from paas_platform.services.desired_state import quantities
from paas_platform.services.runner import Runner
from paas_platform.store import Store

log = logging.getLogger("paas.formation")


@dataclass(frozen=True)
class FormationEntry:
    process_type: str
    quantity: int
    command: str


class FormationService:
    def __init__(self, store: Store, runner: Runner, clock: Clock = utc_now) -> None:
        self._store = store
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
        return [FormationEntry(t, counts[t], c) for t, c in sorted(types.items())]

    def update(self, app_name: str, updates: object, user: str) -> list[FormationEntry]:
        if not isinstance(updates, list) or not updates:
            raise InvalidParams("updates must be a non-empty list of {type, quantity}")
        with self._store.transaction(write=True) as tx:
            app = tx.apps.get(app_name, lock=True)
            types = self._process_types(tx, app)
            counts = quantities(types, tx.formation.get(app.id))
            changed = {}
            for update in updates:
                if not isinstance(update, dict) or "type" not in update or "quantity" not in update:
                    raise InvalidParams("each update needs a type and a quantity")
                ptype = str(update["type"]).lower()
                if ptype not in types:
                    known = ", ".join(sorted(types)) or "none yet: deploy first"
                    raise InvalidParams(f"no process type {ptype} on {app_name} (known: {known})")
                if ptype in changed:
                    raise InvalidParams(f"process type {ptype} appears twice")
                changed[ptype] = new_quantity(counts[ptype], update["quantity"])
            now = self._clock()
            for ptype, quantity in changed.items():
                tx.formation.set(app.id, ptype, quantity, now)
                counts[ptype] = quantity
        log.info("%s scaled by %s: %s", app_name, user,
                 ", ".join(f"{t}={q}" for t, q in changed.items()))
        self._runner.poke()
        return [FormationEntry(t, counts[t], c) for t, c in sorted(types.items())]
