"""The ledger on real databases: append-only rows, gap-free versions under concurrency."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from paas_platform.domain.releases import NewRelease, ReleaseStatus
from paas_platform.services.apps import AppService
from paas_platform.services.config_vars import ConfigService
from paas_platform.services.releases import ReleaseService
from paas_platform.services.runner import NullRunner

NOW = datetime(2026, 11, 23, 23, 50, tzinfo=timezone.utc)


@pytest.fixture
def demo(store):
    AppService(store, "bookworm").create("demo", "admin")
    ConfigService(store, NullRunner(store)).update("demo", {"A": "1"}, "admin")  # v2
    return "demo"


@pytest.mark.parametrize("column,value", [
    ("description", "'rewritten'"),
    ("config", "'{}'"),
    ("version", "99"),
    ("build_id", "'b-forged'"),
    ("user_name", "'mallory'"),
    ("status", "'failed'"),
])
def test_written_releases_cannot_be_changed(store, demo, column, value):
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with store.engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE releases SET {column} = {value} WHERE version = 2")
    releases, _ = ReleaseService(store, NullRunner(store)).list("demo")
    assert [(r.version, r.description, r.config, r.status) for r in releases] == [
        (1, "Initial release", {}, ReleaseStatus.SUCCEEDED),
        (2, "Set A config var", {"A": "1"}, ReleaseStatus.SUCCEEDED),
    ]


def test_only_a_pending_status_may_change_once(store, demo):
    with store.transaction(write=True) as tx:
        app = tx.apps.get("demo")
        pending = tx.releases.append(app.id, NewRelease("Deploy", {}, "admin", status=ReleaseStatus.PENDING), NOW)
        tx.releases.set_status(pending.id, ReleaseStatus.SUCCEEDED, NOW)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with store.transaction(write=True) as tx:
            tx.releases.set_status(pending.id, ReleaseStatus.FAILED, NOW)
    with store.transaction() as tx:
        assert tx.releases.current(app.id).version == 3


def test_versions_are_unique_per_app(store, demo):
    with pytest.raises(sa.exc.IntegrityError):
        with store.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO releases (id, app_id, version, config, description, status, "
                "user_name, created_at, updated_at) SELECT 'dup', app_id, 2, '{}', 'dup', "
                "'succeeded', 'admin', created_at, updated_at FROM releases WHERE version = 2"
            )


def test_twenty_parallel_config_changes_get_v2_to_v21(store):
    AppService(store, "bookworm").create("demo", "admin")
    config = ConfigService(store, NullRunner(store))

    def change(i):
        return config.update("demo", {f"KEY_{i}": str(i)}, "admin")[1]

    with ThreadPoolExecutor(max_workers=20) as pool:
        returned = list(pool.map(change, range(20)))
    releases, current = ReleaseService(store, NullRunner(store)).list("demo")
    assert sorted(returned) == list(range(2, 22))
    assert [r.version for r in releases] == list(range(1, 22))
    assert current.version == 21
    # Merges, not lost updates: the last snapshot holds every key.
    assert current.config == {f"KEY_{i}": str(i) for i in range(20)}
    # Each snapshot grows by exactly one key: no two changes saw the same base.
    assert [len(r.config) for r in releases] == list(range(0, 21))


def test_parallel_rollbacks_and_changes_stay_gap_free(store):
    AppService(store, "bookworm").create("demo", "admin")
    config, ledger = ConfigService(store, NullRunner(store)), ReleaseService(store, NullRunner(store))
    config.update("demo", {"BASE": "1"}, "admin")  # v2

    def work(i):
        if i % 2:
            return ledger.rollback("demo", 2, "admin").version
        return config.update("demo", {f"K{i}": "x"}, "admin")[1]

    with ThreadPoolExecutor(max_workers=10) as pool:
        returned = list(pool.map(work, range(20)))
    assert sorted(returned) == list(range(3, 23))


def test_migrations_are_idempotent(database_url):
    from paas_platform.store import open_store
    from paas_platform.store.migrate import current_revision

    url, connect_args = database_url
    for _ in range(2):
        store = open_store(url, **connect_args)
        assert current_revision(store.engine) == "0007"
        store.close()
