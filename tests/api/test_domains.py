"""/apps/{app}/domains and maintenance mode through the API (no engine: nothing routed)."""

import pytest


@pytest.fixture
def demo(api):
    for name in ("demo", "other"):
        assert api.post("/apps", json={"name": name}).status_code == 201


def hostnames(api, app="demo"):
    return [(d["hostname"], d["kind"]) for d in api.get(f"/apps/{app}/domains").json()]


def test_add_list_remove(api, demo):
    assert hostnames(api) == [("demo.localhost", "default")]
    added = api.post("/apps/demo/domains", json={"hostname": "WWW.Example.com."})
    assert added.status_code == 201, added.text
    assert added.json()["hostname"] == "www.example.com" and added.json()["kind"] == "custom"
    api.post("/apps/demo/domains", json={"hostname": "api.example.com"})
    assert hostnames(api) == [("demo.localhost", "default"), ("api.example.com", "custom"),
                              ("www.example.com", "custom")]
    removed = api.delete("/apps/demo/domains/WWW.example.com")
    assert removed.status_code == 200 and removed.json()["hostname"] == "www.example.com"
    assert api.delete("/apps/demo/domains/www.example.com").status_code == 404
    assert api.delete("/apps/demo/domains/demo.localhost").status_code == 422


def test_hostnames_are_unique_across_apps(api, demo):
    assert api.post("/apps/demo/domains", json={"hostname": "www.example.com"}).status_code == 201
    taken = api.post("/apps/other/domains", json={"hostname": "www.example.com"})
    assert taken.status_code == 409 and taken.json()["id"] == "conflict"
    assert hostnames(api, "other") == [("other.localhost", "default")]


@pytest.mark.parametrize("hostname", [
    "*.example.com", "localhost", "10.0.0.1", "a b.com", "other.localhost",
    "www.other.localhost", "demo.localhost", "x" * 300,
])
def test_invalid_or_foreign_hostnames_are_422(api, demo, hostname):
    response = api.post("/apps/demo/domains", json={"hostname": hostname})
    assert response.status_code == 422, response.text
    assert hostnames(api) == [("demo.localhost", "default")]


def test_unknown_app_and_bad_body(api, demo):
    assert api.get("/apps/nosuch/domains").status_code == 404
    assert api.post("/apps/nosuch/domains", json={"hostname": "a.example.com"}).status_code == 404
    assert api.post("/apps/demo/domains", json={}).status_code == 422


def test_destroying_an_app_frees_its_hostnames(api, demo):
    api.post("/apps/demo/domains", json={"hostname": "www.example.com"})
    assert api.delete("/apps/demo").status_code == 200
    assert api.post("/apps/other/domains", json={"hostname": "www.example.com"}).status_code == 201


def test_maintenance_mode_via_patch(api, demo):
    assert api.get("/apps/demo").json()["maintenance"] is False
    response = api.patch("/apps/demo", json={"maintenance": True})
    assert response.status_code == 200 and response.json()["maintenance"] is True
    assert api.get("/apps/demo").json()["maintenance"] is True
    assert api.patch("/apps/demo", json={"maintenance": False}).json()["maintenance"] is False


@pytest.mark.parametrize("body", [{}, {"maintenance": "yes"}, {"maintenance": None}, {"maintenance": 1}])
def test_bad_patch_is_422_and_changes_nothing(api, demo, body):
    assert api.patch("/apps/demo", json=body).status_code == 422
    assert api.get("/apps/demo").json()["maintenance"] is False
