"""Formation (quantities and sizes) and the health check setting, through the API with
the null runner (no engine): what is stored and what is refused."""

import pytest

from tests.api.test_builds import APP, build, client, pipeline, wait_done  # noqa: F401 (fixtures)


@pytest.fixture
def deployed(client, pipeline):
    pipeline.process_types = {"web": "python app.py", "worker": "python w.py", "release": "x"}
    wait_done(client, build(client).json()["id"])
    return client


def formation(client):
    return {e["type"]: (e["quantity"], e["size"]) for e in client.get("/apps/demo/formation").json()}


def test_first_deploy_defaults_and_no_release_type(deployed):
    assert formation(deployed) == {"web": (1, "standard-1x"), "worker": (0, "standard-1x")}


def test_scale_absolute_relative_and_size(deployed):
    response = deployed.patch("/apps/demo/formation", json={"updates": [
        {"type": "web", "quantity": 3}, {"type": "worker", "quantity": "+2", "size": "standard-2x"}]})
    assert response.status_code == 200
    assert formation(deployed) == {"web": (3, "standard-1x"), "worker": (2, "standard-2x")}
    deployed.patch("/apps/demo/formation", json={"updates": [{"type": "web", "quantity": "-1"}]})
    deployed.patch("/apps/demo/formation", json={"updates": [{"type": "web", "size": "performance-m"}]})
    assert formation(deployed) == {"web": (2, "performance-m"), "worker": (2, "standard-2x")}
    # Scaling makes no release.
    assert [r["version"] for r in deployed.get("/apps/demo/releases").json()] == [1, 2]


@pytest.mark.parametrize("updates,message", [
    ([{"type": "clock", "quantity": 1}], "no process type clock"),
    ([{"type": "release", "quantity": 1}], "no process type release"),
    ([{"type": "web", "quantity": 101}], "between 0 and 100"),
    ([{"type": "web", "quantity": "-5"}], "between 0 and 100"),
    ([{"type": "web", "size": "huge"}], "dyno size must be one of"),
    ([{"type": "web"}], "quantity and/or size"),
    ([{"type": "web", "quantity": 2}, {"type": "web", "quantity": 3}], "appears twice"),
    ([], "non-empty list"),
])
def test_bad_updates_change_nothing(deployed, updates, message):
    response = deployed.patch("/apps/demo/formation", json={"updates": updates})
    assert response.status_code == 422
    assert message in response.json()["message"]
    assert formation(deployed) == {"web": (1, "standard-1x"), "worker": (0, "standard-1x")}


def test_formation_before_any_build_is_empty_and_refuses_scaling(client):
    assert client.get("/apps/demo/formation").json() == []
    response = client.patch("/apps/demo/formation", json={"updates": [{"type": "web", "quantity": 1}]})
    assert response.status_code == 422 and "deploy first" in response.json()["message"]


@pytest.mark.parametrize("path,status", [
    ("/health", 200), ("/", 200), ("health", 422), ("/a b", 422), ("/" + "x" * 300, 422), (None, 200),
])
def test_health_check_path(client, path, status):
    response = client.patch("/apps/demo", json={"health_check_path": path})
    assert response.status_code == status, response.text
    expected = path if status == 200 else None
    assert client.get("/apps/demo").json()["health_check_path"] == expected
