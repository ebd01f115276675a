"""git:remote, and finding the app from -a, $PAAS_APP or the `paas` git remote."""

import subprocess

import pytest

from paas_cli.app_context import app_name_from_git_url

from .conftest import app_json, git_remote_url


def test_git_remote_adds_remote(run, fake_api, git_repo):
    fake_api.on("GET", "/apps/demo", app_json("demo"))

    result = run("git:remote", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "set git remote paas to http://127.0.0.1:5000/git/demo.git\n"
    assert git_remote_url("paas") == "http://127.0.0.1:5000/git/demo.git"


def test_git_remote_repoints_existing_remote_with_custom_name(run, fake_api, git_repo):
    subprocess.run(["git", "remote", "add", "staging", "http://old/git/x.git"], check=True)
    fake_api.on("GET", "/apps/demo", app_json("demo"))

    assert run("git:remote", "-a", "demo", "-r", "staging").exit_code == 0
    assert git_remote_url("staging") == "http://127.0.0.1:5000/git/demo.git"


def test_git_remote_for_missing_app_touches_nothing(run, fake_api, git_repo):
    fake_api.on(
        "GET", "/apps/nope", {"id": "not_found", "message": "app nope not found"}, status=404
    )

    result = run("git:remote", "-a", "nope")

    assert (result.exit_code, result.stderr) == (1, "Error: app nope not found\n")
    assert git_remote_url("paas") is None


def test_git_remote_outside_work_tree(run, fake_api):
    result = run("git:remote", "-a", "demo")

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: not inside a git work tree")
    assert fake_api.requests == []


def test_git_remote_without_git_installed(run, fake_api, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))

    result = run("git:remote", "-a", "demo")

    assert result.exit_code == 1
    assert result.stderr == "Error: git is not installed (no 'git' on PATH)\n"


def test_app_comes_from_paas_remote(run, fake_api, git_repo):
    subprocess.run(
        ["git", "remote", "add", "paas", "http://h:5000/git/from-remote.git"], check=True
    )
    fake_api.on("GET", "/apps/from-remote/config-vars", {"A": "1"})

    result = run("config")

    assert result.stdout.startswith("=== from-remote Config Vars\n")


def test_app_option_beats_env_beats_remote(run, fake_api, git_repo, environ):
    subprocess.run(["git", "remote", "add", "paas", "http://h/git/from-remote.git"], check=True)
    environ["PAAS_APP"] = "from-env"

    run("config")
    run("config", "-a", "from-flag")

    assert fake_api.calls == [
        ("GET", "/apps/from-env/config-vars"),
        ("GET", "/apps/from-flag/config-vars"),
    ]


def test_no_app_anywhere(run, fake_api):
    result = run("releases")

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no app specified; use -a APP or run inside a repo with a paas git remote\n"
    )
    assert fake_api.requests == []


def test_no_git_binary_means_no_app_rather_than_a_crash(run, fake_api, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))

    result = run("config")

    assert result.stderr.startswith("Error: no app specified")


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("http://127.0.0.1:5000/git/demo.git", "demo"),
        ("https://paas.example.com/git/demo", "demo"),
        ("http://h/git/demo.git/", "demo"),
        ("git@paas.example.com:demo.git", "demo"),
        ("/srv/git/demo.git", "demo"),
    ],
)
def test_app_name_from_git_url(url, name):
    assert app_name_from_git_url(url) == name


def test_app_name_from_git_url_without_a_name():
    assert app_name_from_git_url("http://h/") is None
