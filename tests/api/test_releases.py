"""Releases: list, info, and rollback as a new release copying the target."""

import pytest


@pytest.fixture
def demo(api):
    api.post("/apps", json={"name": "demo"})
    api.patch("/apps/demo/config-vars", json={"A": "1", "B": "2"})  # v2
    api.patch("/apps/demo/config-vars", json={"C": "3"})  # v3
    return "demo"


def test_list_marks_current_and_info_by_version(api, demo):
    releases = api.get("/apps/demo/releases").json()
    assert [r["version"] for r in releases] == [1, 2, 3]
    assert [r["current"] for r in releases] == [False, False, True]
    info = api.get("/apps/demo/releases/v2").json()
    assert (info["version"], info["description"], info["user"]) == (2, "Set A, B config vars", "admin")
    assert info["build"] is None
    assert info["app"]["name"] == "demo"
    assert api.get("/apps/demo/releases/2").json()["id"] == info["id"]


def test_rollback_appends_a_copy(api, demo):
    response = api.post("/apps/demo/releases", json={"release": "v2"})
    assert response.status_code == 201
    release = response.json()
    assert (release["version"], release["description"], release["current"]) == (4, "Rollback to v2", True)
    assert api.get("/apps/demo/config-vars").json() == {"A": "1", "B": "2"}
    assert api.get("/apps/demo/releases/4/config-vars").json() == {"A": "1", "B": "2"}
    # History is untouched: v3 still holds what it held.
    assert api.get("/apps/demo/releases/3/config-vars").json() == {"A": "1", "B": "2", "C": "3"}
    # A rollback is itself a release one can roll back past.
    api.post("/apps/demo/releases", json={"release": 3})
    assert api.get("/apps/demo/config-vars").json() == {"A": "1", "B": "2", "C": "3"}
    assert api.get("/apps/demo").json()["current_release"] == 5


def test_rollback_to_v1_restores_empty_config(api, demo):
    release = api.post("/apps/demo/releases", json={"release": 1}).json()
    assert release["description"] == "Rollback to v1"
    assert api.get("/apps/demo/config-vars").json() == {}


@pytest.mark.parametrize("body,status", [
    ({"release": 99}, 404),
    ({"release": "v0"}, 422),
    ({"release": "latest"}, 422),
    ({}, 422),
    ({"release": None}, 422),
])
def test_bad_rollback_targets_change_nothing(api, demo, body, status):
    response = api.post("/apps/demo/releases", json=body)
    assert response.status_code == status, response.text
    assert "id" in response.json() and response.json()["message"]
    assert [r["version"] for r in api.get("/apps/demo/releases").json()] == [1, 2, 3]


def test_rollback_refuses_a_failed_release(api, demo, store):
    from datetime import datetime, timezone

    from paas_platform.domain.releases import NewRelease, ReleaseStatus

    now = datetime.now(timezone.utc)
    with store.transaction(write=True) as tx:
        app = tx.apps.get("demo")
        pending = tx.releases.append(app.id, NewRelease("Deploy abc", {}, "admin", status=ReleaseStatus.PENDING), now)
        tx.releases.set_status(pending.id, ReleaseStatus.FAILED, now)
    response = api.post("/apps/demo/releases", json={"release": 4})
    assert response.status_code == 409
    assert "failed" in response.json()["message"]
    assert api.get("/apps/demo/releases/4").json()["status"] == "failed"
    assert api.get("/apps/demo").json()["current_release"] == 3


def test_unknown_release_is_404(api, demo):
    assert api.get("/apps/demo/releases/v42").status_code == 404
    assert api.get("/apps/demo/releases/abc").status_code == 422
