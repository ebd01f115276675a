"""Row gateway for the log stream: lines, collection cursors and drains.

Timestamps are stored as microseconds since the epoch (UTC), so ordering and
windows work the same on SQLite and PostgreSQL; ties keep insertion order by id.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Iterable, Sequence

import sqlalchemy as sa

from paas_platform.domain.errors import Conflict
from paas_platform.domain.logs import LogCursor, LogDrain, LogLine, LogQuery
from paas_platform.store.schema import log_cursors, log_drains, log_lines

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def to_micros(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    delta = moment - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    return datetime.fromtimestamp(micros // 1_000_000, timezone.utc).replace(
        microsecond=micros % 1_000_000
    )


class LogRows:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    # -- lines -------------------------------------------------------------

    def append(self, lines: Sequence[LogLine]) -> None:
        """Insert a batch with one executemany of plain tuples: the router alone can
        bring thousands of lines a second, and SQLAlchemy's per-row parameter
        processing would cost more than the database's work."""
        if not lines:
            return
        rows = [(line.app, to_micros(line.timestamp), line.source, line.process, line.text)
                for line in lines]
        mark = "?" if self._conn.dialect.paramstyle == "qmark" else "%s"
        self._conn.exec_driver_sql(
            f"INSERT INTO {log_lines.name} (app, timestamp, source, process, text) "
            f"VALUES ({', '.join([mark] * 5)})", rows)

    def query(self, app: str, query: LogQuery, not_before: datetime | None = None) -> list[LogLine]:
        """The last `query.num` matching lines, oldest first."""
        c = log_lines.c
        conditions = [c.app == app]
        since = query.since
        if not_before is not None and (since is None or since < not_before):
            since = not_before
        if since is not None:
            conditions.append(c.timestamp >= to_micros(since))
        if query.until is not None:
            conditions.append(c.timestamp <= to_micros(query.until))
        if query.source:
            conditions.append(c.source == query.source)
        if query.dyno:
            if "." in query.dyno:
                conditions.append(c.process == query.dyno)
            else:
                conditions.append(sa.or_(
                    c.process == query.dyno,
                    c.process.startswith(query.dyno + ".", autoescape=True),
                ))
        select = (
            sa.select(c.app, c.timestamp, c.source, c.process, c.text)
            .where(*conditions)
            .order_by(c.timestamp.desc(), c.id.desc())
            .limit(query.num)
        )
        rows = self._conn.execute(select).all()
        return [
            LogLine(row.app, from_micros(row.timestamp), row.source, row.process, row.text)
            for row in reversed(rows)
        ]

    def count(self, app: str) -> int:
        select = sa.select(sa.func.count()).select_from(log_lines).where(log_lines.c.app == app)
        return int(self._conn.execute(select).scalar_one())

    def apps_with_lines(self) -> list[str]:
        select = sa.select(log_lines.c.app).distinct().order_by(log_lines.c.app)
        return list(self._conn.execute(select).scalars())

    def prune(self, app: str, max_lines: int, not_before: datetime) -> int:
        """Delete the app's lines older than `not_before` and all but the newest
        `max_lines`; return how many went."""
        c = log_lines.c
        removed = self._conn.execute(
            log_lines.delete().where(c.app == app, c.timestamp < to_micros(not_before))
        ).rowcount
        # The newest line that is over the cap: it and everything before it go.
        edge = self._conn.execute(
            sa.select(c.timestamp, c.id).where(c.app == app)
            .order_by(c.timestamp.desc(), c.id.desc()).offset(max_lines).limit(1)
        ).first()
        if edge is not None:
            removed += self._conn.execute(
                log_lines.delete().where(
                    c.app == app,
                    sa.or_(c.timestamp < edge.timestamp,
                           sa.and_(c.timestamp == edge.timestamp, c.id <= edge.id)),
                )
            ).rowcount
        return removed

    def delete_app(self, app: str) -> None:
        """An app's lines, cursors and drains (the app is destroyed, or its name reused)."""
        self._conn.execute(log_lines.delete().where(log_lines.c.app == app))
        self._conn.execute(log_cursors.delete().where(log_cursors.c.app == app))
        self._conn.execute(log_drains.delete().where(log_drains.c.app == app))

    # -- cursors -----------------------------------------------------------

    def cursor(self, container_id: str) -> LogCursor | None:
        row = self._conn.execute(
            sa.select(log_cursors).where(log_cursors.c.container_id == container_id)
        ).mappings().first()
        if row is None:
            return None
        return LogCursor(row["container_id"], row["timestamp"], row["repeats"], row["app"])

    def upsert_cursors(self, cursors: Sequence[LogCursor]) -> None:
        """Replace the cursors of these containers (delete + insert: portable, and
        atomic inside the caller's transaction). The last cursor per container wins."""
        if not cursors:
            return
        latest = {cursor.container_id: cursor for cursor in cursors}
        self.delete_cursors(latest)
        self._conn.execute(log_cursors.insert(), [
            {"container_id": cursor.container_id, "app": cursor.app,
             "timestamp": cursor.timestamp, "repeats": cursor.repeats}
            for cursor in latest.values()
        ])

    def delete_cursors(self, container_ids: Iterable[str]) -> None:
        ids = list(container_ids)
        if ids:
            self._conn.execute(log_cursors.delete().where(log_cursors.c.container_id.in_(ids)))

    def cursor_ids(self) -> list[str]:
        return list(self._conn.execute(sa.select(log_cursors.c.container_id)).scalars())

    def all_cursors(self) -> list[LogCursor]:
        rows = self._conn.execute(sa.select(log_cursors)).mappings()
        return [LogCursor(r["container_id"], r["timestamp"], r["repeats"], r["app"]) for r in rows]

    # -- drains ------------------------------------------------------------

    def add_drain(self, app: str, url: str, now: datetime, token: str | None = None) -> LogDrain:
        drain = LogDrain(str(uuid.uuid4()), app, url, token or f"d.{uuid.uuid4()}", now)
        try:
            # A savepoint, so a duplicate leaves the outer transaction usable.
            with self._conn.begin_nested():
                self._conn.execute(log_drains.insert().values(
                    id=drain.id, app=app, url=url, token=drain.token, created_at=now))
        except sa.exc.IntegrityError as exc:
            raise Conflict(f"{app} already drains to that URL") from exc
        return drain

    def drains(self, app: str | None = None) -> list[LogDrain]:
        select = sa.select(log_drains).order_by(log_drains.c.app, log_drains.c.created_at,
                                                log_drains.c.id)
        if app is not None:
            select = select.where(log_drains.c.app == app)
        return [_to_drain(row) for row in self._conn.execute(select).mappings()]

    def remove_drain(self, app: str, id_or_url: str) -> LogDrain | None:
        """Delete the app's drain with this id, token or URL; None if it has none."""
        c = log_drains.c
        row = self._conn.execute(
            sa.select(log_drains).where(
                c.app == app, sa.or_(c.id == id_or_url, c.url == id_or_url, c.token == id_or_url))
        ).mappings().first()
        if row is None:
            return None
        self._conn.execute(log_drains.delete().where(c.id == row["id"]))
        return _to_drain(row)


def _to_drain(row) -> LogDrain:
    return LogDrain(row["id"], row["app"], row["url"], row["token"], row["created_at"])
