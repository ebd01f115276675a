"""/apps: create (v1 recorded), list, info, destroy, and refusals that change nothing."""

import pytest


def create(api, name):
    response = api.post("/apps", json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()


def test_create_records_initial_release(api):
    app = create(api, "demo")
    assert app["name"] == "demo"
    assert app["current_release"] == 1
    assert app["web_url"] == "http://demo.localhost:8080/"
    assert app["git_url"].endswith("/git/demo.git")
    releases = api.get("/apps/demo/releases").json()
    assert [(r["version"], r["description"], r["status"]) for r in releases] == [
        (1, "Initial release", "succeeded")
    ]
    assert api.get("/apps/demo/config-vars").json() == {}


def test_create_without_name_picks_a_valid_random_one(api):
    first = api.post("/apps", json={}).json()
    second = api.post("/apps").json()
    assert first["name"] != second["name"]
    names = [a["name"] for a in api.get("/apps").json()]
    assert sorted(names) == sorted([first["name"], second["name"]])


def test_duplicate_name_is_409_and_changes_nothing(api):
    original = create(api, "demo")
    response = api.post("/apps", json={"name": "demo"})
    assert response.status_code == 409
    assert response.json()["id"] == "conflict"
    assert [a["id"] for a in api.get("/apps").json()] == [original["id"]]


@pytest.mark.parametrize("name", ["Demo", "ab", "x" * 31, "bad_name", "demo-", "9lives", 42, "a/b"])
def test_invalid_name_is_422_and_creates_nothing(api, name):
    response = api.post("/apps", json={"name": name})
    assert response.status_code == 422
    assert response.json()["id"] == "invalid_params"
    assert api.get("/apps").json() == []


def test_info_and_unknown_app(api):
    create(api, "demo")
    assert api.get("/apps/demo").json()["name"] == "demo"
    response = api.get("/apps/nosuch")
    assert response.status_code == 404
    assert response.json() == {"id": "not_found", "message": "app nosuch not found"}


def test_destroy_removes_app_and_history(api, store):
    create(api, "demo")
    api.patch("/apps/demo/config-vars", json={"A": "1"})
    response = api.delete("/apps/demo")
    assert response.status_code == 200
    assert response.json()["name"] == "demo"
    assert api.get("/apps/demo").status_code == 404
    assert api.delete("/apps/demo").status_code == 404
    import sqlalchemy as sa

    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM releases")).scalar() == 0
    # The name is free again, and numbering starts over.
    assert create(api, "demo")["current_release"] == 1


def test_malformed_json_is_400(api):
    response = api.post("/apps", content=b'{"name":', headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["id"] == "bad_request"


def test_unknown_route_is_404_json(api):
    response = api.get("/nowhere")
    assert response.status_code == 404
    assert response.json()["id"] == "not_found"
