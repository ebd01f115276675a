"""Engines, transactions and the one place that translates database errors.

SQLite (the embedded default) runs in WAL mode with a busy timeout, and write
transactions start with BEGIN IMMEDIATE: two writers then queue for the lock
instead of both reading and one failing at commit. PostgreSQL write transactions
lock the app row (SELECT ... FOR UPDATE) before reading what they change.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url

from paas_platform.domain.errors import PaasError, StoreUnavailable
from paas_platform.store.addons import AddonRows
from paas_platform.store.apps import AppRows
from paas_platform.store.builds import BuildRows
from paas_platform.store.domains import DomainRows
from paas_platform.store.formation import FormationRows
from paas_platform.store.logs import LogRows
from paas_platform.store.releases import ReleaseLedger
from paas_platform.store.tokens import TokenRows

SQLITE_BUSY_TIMEOUT_MS = 30_000


class Transaction:
    """The row gateways of one database transaction."""

    def __init__(self, conn: sa.Connection) -> None:
        self.addons = AddonRows(conn)
        self.apps = AppRows(conn)
        self.builds = BuildRows(conn)
        self.domains = DomainRows(conn)
        self.formation = FormationRows(conn)
        self.logs = LogRows(conn)
        self.releases = ReleaseLedger(conn)
        self.tokens = TokenRows(conn)


class Store:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[Transaction]:
        """One transaction; `write=True` takes the write lock up front on SQLite."""
        with translate_errors():
            with self.engine.connect() as conn:
                if write:
                    conn = conn.execution_options(paas_write=True)
                with conn.begin():
                    yield Transaction(conn)

    def ping(self) -> None:
        with translate_errors(), self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def close(self) -> None:
        self.engine.dispose()


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn driver errors about reaching the database into StoreUnavailable."""
    try:
        yield
    except PaasError:
        raise
    except sa.exc.OperationalError as exc:
        raise StoreUnavailable(f"database unavailable: {_first_line(exc.orig)}") from exc
    except sa.exc.InterfaceError as exc:
        raise StoreUnavailable(f"database unavailable: {_first_line(exc.orig)}") from exc


def _first_line(exc: BaseException | None) -> str:
    return str(exc).strip().splitlines()[0] if exc and str(exc).strip() else "unknown error"


def create_engine(database_url: str, **connect_args: object) -> sa.Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    if url.get_backend_name() == "postgresql":
        return sa.create_engine(url, pool_pre_ping=True, connect_args=dict(connect_args))
    raise StoreUnavailable(
        f"unsupported DATABASE_URL scheme {url.drivername!r}: use sqlite:/// or postgresql+psycopg://"
    )


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit
        # transactions would defeat BEGIN IMMEDIATE).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        write = conn.get_execution_options().get("paas_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def open_store(database_url: str, migrate: bool = True, **connect_args: object) -> Store:
    """Connect, and bring the schema up to date unless told not to."""
    from paas_platform.store.migrate import upgrade

    engine = create_engine(database_url, **connect_args)
    if migrate:
        with translate_errors():
            upgrade(engine)
    return Store(engine)
