"""ReleaseLedger: append-only storage of releases.

`append` numbers the release from the app's counter in the caller's transaction
(gap-free, unique); the only update is a pending release's status, and the
database's trigger refuses anything else.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from paas_platform.domain.releases import NewRelease, Release, ReleaseStatus
from paas_platform.store.apps import AppRows
from paas_platform.store.schema import releases


class ReleaseLedger:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def append(self, app_id: str, new: NewRelease, now: datetime) -> Release:
        version = AppRows(self._conn).next_release_version(app_id)
        row = {
            "id": str(uuid.uuid4()),
            "app_id": app_id,
            "version": version,
            "build_id": new.build_id,
            "config": dict(new.config),
            "description": new.description,
            "status": new.status.value,
            "user_name": new.user,
            "created_at": now,
            "updated_at": now,
        }
        self._conn.execute(releases.insert().values(**row))
        return _to_release(row)

    def list(self, app_id: str) -> list[Release]:
        query = (
            sa.select(releases).where(releases.c.app_id == app_id).order_by(releases.c.version)
        )
        return [_to_release(row) for row in self._conn.execute(query).mappings()]

    def find(self, app_id: str, version: int) -> Release | None:
        query = sa.select(releases).where(
            releases.c.app_id == app_id, releases.c.version == version
        )
        row = self._conn.execute(query).mappings().first()
        return _to_release(row) if row else None

    def current(self, app_id: str) -> Release | None:
        """The newest succeeded release."""
        query = (
            sa.select(releases)
            .where(releases.c.app_id == app_id, releases.c.status == ReleaseStatus.SUCCEEDED.value)
            .order_by(releases.c.version.desc())
            .limit(1)
        )
        row = self._conn.execute(query).mappings().first()
        return _to_release(row) if row else None

    def latest_live(self, app_id: str) -> Release | None:
        """The newest release that has not failed (a pending deploy counts)."""
        query = (
            sa.select(releases)
            .where(releases.c.app_id == app_id, releases.c.status != ReleaseStatus.FAILED.value)
            .order_by(releases.c.version.desc())
            .limit(1)
        )
        row = self._conn.execute(query).mappings().first()
        return _to_release(row) if row else None

    def set_status(self, release_id: str, status: ReleaseStatus, now: datetime) -> None:
        self._conn.execute(
            releases.update()
            .where(releases.c.id == release_id)
            .values(status=status.value, updated_at=now)
        )

    def delete_all(self, app_id: str) -> None:
        """Only for destroying the app itself: its history goes with it."""
        self._conn.execute(releases.delete().where(releases.c.app_id == app_id))


def _to_release(row) -> Release:
    return Release(
        id=row["id"],
        app_id=row["app_id"],
        version=row["version"],
        description=row["description"],
        status=ReleaseStatus(row["status"]),
        config=dict(row["config"]),
        user=row["user_name"],
        created_at=row["created_at"],
        build_id=row["build_id"],
        updated_at=row["updated_at"],
    )
