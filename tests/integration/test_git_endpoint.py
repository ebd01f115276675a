"""The git endpoint as a user meets it: the real `git` client, ~/.netrc, a real control plane."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import TOKEN

pytestmark = pytest.mark.integration

MB = 1024 * 1024


class GitUser:
    """Runs git as a user with an empty HOME: no prompts, no system or global config."""

    def __init__(self, home: Path, platform) -> None:
        self.home = home
        self.platform = platform
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PAAS_"))}
        self.env.pop("NETRC", None)
        self.env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                        GIT_TERMINAL_PROMPT="0", GIT_CONFIG_NOSYSTEM="1",
                        GIT_AUTHOR_NAME="Dev", GIT_AUTHOR_EMAIL="dev@example.com",
                        GIT_COMMITTER_NAME="Dev", GIT_COMMITTER_EMAIL="dev@example.com")

    def login(self, token: str = TOKEN) -> None:
        """What `paas login` writes."""
        netrc = self.home / ".netrc"
        netrc.write_text(f"machine 127.0.0.1 login admin password {token}\n")
        netrc.chmod(0o600)

    def url(self, app: str) -> str:
        return f"{self.platform.url}/git/{app}.git"

    def git(self, *args: str, cwd: Path | None = None, timeout: float = 120):
        return subprocess.run(["git", *args], cwd=cwd or self.home, env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def remote_refs(self, app: str) -> str:
        result = self.git("ls-remote", self.url(app))
        assert result.returncode == 0, result.stderr
        return result.stdout

    def commit_repo(self, name: str, files: dict[str, bytes]) -> Path:
        repo = self.home / name
        repo.mkdir()
        assert self.git("init", "-q", "-b", "main", cwd=repo).returncode == 0
        for path, content in files.items():
            (repo / path).write_bytes(content)
        assert self.git("add", ".", cwd=repo).returncode == 0
        committed = self.git("commit", "-qm", "source", cwd=repo)
        assert committed.returncode == 0, committed.stderr
        return repo


@pytest.fixture
def user(platform, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    return GitUser(home, platform)


@pytest.fixture
def demo(platform):
    """An app named demo, created through the API; yields its repo's path on disk."""
    with httpx.Client(base_url=platform.url, headers={"Authorization": f"Bearer {TOKEN}"}) as api:
        assert api.post("/apps", json={"name": "demo"}).status_code == 201
    return Path(platform.env["PAAS_DATA_DIR"]) / "repos" / "demo.git"


def peak_rss(platform) -> int:
    """The control plane's high-water mark of resident memory, in bytes."""
    for line in Path(f"/proc/{platform.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc status")


def test_netrc_token_gives_access_and_the_repo_appears_on_first_use(user, demo):
    assert not demo.exists()
    user.login()

    assert user.remote_refs("demo") == ""  # a new, empty repo

    assert (demo / "HEAD").read_text() == "ref: refs/heads/main\n"
    hook = (demo / "hooks" / "pre-receive").read_text()
    assert "from paas_platform.git.hook import main" in hook


@pytest.mark.parametrize("token", [None, "wrong-token-0123456789abcdef"])
def test_git_without_a_valid_token_is_refused(user, demo, token):
    if token:
        user.login(token)

    result = user.git("ls-remote", user.url("demo"))

    assert result.returncode != 0
    assert "401" in result.stderr or "Authentication failed" in result.stderr \
        or "terminal prompts disabled" in result.stderr, result.stderr
    assert not demo.exists()  # nothing is made for a caller we don't know


@pytest.mark.parametrize("authorization", [None, f"Bearer {TOKEN}", "Basic bm9wZQ=="])
def test_unauthenticated_answers_are_401_json_with_a_basic_challenge(platform, demo,
                                                                     authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = httpx.get(f"{platform.url}/git/demo.git/info/refs",
                         params={"service": "git-upload-pack"}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="paas"'
    assert response.json()["id"] == "unauthorized" and response.json()["message"]


def test_unknown_apps_and_the_dumb_protocol_are_not_found(user, platform, demo):
    user.login()
    result = user.git("ls-remote", user.url("nosuch"))
    assert result.returncode != 0
    assert "not found" in result.stderr

    auth = ("admin", TOKEN)
    for path in ("/git/nosuch.git/info/refs?service=git-upload-pack",
                 "/git/demo.git/info/refs",  # no service: a dumb-protocol client
                 "/git/demo.git/info/refs?service=git-archive",
                 "/git/demo.git/HEAD", "/git/demo.git/objects/info/packs"):
        response = httpx.get(platform.url + path, auth=auth)
        assert response.status_code == 404, path
        assert response.json()["id"] == "not_found", path
    bad_name = httpx.get(f"{platform.url}/git/Bad_Name.git/info/refs?service=git-upload-pack",
                         auth=auth)
    assert bad_name.status_code == 422


def test_clone_of_the_empty_repo(user, demo):
    user.login()
    result = user.git("clone", user.url("demo"), "checkout")
    assert result.returncode == 0, result.stderr
    assert "empty repository" in result.stderr
    assert (user.home / "checkout" / ".git").is_dir()


def test_a_push_to_another_branch_is_rejected_with_the_reason(user, demo):
    user.login()
    repo = user.commit_repo("app", {"Procfile": b"web: python app.py\n"})

    result = user.git("push", user.url("demo"), "main:dev", cwd=repo)

    assert result.returncode != 0
    assert ("remote: Push rejected: pushed to non-deploy branch refs/heads/dev; "
            "paas only deploys main or master") in result.stderr
    assert "pre-receive hook declined" in result.stderr
    assert user.remote_refs("demo") == ""


def test_a_large_push_streams_through_the_platform(user, platform, demo):
    user.login()
    # Incompressible, so the pack on the wire is as large as the files.
    repo = user.commit_repo("big", {f"blob{i}.bin": os.urandom(6 * MB) for i in range(4)})
    before = peak_rss(platform)

    result = user.git("push", user.url("demo"), "main:dev", cwd=repo, timeout=300)

    # The hook only runs once receive-pack has read the whole 24 MB pack.
    assert result.returncode != 0
    assert "remote: Push rejected: pushed to non-deploy branch refs/heads/dev" in result.stderr
    # Streamed, not buffered: the control plane never held the pack in memory.
    assert peak_rss(platform) - before < 12 * MB
    assert user.remote_refs("demo") == ""


def test_a_push_to_main_that_cannot_build_is_rejected(user, demo):
    # Nothing here for a buildpack to detect (no Procfile, no Dockerfile): the build fails,
    # or, where no builds API is served, starting it does. Either way main must not move.
    user.login()
    repo = user.commit_repo("app", {"README": b"nothing to run here\n"})

    result = user.git("push", user.url("demo"), "main", cwd=repo, timeout=600)

    assert result.returncode != 0
    assert "remote: Push rejected:" in result.stderr
    assert "Traceback" not in result.stderr
    assert "refs/heads/main" not in user.remote_refs("demo")


def test_destroying_the_app_removes_its_repo(user, platform, demo):
    user.login()
    user.remote_refs("demo")
    assert demo.is_dir()
    with httpx.Client(base_url=platform.url, headers={"Authorization": f"Bearer {TOKEN}"}) as api:
        assert api.delete("/apps/demo").status_code == 200
    assert not demo.exists()
