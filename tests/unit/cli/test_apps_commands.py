"""apps, apps:create, apps:info, apps:destroy."""

import json
import subprocess

from .conftest import app_json, git_remote_url


def test_apps_lists_names_under_a_header(run, fake_api):
    fake_api.on("GET", "/apps", [app_json("demo"), app_json("shop")])

    result = run("apps")

    assert result.exit_code == 0
    assert result.stdout == "=== Apps\ndemo\nshop\n"


def test_apps_without_any(run, fake_api):
    fake_api.on("GET", "/apps", [])

    assert run("apps").stdout == "You have no apps.\n"


def test_apps_json_is_the_api_payload(run, fake_api):
    apps = [app_json("demo")]
    fake_api.on("GET", "/apps", apps)

    assert json.loads(run("apps", "--json").stdout) == apps


def test_create_with_name(run, fake_api):
    fake_api.on("POST", "/apps", app_json("demo"), status=201)

    result = run("apps:create", "demo")

    assert result.exit_code == 0
    assert fake_api.requests[0].body == {"name": "demo"}
    assert result.stderr == "Creating demo... done\n"
    assert result.stdout == "http://demo.localhost:8080/ | http://127.0.0.1:5000/git/demo.git\n"


def test_create_without_name_lets_server_pick(run, fake_api):
    fake_api.on("POST", "/apps", app_json("brave-otter-42"), status=201)

    result = run("apps:create")

    assert fake_api.requests[0].body == {}
    assert result.stderr == "Creating brave-otter-42... done\n"


def test_create_json(run, fake_api):
    fake_api.on("POST", "/apps", app_json("demo"), status=201)

    result = run("apps:create", "demo", "--json")

    assert json.loads(result.stdout)["git_url"] == "http://127.0.0.1:5000/git/demo.git"


def test_create_in_git_repo_adds_paas_remote(run, fake_api, git_repo):
    fake_api.on("POST", "/apps", app_json("demo"), status=201)

    result = run("apps:create", "demo")

    assert result.exit_code == 0
    assert git_remote_url("paas") == "http://127.0.0.1:5000/git/demo.git"
    assert "set git remote paas to http://127.0.0.1:5000/git/demo.git" in result.stderr


def test_create_with_no_remote_leaves_repo_alone(run, fake_api, git_repo):
    fake_api.on("POST", "/apps", app_json("demo"), status=201)

    assert run("apps:create", "demo", "--no-remote").exit_code == 0
    assert git_remote_url("paas") is None


def test_create_keeps_an_existing_remote(run, fake_api, git_repo):
    subprocess.run(["git", "remote", "add", "paas", "http://x/git/old.git"], check=True)
    fake_api.on("POST", "/apps", app_json("demo"), status=201)

    result = run("apps:create", "demo")

    assert result.exit_code == 0
    assert git_remote_url("paas") == "http://x/git/old.git"
    assert "git remote paas already exists" in result.stderr


def test_create_conflict_is_an_error(run, fake_api):
    fake_api.on(
        "POST", "/apps", {"id": "conflict", "message": "app demo already exists"}, status=409
    )

    result = run("apps:create", "demo")

    assert (result.exit_code, result.stderr) == (1, "Error: app demo already exists\n")
    assert result.stdout == ""


def test_info_shows_aligned_fields(run, fake_api):
    fake_api.on("GET", "/apps/demo", app_json("demo"))

    result = run("apps:info", "-a", "demo")

    assert result.stdout == (
        "=== demo\n"
        "Web URL:         http://demo.localhost:8080/\n"
        "Git URL:         http://127.0.0.1:5000/git/demo.git\n"
        "Stack:           bookworm\n"
        "Current release: v3\n"
        "Released at:     2026-11-23T23:50:01Z\n"
        "Created at:      2026-11-20T10:00:00Z\n"
        "Maintenance:     off\n"
    )


def test_info_of_app_never_released(run, fake_api):
    fake_api.on(
        "GET",
        "/apps/demo",
        app_json("demo", current_release=None, released_at=None, maintenance=True),
    )

    out = run("apps:info", "--app", "demo").stdout

    assert "Current release: none\n" in out
    assert "Released at:\n" in out
    assert "Maintenance:     on\n" in out


def test_info_json(run, fake_api):
    fake_api.on("GET", "/apps/demo", app_json("demo"))

    assert json.loads(run("apps:info", "-a", "demo", "--json").stdout) == app_json("demo")


def test_destroy_without_confirm_calls_nothing(run, fake_api):
    result = run("apps:destroy", "demo")

    assert result.exit_code == 1
    assert result.stderr == "Error: this is destructive; re-run with --confirm demo\n"
    assert fake_api.requests == []


def test_destroy_with_mismatched_confirm_calls_nothing(run, fake_api):
    result = run("apps:destroy", "demo", "--confirm", "demo2")

    assert result.exit_code == 1
    assert "does not match" in result.stderr
    assert fake_api.requests == []


def test_destroy(run, fake_api):
    fake_api.on("DELETE", "/apps/demo", app_json("demo"))

    result = run("apps:destroy", "demo", "--confirm", "demo")

    assert result.exit_code == 0
    assert fake_api.calls == [("DELETE", "/apps/demo")]
    assert result.stderr == "Destroying demo... done\n"


def test_destroy_removes_remote_pointing_at_the_app(run, fake_api, git_repo):
    subprocess.run(["git", "remote", "add", "paas", "http://h/git/demo.git"], check=True)
    fake_api.on("DELETE", "/apps/demo", app_json("demo"))

    assert run("apps:destroy", "demo", "--confirm", "demo").exit_code == 0
    assert git_remote_url("paas") is None


def test_destroy_keeps_remote_of_another_app(run, fake_api, git_repo):
    subprocess.run(["git", "remote", "add", "paas", "http://h/git/other.git"], check=True)
    fake_api.on("DELETE", "/apps/demo", app_json("demo"))

    assert run("apps:destroy", "demo", "--confirm", "demo").exit_code == 0
    assert git_remote_url("paas") == "http://h/git/other.git"


def test_app_names_are_url_encoded(run, fake_api):
    run("apps:info", "-a", "we/ird?x")

    assert fake_api.calls == [("GET", "/apps/we%2Fird%3Fx")]
