"""Row gateway for apps: the rows, and the app-row lock that serializes its writers."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from paas_platform.domain.apps import App
from paas_platform.domain.errors import Conflict, NotFound
from paas_platform.store.schema import apps


class AppRows:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def insert(self, name: str, stack: str, now: datetime) -> App:
        row = {
            "id": str(uuid.uuid4()),
            "name": name,
            "stack": stack,
            "buildpack": None,
            "maintenance": False,
            "health_check_path": None,
            "release_counter": 0,
            "config": {},
            "created_at": now,
            "updated_at": now,
        }
        try:
            # A savepoint, so a duplicate name leaves the outer transaction usable.
            with self._conn.begin_nested():
                self._conn.execute(apps.insert().values(**row))
        except sa.exc.IntegrityError as exc:
            raise Conflict(f"app name {name} is already taken") from exc
        return _to_app(row)

    def find(self, name: str, lock: bool = False) -> App | None:
        query = sa.select(apps).where(apps.c.name == name)
        if lock:
            # PostgreSQL: hold the row until commit so config merges and release
            # numbering of concurrent requests queue up. SQLite ignores FOR UPDATE;
            # its write transactions already hold the database lock (BEGIN IMMEDIATE).
            query = query.with_for_update()
        row = self._conn.execute(query).mappings().first()
        return _to_app(row) if row else None

    def get(self, name: str, lock: bool = False) -> App:
        app = self.find(name, lock=lock)
        if app is None:
            raise NotFound(f"app {name} not found")
        return app

    def list(self) -> list[App]:
        rows = self._conn.execute(sa.select(apps).order_by(apps.c.name)).mappings()
        return [_to_app(row) for row in rows]

    def set_config(self, app_id: str, config: dict[str, str], now: datetime) -> None:
        self._conn.execute(
            apps.update().where(apps.c.id == app_id).values(config=config, updated_at=now)
        )

    def set_buildpack(self, app_id: str, buildpack: str | None, now: datetime) -> None:
        self._conn.execute(
            apps.update().where(apps.c.id == app_id).values(buildpack=buildpack, updated_at=now)
        )

    def set_health_check(self, app_id: str, path: str | None, now: datetime) -> None:
        self._conn.execute(
            apps.update().where(apps.c.id == app_id).values(health_check_path=path, updated_at=now)
        )

    def set_maintenance(self, app_id: str, maintenance: bool, now: datetime) -> None:
        self._conn.execute(
            apps.update().where(apps.c.id == app_id).values(maintenance=maintenance, updated_at=now)
        )

    def next_release_version(self, app_id: str) -> int:
        """Bump and return the app's release counter (inside the caller's transaction)."""
        self._conn.execute(
            apps.update()
            .where(apps.c.id == app_id)
            .values(release_counter=apps.c.release_counter + 1)
        )
        return self._conn.execute(
            sa.select(apps.c.release_counter).where(apps.c.id == app_id)
        ).scalar_one()

    def delete(self, app_id: str) -> None:
        self._conn.execute(apps.delete().where(apps.c.id == app_id))


def _to_app(row) -> App:
    return App(
        id=row["id"],
        name=row["name"],
        stack=row["stack"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        config=dict(row["config"]),
        buildpack=row["buildpack"],
        maintenance=bool(row["maintenance"]),
        health_check_path=row.get("health_check_path"),
    )
