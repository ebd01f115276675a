"""Add-ons through the API on the real store, with a fake engine for the servers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from paas_platform.domain.addons import AddonStatus
from paas_platform.domain.errors import Unavailable
from tests.conftest import ADMIN_TOKEN


class FakeAddonRuntime:
    """Servers as a dict: add-on name -> the apps whose networks it is on."""

    def __init__(self) -> None:
        self.servers: dict[str, set[str]] = {}
        self.fail_provision = False
        self.fail_connect = False

    def provision(self, addon, apps):
        if self.fail_provision:
            raise Unavailable(f"add-on {addon.name} did not accept connections within 60 s")
        self.servers[addon.name] = set(apps)

    def ensure(self, addon, apps):
        changed = self.servers.get(addon.name) != set(apps)
        self.servers[addon.name] = set(apps)
        return changed

    def remove(self, addon):
        self.servers.pop(addon.name, None)

    def remove_unknown(self, known):
        names = known()
        gone = [n for n in self.servers if n not in names]
        for name in gone:
            del self.servers[name]
        return len(gone)

    def connect(self, addon, app):
        if self.fail_connect:
            raise Unavailable(f"connecting add-on {addon.name}: Docker Engine error")
        self.servers[addon.name].add(app)

    def disconnect(self, addon, app):
        self.servers.get(addon.name, set()).discard(app)

    def status(self, addon):
        return AddonStatus("running", 4096)


@pytest.fixture
def runtime():
    return FakeAddonRuntime()


@pytest.fixture
def client(settings, store, runtime):
    from paas_platform.api import create_app
    from paas_platform.services.tokens import TokenService

    TokenService(store).bootstrap(ADMIN_TOKEN)
    with TestClient(create_app(settings, store, addon_runtime=runtime)) as client:
        client.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
        for name in ("demo", "other", "third"):
            assert client.post("/apps", json={"name": name}).status_code == 201
        yield client


def config(client, app="demo"):
    return client.get(f"/apps/{app}/config-vars").json()


def releases(client, app="demo"):
    return [(r["version"], r["description"]) for r in client.get(f"/apps/{app}/releases").json()]


def create(client, app="demo", **body):
    return client.post(f"/apps/{app}/addons", json={"plan": "postgresql", **body})


def test_create_provisions_then_sets_the_var_in_a_release(client, runtime):
    response = create(client)
    assert response.status_code == 201, response.text
    addon = response.json()
    name = addon["name"]
    assert name.startswith("postgresql-") and addon["plan"]["name"] == "postgresql:dev"
    assert addon["state"] == "provisioned" and addon["config_vars"] == ["DATABASE_URL"]
    assert addon["app"]["name"] == "demo" and addon["release"] == {"version": 2}
    assert response.headers["Paas-Release-Version"] == "2"
    assert runtime.servers == {name: {"demo"}}
    url = config(client)["DATABASE_URL"]
    assert url.startswith("postgres://") and f"@{name}:5432/" in url
    assert releases(client)[-1] == (2, f"Attach DATABASE ({name})")
    password = url.split(":")[2].split("@")[0]
    for body in (response.text, client.get(f"/addons/{name}").text, client.get("/addons").text,
                 client.get("/apps/demo/addon-attachments").text):
        assert password not in body


def test_as_name_and_given_name(client):
    response = create(client, plan="redis:dev", name="cache-one", attachment={"name": "cache"})
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "cache-one"
    assert config(client)["CACHE_URL"].startswith("redis://:")
    assert releases(client)[-1] == (2, "Attach CACHE (cache-one)")


@pytest.mark.parametrize("body,status,message", [
    ({"plan": "mysql"}, 422, "unknown add-on service 'mysql': choose one of postgresql, redis"),
    ({"plan": "postgresql:gold"}, 422, "unknown plan 'gold'"),
    ({"plan": "redis", "name": "Bad Name"}, 422, "add-on name"),
    ({"plan": "redis", "attachment": {"name": "my-db"}}, 422, "attachment name"),
    ({}, 422, "plan"),
])
def test_bad_create_requests_change_nothing(client, runtime, body, status, message):
    response = client.post("/apps/demo/addons", json=body)
    assert response.status_code == status and message in response.json()["message"]
    assert runtime.servers == {} and client.get("/addons").json() == []
    assert releases(client) == [(1, "Initial release")]


def test_unknown_app_is_404(client):
    response = create(client, app="nope")
    assert response.status_code == 404 and response.json()["id"] == "not_found"


def test_duplicate_names_and_vars_conflict(client, runtime):
    assert create(client, name="main-db").status_code == 201
    taken = create(client, app="other", name="main-db")
    assert taken.status_code == 409 and "main-db is already taken" in taken.json()["message"]
    twice = create(client, plan="redis", attachment={"name": "DATABASE"})
    assert twice.status_code == 409
    assert "DATABASE_URL on demo is already set by add-on main-db" in twice.json()["message"]
    assert list(runtime.servers) == ["main-db"]
    assert releases(client, "other") == [(1, "Initial release")]


def test_a_failed_provision_leaves_nothing_behind(client, runtime):
    runtime.fail_provision = True
    response = create(client)
    assert response.status_code == 503
    assert "did not accept connections" in response.json()["message"]
    assert client.get("/addons").json() == [] and runtime.servers == {}
    assert releases(client) == [(1, "Initial release")] and config(client) == {}


def test_attach_list_detach(client, runtime):
    name = create(client).json()["name"]
    attached = client.post("/addon-attachments", json={"addon": name, "app": "other"})
    assert attached.status_code == 201, attached.text
    assert attached.json()["config_var"] == "DATABASE_URL"
    assert attached.json()["addon"]["app"]["name"] == "demo"
    assert config(client, "other")["DATABASE_URL"] == config(client)["DATABASE_URL"]
    assert runtime.servers[name] == {"demo", "other"}
    again = client.post("/addon-attachments",
                        json={"addon": name, "app": "other", "name": "replica"})
    assert again.status_code == 201 and "REPLICA_URL" in config(client, "other")

    assert [a["name"] for a in client.get("/apps/other/addons").json()] == [name]
    assert [a["name"] for a in client.get("/apps/third/addons").json()] == []
    listed = client.get("/apps/other/addon-attachments").json()
    assert [(a["name"], a["config_var"]) for a in listed] == [("DATABASE", "DATABASE_URL"),
                                                             ("REPLICA", "REPLICA_URL")]
    info = client.get(f"/addons/{name}").json()
    assert info["server"] == {"state": "running", "data_bytes": 4096,
                              "volume": f"{client.app.state.settings.instance}-addon-{name}"}
    assert sorted(info["config_vars"]) == ["DATABASE_URL", "REPLICA_URL"]

    ambiguous = client.delete(f"/apps/other/addon-attachments/{name}")
    assert ambiguous.status_code == 422 and "more than once" in ambiguous.json()["message"]
    detached = client.delete("/apps/other/addon-attachments/REPLICA_URL")
    assert detached.status_code == 200 and detached.headers["Paas-Release-Version"] == "4"
    assert runtime.servers[name] == {"demo", "other"}, "still attached as DATABASE"
    by_id = client.delete(f"/addon-attachments/{listed[0]['id']}")
    assert by_id.status_code == 200
    assert runtime.servers[name] == {"demo"} and config(client, "other") == {}
    assert releases(client, "other")[-1] == (5, f"Detach DATABASE ({name})")
    assert client.delete(f"/addon-attachments/{listed[0]['id']}").status_code == 404


def test_the_last_attachment_is_not_detached(client):
    name = create(client).json()["name"]
    response = client.delete("/apps/demo/addon-attachments/DATABASE")
    assert response.status_code == 409 and "addons:destroy" in response.json()["message"]
    assert "DATABASE_URL" in config(client)


def test_attach_refused_by_the_engine_records_nothing(client, runtime):
    name = create(client).json()["name"]
    runtime.fail_connect = True
    response = client.post("/addon-attachments", json={"addon": name, "app": "other"})
    assert response.status_code == 503
    assert config(client, "other") == {} and releases(client, "other") == [(1, "Initial release")]
    assert client.get("/apps/other/addon-attachments").json() == []


def test_destroy_needs_the_owner_confirmation_and_force_when_shared(client, runtime):
    name = create(client).json()["name"]
    client.post("/addon-attachments", json={"addon": name, "app": "other"})
    unconfirmed = client.delete(f"/apps/demo/addons/{name}")
    assert unconfirmed.status_code == 422 and "--confirm demo" in unconfirmed.json()["message"]
    not_owner = client.delete(f"/apps/other/addons/{name}", params={"confirm": "other"})
    assert not_owner.status_code == 422 and "owned by demo" in not_owner.json()["message"]
    shared = client.delete(f"/apps/demo/addons/{name}", params={"confirm": "demo"})
    assert shared.status_code == 409
    assert "also attached to other (DATABASE_URL)" in shared.json()["message"]
    assert name in runtime.servers and "DATABASE_URL" in config(client, "other")

    forced = client.delete(f"/apps/demo/addons/{name}", params={"confirm": "demo", "force": True})
    assert forced.status_code == 200, forced.text
    assert runtime.servers == {} and client.get("/addons").json() == []
    assert config(client) == {} and config(client, "other") == {}
    assert releases(client)[-1] == (3, f"Detach DATABASE ({name})")
    assert releases(client, "other")[-1] == (3, f"Detach DATABASE ({name})")
    assert client.get(f"/addons/{name}").status_code == 404


def test_rollback_leaves_add_on_vars_alone(client):
    """Rolling back to a release from before the attach keeps DATABASE_URL as it is now."""
    from paas_platform.domain.releases import NewRelease

    store = client.app.state.services.store
    with store.transaction(write=True) as tx:  # a deploy (releases with a build roll back)
        app = tx.apps.get("demo", lock=True)
        build = tx.builds.insert(app.id, "abc1234", "admin", _now())
        tx.apps.set_config(app.id, {"FOO": "old"}, _now())
        deployed = tx.releases.append(app.id, NewRelease("Deploy abc1234", {"FOO": "old"}, "admin",
                                                         build_id=build.id), _now())
    client.patch("/apps/demo/config-vars", json={"FOO": "new"})
    name = create(client).json()["name"]
    url = config(client)["DATABASE_URL"]

    rolled = client.post("/apps/demo/releases", json={"release": deployed.version})
    assert rolled.status_code == 201, rolled.text
    assert config(client) == {"FOO": "old", "DATABASE_URL": url}
    snapshot = client.get(f"/apps/demo/releases/{rolled.json()['version']}/config-vars").json()
    assert snapshot == {"FOO": "old", "DATABASE_URL": url}
    assert [a["name"] for a in client.get("/apps/demo/addons").json()] == [name]


def _now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


def test_destroying_an_app_destroys_unshared_add_ons_and_hands_over_shared_ones(client, runtime):
    own = create(client, name="own-db").json()["name"]
    shared = create(client, plan="redis", name="shared-cache").json()["name"]
    client.post("/addon-attachments", json={"addon": shared, "app": "other"})
    used = create(client, app="other", plan="redis", name="other-cache",
                  attachment={"name": "own_cache"}).json()["name"]
    client.post("/addon-attachments", json={"addon": used, "app": "demo", "name": "borrowed"})

    assert client.delete("/apps/demo").status_code == 200
    assert sorted(a["name"] for a in client.get("/addons").json()) == [used, shared]
    assert client.get(f"/addons/{shared}").json()["app"]["name"] == "other"
    assert runtime.servers == {shared: {"other"}, used: {"other"}}
    assert own not in runtime.servers


def test_without_an_engine_add_ons_are_unavailable(api):
    assert api.post("/apps", json={"name": "demo"}).status_code == 201
    response = api.post("/apps/demo/addons", json={"plan": "postgresql"})
    assert response.status_code == 503 and "Docker Engine" in response.json()["message"]
    assert api.get("/addons").json() == []


def test_config_set_database_url_by_hand_is_plain_config(client):
    response = client.patch("/apps/demo/config-vars",
                            json={"DATABASE_URL": "postgres://u:p@elsewhere:5432/db"})
    assert response.status_code == 200
    assert config(client) == {"DATABASE_URL": "postgres://u:p@elsewhere:5432/db"}
    assert client.get("/apps/demo/addons").json() == []


def test_ensure_all_restores_servers_and_removes_interrupted_ones(client, runtime):
    from datetime import timedelta

    name = create(client).json()["name"]
    runtime.servers = {"left-over": {"demo"}}  # the engine lost ours and kept a stranger
    services = client.app.state.services
    assert services.addons.ensure_all(_now() + timedelta(seconds=1)) == 2
    assert runtime.servers == {name: {"demo"}}


def test_an_add_on_still_being_provisioned_cannot_be_attached(client):
    from paas_platform.domain.addons import AddonState, Credentials

    store = client.app.state.services.store
    with store.transaction(write=True) as tx:
        tx.addons.insert("half-made", "redis", "dev", tx.apps.get("demo").id,
                         Credentials("default", "pw", "0"), "vol", AddonState.PROVISIONING, _now())
    response = client.post("/addon-attachments", json={"addon": "half-made", "app": "other"})
    assert response.status_code == 409 and "still being provisioned" in response.json()["message"]
    assert config(client, "other") == {}
