"""paas push (git): the real git client pushing to a local bare repository or HTTP server."""

import base64
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from paas_cli.git_repo import push_environment

from .conftest import API_HOST, TOKEN, app_json

EXPECTED_HEADER = "Authorization: Basic " + base64.b64encode(f"paas:{TOKEN}".encode()).decode()


def git(*args: str, cwd: Path | None = None) -> str:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    completed = subprocess.run(
        ["git", *identity, *args], cwd=cwd, check=True, capture_output=True, text=True
    )
    return completed.stdout.strip()


def commit(text: str) -> str:
    """Commit `text` as app.py in the current repository; returns the new sha."""
    Path("app.py").write_text(text)
    git("add", "app.py")
    git("commit", "-q", "-m", text)
    return git("rev-parse", "HEAD")


def deployed(remote: Path) -> str | None:
    """What the app's main branch points at, if anything."""
    result = subprocess.run(
        ["git", "--git-dir", str(remote), "rev-parse", "--verify", "--quiet", "refs/heads/main"],
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() or None


@pytest.fixture
def remote(tmp_path: Path, fake_api) -> Path:
    """A bare repository standing in for the app's git endpoint, named by the fake App."""
    bare = tmp_path / "demo.git"
    git("init", "--bare", "-q", str(bare))
    fake_api.on("GET", "/apps/demo", app_json("demo", git_url=bare.as_uri()))
    return bare


@pytest.fixture
def pushes(monkeypatch) -> list[tuple[list[str], dict[str, str]]]:
    """The argv and environment of every `git push` run (the push still really happens)."""
    recorded = []
    real_run = subprocess.run

    def spy(argv, *args, **kwargs):
        if argv[:2] == ["git", "push"]:
            recorded.append((list(argv), dict(kwargs.get("env") or {})))
        return real_run(argv, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", spy)  # the module git_repo runs git with
    return recorded


def test_push_deploys_head_to_main(run, fake_api, git_repo, remote):
    head = commit("v1")

    result = run("push", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # git's own output goes straight to the terminal
    assert deployed(remote) == head
    assert fake_api.calls == [("GET", "/apps/demo")]


def test_push_branch_lands_on_main(run, git_repo, remote):
    commit("v1")
    git("checkout", "-q", "-b", "feature")
    feature = commit("feature work")
    git("checkout", "-q", "-")

    result = run("push", "-a", "demo", "--branch", "feature")

    assert result.exit_code == 0, result.stderr
    assert deployed(remote) == feature


def test_rejected_push_fails_and_force_deploys(run, git_repo, remote):
    first = commit("v1")
    assert run("push", "-a", "demo").exit_code == 0
    git("commit", "-q", "--amend", "-m", "rewritten")  # history diverges from the app's
    rewritten = git("rev-parse", "HEAD")

    rejected = run("push", "-a", "demo")
    forced = run("push", "-a", "demo", "--force")

    assert (rejected.exit_code, rejected.stderr) == (1, "Error: push rejected\n")
    assert forced.exit_code == 0, forced.stderr
    assert deployed(remote) == rewritten != first


def test_exit_code_is_gits(run, fake_api, git_repo, tmp_path):
    commit("v1")
    missing = (tmp_path / "no-such-repo.git").as_uri()
    fake_api.on("GET", "/apps/demo", app_json("demo", git_url=missing))

    result = run("push", "-a", "demo")

    assert (result.exit_code, result.stderr) == (128, "Error: push rejected\n")  # git's "fatal"


def test_push_command_and_environment(run, git_repo, remote, pushes):
    commit("v1")

    run("push", "-a", "demo", "--force")

    [(argv, env)] = pushes
    assert argv == ["git", "push", "--force", "--", remote.as_uri(), "HEAD:refs/heads/main"]
    assert not any(TOKEN in arg for arg in argv)
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert (env["GIT_CONFIG_COUNT"], env["GIT_CONFIG_KEY_0"], env["GIT_CONFIG_VALUE_0"]) == (
        "1",
        "http.extraHeader",
        EXPECTED_HEADER,
    )


def test_token_from_netrc_is_left_to_git(run, git_repo, remote, pushes, environ, home):
    del environ["PAAS_API_TOKEN"]
    (home / ".netrc").write_text(f"machine {API_HOST} login me password netrc-token\n")
    commit("v1")

    result = run("push", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    [(_, env)] = pushes
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert not any("netrc-token" in value for value in env.values())
    assert "GIT_CONFIG_VALUE_0" not in env


def test_git_sends_the_token_over_http(run, fake_api, git_repo, monkeypatch):
    """The real git client turns the GIT_CONFIG_* variables into an Authorization header."""
    headers = []

    class Refuse(BaseHTTPRequestHandler):
        def do_GET(self):  # git's first request: /info/refs?service=git-receive-pack
            headers.append(self.headers.get("Authorization"))
            self.send_error(403)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("NO_PROXY", "*")  # the machine's proxy must not answer instead
    monkeypatch.setenv("no_proxy", "*")
    url = f"http://127.0.0.1:{server.server_port}/git/demo.git"
    fake_api.on("GET", "/apps/demo", app_json("demo", git_url=url))
    commit("v1")
    try:
        result = run("push", "-a", "demo")
    finally:
        server.shutdown()
        server.server_close()

    assert result.exit_code != 0
    assert headers and headers[0] == EXPECTED_HEADER.removeprefix("Authorization: ")


def test_push_outside_a_work_tree(run, fake_api):
    result = run("push", "-a", "demo")

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: not inside a git work tree")
    assert fake_api.requests == []


def test_push_without_commits(run, fake_api, git_repo):
    result = run("push", "-a", "demo")

    assert result.stderr == "Error: no commits yet; commit your app before pushing\n"
    assert fake_api.requests == []


@pytest.mark.parametrize("ref", ["nope", "--mirror"])
def test_push_of_a_ref_that_is_not_a_commit(run, fake_api, git_repo, remote, ref):
    commit("v1")

    result = run("push", "-a", "demo", f"--branch={ref}")

    assert result.stderr == f"Error: {ref} is not a commit in this repository\n"
    assert fake_api.requests == []
    assert deployed(remote) is None


def test_push_environment_keeps_the_users_git_config_entries():
    inherited = {"GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_0": "a.b", "GIT_CONFIG_KEY_1": "c.d"}

    added = push_environment("tok", inherited)

    assert added["GIT_CONFIG_COUNT"] == "3"
    assert added["GIT_CONFIG_KEY_2"] == "http.extraHeader"
    assert "GIT_CONFIG_KEY_0" not in added


def test_push_environment_without_a_token_only_disables_prompts():
    assert push_environment(None, {}) == {"GIT_TERMINAL_PROMPT": "0"}
