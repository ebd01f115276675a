"""A new user's session with the real `paas` command against a real control plane."""

import os
import subprocess

import pytest

from tests.integration.conftest import TOKEN
from tests.integration.platform_process import CLI_BIN

pytestmark = pytest.mark.integration


@pytest.fixture
def paas(platform, tmp_path):
    """Run `paas ARGS` as a user whose HOME is empty (no netrc, no token in the env)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAAS_")}
    env.update(HOME=str(home), PAAS_API_URL=platform.url)
    env.pop("NETRC", None)

    def run(*args, cwd=None, input=None):
        return subprocess.run([str(CLI_BIN), *args], env=env, cwd=cwd or home, input=input,
                              capture_output=True, text=True, timeout=60)

    run.home = home
    return run


def ok(result):
    """Everything a successful command printed (progress lines go to stderr, as Heroku's do)."""
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr}"
    return result.stdout + result.stderr


def test_new_user_session(paas):
    assert "Logged in as admin" in ok(paas("login", "--token", TOKEN))
    netrc = paas.home / ".netrc"
    assert "machine 127.0.0.1" in netrc.read_text() and TOKEN in netrc.read_text()
    assert oct(netrc.stat().st_mode & 0o777) == "0o600"

    assert "Creating demo... done" in ok(paas("apps:create", "demo"))
    assert "demo" in ok(paas("apps")).split()
    out = ok(paas("config:set", "A=1", "B=2", "-a", "demo"))
    assert "Setting A, B and restarting demo... done, v2" in out

    releases = ok(paas("releases", "-a", "demo"))
    assert "v2" in releases and "Set A, B config vars" in releases
    assert "v1" in releases and "Initial release" in releases

    assert "done, v3" in ok(paas("rollback", "v1", "-a", "demo"))
    releases = ok(paas("releases", "-a", "demo"))
    assert "Rollback to v1" in releases
    config = ok(paas("config", "-a", "demo", "--json"))
    assert config.strip() == "{}"
    assert ok(paas("config:get", "A", "-a", "demo")).strip() == ""


def test_json_output_and_app_from_git_remote(paas, tmp_path):
    ok(paas("login", "--token", TOKEN))
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    ok(paas("apps:create", "webshop", cwd=repo))
    remote = subprocess.run(["git", "-C", str(repo), "remote", "get-url", "paas"],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert remote.endswith("/git/webshop.git")
    # No -a: the app comes from the paas remote of the current directory.
    ok(paas("config:set", "COLOR=blue", cwd=repo))
    assert ok(paas("config:get", "COLOR", cwd=repo)).strip() == "blue"
    import json

    info = json.loads(ok(paas("apps:info", "--json", cwd=repo)))
    assert (info["name"], info["current_release"]) == ("webshop", 2)
    ok(paas("config:unset", "COLOR", cwd=repo))
    # Default rollback target: the release before the current one (v2, COLOR=blue).
    assert "to v2" in ok(paas("rollback", cwd=repo))
    assert ok(paas("config:get", "COLOR", cwd=repo)).strip() == "blue"


def test_errors_are_one_line_nonzero_and_change_nothing(paas):
    bad = paas("login", "--token", "not-the-token")
    assert bad.returncode != 0
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
    assert not (paas.home / ".netrc").exists()

    not_logged_in = paas("apps")
    assert not_logged_in.returncode != 0
    assert "login" in not_logged_in.stderr

    ok(paas("login", "--token", TOKEN))
    for args in (["apps:create", "Bad_Name"], ["config:set", "1X=2", "-a", "nosuch"],
                 ["apps:info", "-a", "nosuch"], ["releases:info", "v9", "-a", "nosuch"]):
        result = paas(*args)
        assert result.returncode != 0, args
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr
    ok(paas("apps:create", "demo"))
    result = paas("config:set", "GOOD=1", "BAD-KEY=2", "-a", "demo")
    assert result.returncode != 0
    assert ok(paas("config", "-a", "demo", "--json")).strip() == "{}"
    result = paas("apps:destroy", "demo", "--confirm", "other")
    assert result.returncode != 0
    assert "demo" in ok(paas("apps"))
    ok(paas("apps:destroy", "demo", "--confirm", "demo"))
    assert "demo" not in ok(paas("apps")).split()
