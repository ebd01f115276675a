"""Row gateway for the formation (process type -> quantity per app)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from paas_platform.store.schema import formation


class FormationRows:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def get(self, app_id: str) -> dict[str, int]:
        return {ptype: quantity for ptype, (quantity, _size) in self.entries(app_id).items()}

    def sizes(self, app_id: str) -> dict[str, str]:
        return {ptype: size for ptype, (_quantity, size) in self.entries(app_id).items()}

    def entries(self, app_id: str) -> dict[str, tuple[int, str]]:
        query = sa.select(formation.c.process_type, formation.c.quantity, formation.c.size).where(
            formation.c.app_id == app_id
        )
        return {row.process_type: (row.quantity, row.size) for row in self._conn.execute(query)}

    def set(self, app_id: str, process_type: str, quantity: int, size: str, now: datetime) -> None:
        updated = self._conn.execute(
            formation.update()
            .where(formation.c.app_id == app_id, formation.c.process_type == process_type)
            .values(quantity=quantity, size=size, updated_at=now)
        )
        if not updated.rowcount:
            self._conn.execute(formation.insert().values(
                app_id=app_id, process_type=process_type, quantity=quantity, size=size,
                updated_at=now,
            ))

    def delete_all(self, app_id: str) -> None:
        self._conn.execute(formation.delete().where(formation.c.app_id == app_id))
