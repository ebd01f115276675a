"""buildpacks, buildpacks:set, buildpacks:clear."""

import pytest

from .conftest import app_json


@pytest.mark.parametrize(
    ("buildpack", "shown"),
    [
        (None, "(detected automatically)"),
        ("https://github.com/heroku/heroku-buildpack-nodejs.git", None),
    ],
)
def test_buildpacks_shows_the_apps_buildpack(run, fake_api, buildpack, shown):
    fake_api.on("GET", "/apps/demo", app_json("demo", buildpack=buildpack))

    result = run("buildpacks", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"=== demo Buildpack\n{shown or buildpack}\n"


@pytest.mark.parametrize(
    "buildpack",
    ["python", "https://github.com/heroku/heroku-buildpack-nodejs.git", "file:///srv/bp.git"],
)
def test_buildpacks_set(run, fake_api, buildpack):
    fake_api.on("PATCH", "/apps/demo", app_json("demo", buildpack=buildpack))

    result = run("buildpacks:set", buildpack, "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert fake_api.requests[0].body == {"buildpack": buildpack}
    assert result.stdout.splitlines()[0] == (
        f"Buildpack set. Next release on demo will use {buildpack}."
    )


def test_buildpacks_set_refused_by_server(run, fake_api):
    fake_api.on(
        "PATCH",
        "/apps/demo",
        {"id": "invalid_params", "message": "buildpack must be python, procfile or a git URL"},
        status=422,
    )

    result = run("buildpacks:set", "ruby", "-a", "demo")

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: buildpack must be python, procfile or a git URL\n"


def test_buildpacks_clear_sends_null(run, fake_api):
    fake_api.on("PATCH", "/apps/demo", app_json("demo", buildpack=None))

    result = run("buildpacks:clear", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert fake_api.calls == [("PATCH", "/apps/demo")]
    assert fake_api.requests[0].body == {"buildpack": None}
    assert "Buildpack cleared." in result.stdout
