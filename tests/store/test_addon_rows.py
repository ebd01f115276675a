"""Add-on rows on real databases: unique names, one var per app, what goes with what."""

from datetime import datetime, timezone

import pytest

from paas_platform.domain.addons import AddonState, Credentials
from paas_platform.domain.errors import Conflict, NotFound
from paas_platform.services.apps import AppService

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)
CREDS = Credentials("u1", "pw-secret", "d1")


@pytest.fixture
def apps(store):
    service = AppService(store, "bookworm")
    for name in ("demo", "other"):
        service.create(name, "admin")
    with store.transaction() as tx:
        return {name: tx.apps.get(name).id for name in ("demo", "other")}


def insert(tx, apps, name="postgresql-calm-12345", owner="demo"):
    return tx.addons.insert(name, "postgresql", "dev", apps[owner], CREDS, f"vol-{name}",
                            AddonState.PROVISIONING, NOW)


def test_insert_read_and_unique_names(store, apps):
    with store.transaction(write=True) as tx:
        addon = insert(tx, apps)
        with pytest.raises(Conflict, match="postgresql-calm-12345 is already taken"):
            insert(tx, apps, owner="other")
        # The savepoint kept the transaction usable.
        tx.addons.set_state(addon.id, AddonState.PROVISIONED)
    with store.transaction() as tx:
        found = tx.addons.get("postgresql-calm-12345")
        assert (found.app_name, found.kind, found.plan, found.state, found.volume) == (
            "demo", "postgresql", "dev", "provisioned", "vol-postgresql-calm-12345")
        assert found.credentials == CREDS and found.created_at == NOW
        assert [a.name for a in tx.addons.list()] == ["postgresql-calm-12345"]
        assert tx.addons.find("nope") is None
        with pytest.raises(NotFound, match="add-on nope not found"):
            tx.addons.get("nope")


def test_attachments_one_name_per_app(store, apps):
    with store.transaction(write=True) as tx:
        addon = insert(tx, apps)
        first = tx.addons.attach(addon.id, apps["demo"], "DATABASE", NOW)
        tx.addons.attach(addon.id, apps["other"], "DATABASE", NOW)
        tx.addons.attach(addon.id, apps["other"], "REPLICA", NOW)
        with pytest.raises(Conflict, match="DATABASE_URL is already set"):
            tx.addons.attach(addon.id, apps["demo"], "DATABASE", NOW)
    with store.transaction() as tx:
        assert first.var == "DATABASE_URL" and first.app_name == "demo"
        assert [(a.app_name, a.name) for a in tx.addons.attachments(addon_id=addon.id)] == [
            ("demo", "DATABASE"), ("other", "DATABASE"), ("other", "REPLICA")]
        assert [a.var for a in tx.addons.attachments(app_id=apps["other"])] == [
            "DATABASE_URL", "REPLICA_URL"]
        assert tx.addons.attached_vars(apps["demo"]) == {
            "DATABASE_URL": "postgres://u1:pw-secret@postgresql-calm-12345:5432/d1"}
        assert tx.addons.attachment(first.id) == first


def test_detach_delete_and_hand_over(store, apps):
    with store.transaction(write=True) as tx:
        addon = insert(tx, apps)
        kept = insert(tx, apps, name="redis-calm-54321")
        attachment = tx.addons.attach(addon.id, apps["demo"], "DATABASE", NOW)
        tx.addons.attach(addon.id, apps["other"], "DATABASE", NOW)
        tx.addons.detach(attachment.id)
        tx.addons.set_owner(kept.id, apps["other"])
    with store.transaction(write=True) as tx:
        assert [a.app_name for a in tx.addons.attachments(addon_id=addon.id)] == ["other"]
        assert [a.name for a in tx.addons.owned_by(apps["other"])] == ["redis-calm-54321"]
        tx.addons.delete(addon.id)
    with store.transaction() as tx:
        assert [a.name for a in tx.addons.list()] == ["redis-calm-54321"]
        assert tx.addons.attachments() == []
        with pytest.raises(NotFound):
            tx.addons.attachment(attachment.id)


def test_destroying_an_app_with_add_ons_leaves_no_rows(store, apps):
    from paas_platform.services.addons import AddonService, NoAddonRuntime
    from paas_platform.services.config_vars import ConfigService
    from paas_platform.services.runner import NullRunner

    addons = AddonService(store, ConfigService(store, NullRunner(store)), NoAddonRuntime(), "t")
    with store.transaction(write=True) as tx:
        addon = insert(tx, apps)
        tx.addons.attach(addon.id, apps["demo"], "DATABASE", NOW)
    AppService(store, "bookworm", addons=addons).destroy("demo", "admin")
    with store.transaction() as tx:
        assert tx.addons.list() == [] and tx.addons.attachments() == []
