"""Row gateway for custom domains: hostnames routed to an app, unique across apps."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from paas_platform.domain.errors import Conflict
from paas_platform.domain.routing import CustomDomain
from paas_platform.store.schema import domains


class DomainRows:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def list(self, app_id: str) -> list[CustomDomain]:
        query = sa.select(domains).where(domains.c.app_id == app_id).order_by(domains.c.hostname)
        return [_to_domain(row) for row in self._conn.execute(query).mappings()]

    def hostnames_by_app(self) -> dict[str, list[str]]:
        """app id -> its hostnames, for every app at once (the router's table)."""
        query = sa.select(domains.c.app_id, domains.c.hostname).order_by(domains.c.hostname)
        found: dict[str, list[str]] = {}
        for row in self._conn.execute(query):
            found.setdefault(row.app_id, []).append(row.hostname)
        return found

    def insert(self, app_id: str, hostname: str, now: datetime) -> CustomDomain:
        row = {"id": str(uuid.uuid4()), "app_id": app_id, "hostname": hostname, "created_at": now}
        try:
            # A savepoint, so a taken hostname leaves the outer transaction usable.
            with self._conn.begin_nested():
                self._conn.execute(domains.insert().values(**row))
        except sa.exc.IntegrityError as exc:
            raise Conflict(f"{hostname} is already in use by an app") from exc
        return _to_domain(row)

    def delete(self, app_id: str, hostname: str) -> CustomDomain | None:
        query = sa.select(domains).where(domains.c.app_id == app_id, domains.c.hostname == hostname)
        row = self._conn.execute(query).mappings().first()
        if row is None:
            return None
        self._conn.execute(domains.delete().where(domains.c.id == row["id"]))
        return _to_domain(row)


def _to_domain(row) -> CustomDomain:
    return CustomDomain(id=row["id"], app_id=row["app_id"], hostname=row["hostname"],
                        created_at=row["created_at"])
