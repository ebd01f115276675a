"""releases, releases:info, rollback (and how rollback picks its default target)."""

import json

import pytest

from paas_cli.commands.releases import choose_rollback_target, parse_version
from paas_cli.errors import CliError

from .conftest import app_json, release_json

RELEASES = [
    release_json(1, "Initial release", build=None),
    release_json(2, "Deploy 1a2b3c"),
    release_json(3, "Deploy 4d5e6f", status="failed"),
    release_json(4, "Set FOO config vars", current=True),
    release_json(5, "Deploy 7a8b9c", status="pending"),
]


def test_releases_newest_first_with_status_and_current(run, fake_api):
    fake_api.on("GET", "/apps/demo/releases", RELEASES)

    result = run("releases", "-a", "demo")

    assert result.stdout.splitlines() == [
        "=== demo Releases",
        "v5  Deploy 7a8b9c        pending  admin  2026-11-23T23:55:01Z",
        "v4  Set FOO config vars           admin  2026-11-23T23:54:01Z  (current)",
        "v3  Deploy 4d5e6f        failed   admin  2026-11-23T23:53:01Z",
        "v2  Deploy 1a2b3c                 admin  2026-11-23T23:52:01Z",
        "v1  Initial release               admin  2026-11-23T23:51:01Z",
    ]


def test_releases_all_succeeded_has_no_status_column(run, fake_api):
    fake_api.on(
        "GET",
        "/apps/demo/releases",
        [release_json(1, "Initial release"), release_json(2, "Deploy x", current=True)],
    )

    assert run("releases", "-a", "demo").stdout.splitlines()[1] == (
        "v2  Deploy x         admin  2026-11-23T23:52:01Z  (current)"
    )


def test_releases_num_limits_to_newest(run, fake_api):
    fake_api.on("GET", "/apps/demo/releases", RELEASES)

    lines = run("releases", "-a", "demo", "-n", "2").stdout.splitlines()

    assert [line.split()[0] for line in lines[1:]] == ["v5", "v4"]


def test_releases_json(run, fake_api):
    fake_api.on("GET", "/apps/demo/releases", RELEASES)

    data = json.loads(run("releases", "-a", "demo", "--json", "-n", "3").stdout)

    assert [r["version"] for r in data] == [5, 4, 3]


@pytest.mark.parametrize("spelled", ["v2", "2"])
def test_releases_info_accepts_both_spellings(run, fake_api, spelled):
    fake_api.on("GET", "/apps/demo/releases/2", RELEASES[1])
    fake_api.on("GET", "/apps/demo/releases/2/config-vars", {"FOO": "1"})

    result = run("releases:info", spelled, "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "=== Release v2\n"
        "Description: Deploy 1a2b3c\n"
        "Status:      succeeded\n"
        "Current:     false\n"
        "User:        admin\n"
        "Created at:  2026-11-23T23:52:01Z\n"
        "Build:       b-1\n"
        "\n"
        "=== v2 Config Vars\n"
        "FOO: 1\n"
    )


def test_releases_info_defaults_to_current(run, fake_api):
    fake_api.on("GET", "/apps/demo", app_json("demo", current_release=4))
    fake_api.on("GET", "/apps/demo/releases/4", RELEASES[3])
    fake_api.on("GET", "/apps/demo/releases/4/config-vars", {})

    result = run("releases:info", "-a", "demo", "--json")

    data = json.loads(result.stdout)
    assert (data["version"], data["config_vars"]) == (4, {})


def test_releases_info_bad_version_makes_no_request(run, fake_api):
    result = run("releases:info", "seven", "-a", "demo")

    assert result.exit_code == 1
    assert "expected a version such as v7 or 7" in result.stderr
    assert fake_api.requests == []


def test_rollback_default_target(run, fake_api):
    fake_api.on("GET", "/apps/demo/releases", RELEASES)
    fake_api.on("POST", "/apps/demo/releases", release_json(6, "Rollback to v2"), status=201)

    result = run("rollback", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert fake_api.requests[-1].body == {"release": 2}
    assert result.stderr == "Rolling back demo to v2... done, v6\n"


def test_rollback_named_target_skips_the_listing(run, fake_api):
    fake_api.on("POST", "/apps/demo/releases", release_json(6, "Rollback to v1"), status=201)

    result = run("rollback", "v1", "-a", "demo")

    assert fake_api.calls == [("POST", "/apps/demo/releases")]
    assert fake_api.requests[0].body == {"release": 1}
    assert result.stderr == "Rolling back demo to v1... done, v6\n"


def test_rollback_refused_by_server(run, fake_api):
    fake_api.on(
        "POST",
        "/apps/demo/releases",
        {"id": "invalid_params", "message": "cannot roll back to failed release v3"},
        status=422,
    )

    result = run("rollback", "3", "-a", "demo")

    assert result.stderr == "Error: cannot roll back to failed release v3\n"


def test_choose_target_is_latest_good_release_below_current():
    # v5 is newer but not current; v3 failed.
    assert choose_rollback_target(RELEASES) == 2


def test_choose_target_may_be_a_release_without_a_build():
    releases = [release_json(1, "Initial", build=None), release_json(2, "Set A", build=None, current=True)]

    assert choose_rollback_target(releases) == 1


def test_choose_target_when_current_is_not_the_newest_row():
    releases = [release_json(1, "a"), release_json(2, "b", current=True), release_json(3, "c")]

    assert choose_rollback_target(releases) == 1


def test_choose_target_without_a_candidate():
    releases = [release_json(1, "Initial", status="failed"), release_json(2, "Deploy", current=True)]

    with pytest.raises(CliError, match="no earlier succeeded release"):
        choose_rollback_target(releases)


def test_choose_target_without_a_current_release():
    with pytest.raises(CliError, match="no current release"):
        choose_rollback_target([release_json(1, "Deploy", status="failed")])


@pytest.mark.parametrize(("text", "number"), [("v7", 7), ("V12", 12), ("3", 3)])
def test_parse_version(text, number):
    assert parse_version(text) == number


@pytest.mark.parametrize("text", ["v", "v0", "-1", "7a", "", "v 7"])
def test_parse_version_rejects(text):
    with pytest.raises(CliError):
        parse_version(text)
