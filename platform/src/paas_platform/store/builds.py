"""Row gateway for builds. A build is written pending, then finished once."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from paas_platform.domain.builds import Build, BuildResult, BuildStatus
from paas_platform.store.schema import builds


class BuildRows:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def insert(self, app_id: str, source_version: str | None, user: str, now: datetime) -> Build:
        row = {
            "id": str(uuid.uuid4()), "app_id": app_id, "status": BuildStatus.PENDING.value,
            "source_version": source_version, "buildpack": None, "process_types": {},
            "image_id": None, "image_tag": None, "image_size": None, "release_id": None,
            "output": "", "user_name": user, "created_at": now, "updated_at": now,
        }
        self._conn.execute(builds.insert().values(**row))
        return _to_build(row)

    def finish(self, build_id: str, result: BuildResult | None, output: str, now: datetime) -> None:
        values = {"status": BuildStatus.FAILED.value, "output": output, "updated_at": now}
        if result is not None:
            values.update(
                status=BuildStatus.SUCCEEDED.value, buildpack=result.buildpack,
                process_types=result.process_types, image_id=result.image_id,
                image_tag=result.image_tag, image_size=result.image_size,
            )
        self._conn.execute(builds.update().where(builds.c.id == build_id).values(**values))

    def finish_output(self, build_id: str, output: str) -> None:
        """The complete output, release phase included (written after the build row)."""
        self._conn.execute(builds.update().where(builds.c.id == build_id).values(output=output))

    def link_release(self, build_id: str, release_id: str) -> None:
        self._conn.execute(
            builds.update().where(builds.c.id == build_id).values(release_id=release_id)
        )

    def get(self, app_id: str, build_id: str) -> Build | None:
        query = sa.select(builds).where(builds.c.app_id == app_id, builds.c.id == build_id)
        row = self._conn.execute(query).mappings().first()
        return _to_build(row) if row else None

    def output(self, build_id: str) -> str:
        query = sa.select(builds.c.output).where(builds.c.id == build_id)
        return self._conn.execute(query).scalar_one_or_none() or ""

    def list(self, app_id: str) -> list[Build]:
        query = sa.select(builds).where(builds.c.app_id == app_id).order_by(builds.c.created_at)
        return [_to_build(row) for row in self._conn.execute(query).mappings()]

    def fail_unfinished(self, note: str, now: datetime) -> int:
        """Builds left pending by a control plane that stopped mid-build can never finish."""
        result = self._conn.execute(
            builds.update()
            .where(builds.c.status == BuildStatus.PENDING.value)
            .values(status=BuildStatus.FAILED.value, output=builds.c.output + note, updated_at=now)
        )
        return result.rowcount or 0

    def delete_all(self, app_id: str) -> None:
        self._conn.execute(builds.delete().where(builds.c.app_id == app_id))


def _to_build(row) -> Build:
    return Build(
        id=row["id"], app_id=row["app_id"], status=BuildStatus(row["status"]),
        created_at=row["created_at"], updated_at=row["updated_at"],
        source_version=row["source_version"], buildpack=row["buildpack"],
        process_types=dict(row["process_types"] or {}), image_id=row["image_id"],
        image_tag=row["image_tag"], image_size=row["image_size"], release_id=row["release_id"],
        user=row["user_name"],
    )
