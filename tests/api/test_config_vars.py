"""Config vars: PATCH merges (null unsets), every change is a release, bad input changes nothing."""

import logging

import pytest

from paas_platform.domain.config import MAX_CONFIG_BYTES


@pytest.fixture
def demo(api):
    assert api.post("/apps", json={"name": "demo"}).status_code == 201
    return "demo"


def versions(api):
    return [(r["version"], r["description"]) for r in api.get("/apps/demo/releases").json()]


def test_set_merge_and_unset_make_releases(api, demo):
    response = api.patch("/apps/demo/config-vars", json={"FOO": "1", "BAR": "2"})
    assert response.status_code == 200
    assert response.json() == {"BAR": "2", "FOO": "1"}
    assert response.headers["Paas-Release-Version"] == "2"

    response = api.patch("/apps/demo/config-vars", json={"BAZ": "3", "FOO": None})
    assert response.json() == {"BAR": "2", "BAZ": "3"}
    assert response.headers["Paas-Release-Version"] == "3"

    response = api.patch("/apps/demo/config-vars", json={"BAR": None})
    assert response.headers["Paas-Release-Version"] == "4"
    assert api.get("/apps/demo/config-vars").json() == {"BAZ": "3"}
    assert versions(api) == [
        (1, "Initial release"),
        (2, "Set FOO, BAR config vars"),
        (3, "Set BAZ config var and unset FOO config var"),
        (4, "Unset BAR config var"),
    ]
    # Each release holds a full snapshot of the config it was made with.
    assert api.get("/apps/demo/releases/v2/config-vars").json() == {"BAR": "2", "FOO": "1"}
    assert api.get("/apps/demo/releases/3/config-vars").json() == {"BAR": "2", "BAZ": "3"}


def test_unchanged_config_makes_no_release(api, demo):
    api.patch("/apps/demo/config-vars", json={"A": "1"})
    response = api.patch("/apps/demo/config-vars", json={"A": "1", "MISSING": None})
    assert response.status_code == 200
    assert response.headers["Paas-Release-Version"] == "2"
    assert len(versions(api)) == 2


@pytest.mark.parametrize("patch", [
    {"GOOD": "1", "1BAD": "2"},
    {"GOOD": "1", "BAD-KEY": "2"},
    {"GOOD": "1", "N": 5},
    {"GOOD": "1", "BIG": "x" * MAX_CONFIG_BYTES},
    ["GOOD=1"],
    {},
])
def test_rejected_patch_is_422_and_changes_nothing(api, demo, patch):
    api.patch("/apps/demo/config-vars", json={"KEEP": "me"})
    before = versions(api)
    response = api.patch("/apps/demo/config-vars", json=patch)
    assert response.status_code == 422
    assert response.json()["id"] == "invalid_params"
    assert api.get("/apps/demo/config-vars").json() == {"KEEP": "me"}
    assert versions(api) == before


def test_total_config_is_capped_across_patches(api, demo):
    half = "x" * (MAX_CONFIG_BYTES // 2)
    assert api.patch("/apps/demo/config-vars", json={"A": half}).status_code == 200
    response = api.patch("/apps/demo/config-vars", json={"B": half})
    assert response.status_code == 422
    assert "at most" in response.json()["message"]
    assert list(api.get("/apps/demo/config-vars").json()) == ["A"]


def test_unknown_app_is_404(api):
    response = api.patch("/apps/nosuch/config-vars", json={"A": "1"})
    assert response.status_code == 404


def test_values_never_reach_logs_or_errors(api, demo, caplog):
    canary = "canary-value-7f3a9"
    with caplog.at_level(logging.DEBUG):
        api.patch("/apps/demo/config-vars", json={"SECRET": canary})
        bad = api.patch("/apps/demo/config-vars", json={"SECRET": canary, "2BAD": canary})
        api.patch("/apps/demo/config-vars", json={"SECRET": None})
    assert canary not in bad.text
    assert "SECRET" in caplog.text  # the change was logged, by key
    assert canary not in caplog.text
