"""The pre-receive hook against a fake builds API and a real git repo for `git archive`."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import tarfile

import httpx
import pytest

from paas_platform.git import builds_client
from paas_platform.git.hook import main
from tests.integration.platform_process import free_port

ZERO = "0" * 40
OLD = "1" * 40  # not in the repo: a force push replaces history the hook never checks
BUILD = {"id": "b-1", "status": "pending", "output_stream_url": "/apps/demo/builds/b-1/output"}
SUCCEEDED = {"id": "b-1", "status": "succeeded", "release": {"version": 5, "status": "succeeded"}}


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def repo_env(tmp_path):
    """The hook's view of a real repo (GIT_DIR, as git sets it for hooks)."""
    return {"GIT_DIR": str(tmp_path / "repo" / ".git")}


@pytest.fixture
def commit(tmp_path, repo_env):
    """The sha of a real commit in the repo of `repo_env`."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "Procfile").write_text("web: python app.py\n")
    (repo / "app.py").write_text("print('hello')\n")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "first")
    return git(repo, "rev-parse", "HEAD")


class FakeBuildsApi:
    """The builds contract, recorded: POST a tarball, stream output, GET the outcome."""

    def __init__(self, output=("-----> Python app detected", "-----> Done"), outcomes=(SUCCEEDED,)):
        self.output = output
        self.outcomes = list(outcomes)
        self.requests: list[httpx.Request] = []
        self.uploaded = b""
        self.create_answer = httpx.Response(201, json=BUILD)
        self.out: io.StringIO | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "POST" and request.url.path == "/apps/demo/builds":
            self.uploaded = request.read()
            return self.create_answer
        if request.url.path == BUILD["output_stream_url"]:
            return httpx.Response(200, content=self._stream_output())
        if request.url.path == "/apps/demo/builds/b-1":
            outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
            return httpx.Response(200, json=outcome)
        return httpx.Response(404, json={"id": "not_found", "message": "Not Found"})

    def _stream_output(self):
        for i, line in enumerate(self.output):
            if i and self.out is not None:
                # The previous line must already be out: printed as it arrived, not at the end.
                assert self.output[i - 1] in self.out.getvalue()
            yield (line + "\n").encode()


def run_hook(lines, api=None, environ=None, commit_env=None):
    out = io.StringIO()
    if api is not None:
        api.out = out
    env = {"PAAS_API_URL": "http://paas.test", "PAAS_API_TOKEN": "tok-123", "PAAS_APP": "demo",
           "PATH": os.environ["PATH"], **(commit_env or {}), **(environ or {})}
    transport = httpx.MockTransport(api) if api is not None else None
    code = main(stdin=io.StringIO("".join(f"{line}\n" for line in lines)), out=out,
                environ=env, transport=transport)
    return code, out.getvalue()


@pytest.fixture
def push_main(commit, repo_env):
    """Run the hook for a push of the test commit (or `sha`) to main."""
    def push(api=None, environ=None, sha=None):
        return run_hook([f"{ZERO} {sha or commit} refs/heads/main"], api, environ, repo_env)
    return push


SHA = "a" * 40
ONLY_MAIN = "paas only deploys main or master"


@pytest.mark.parametrize("lines, reason", [
    ([f"{ZERO} {SHA} refs/heads/dev"], f"pushed to non-deploy branch refs/heads/dev; {ONLY_MAIN}"),
    ([f"{ZERO} {SHA} refs/tags/v1"], f"pushed to non-deploy ref refs/tags/v1; {ONLY_MAIN}"),
    # One bad ref rejects the whole push, deploy branch included.
    ([f"{ZERO} {SHA} refs/heads/main", f"{ZERO} {SHA} refs/heads/dev"],
     f"pushed to non-deploy branch refs/heads/dev; {ONLY_MAIN}"),
    ([f"{SHA} {ZERO} refs/heads/master"],
     "deleting refs/heads/master is not allowed: it is the deploy branch"),
    ([f"{ZERO} {SHA} refs/heads/main", f"{ZERO} {SHA} refs/heads/master"],
     "push main or master, not both at once: one push deploys one commit"),
    ([], "nothing to deploy: the push updates no refs"),
])
def test_ref_rules_reject_the_push_before_any_build(lines, reason):
    api = FakeBuildsApi()
    code, out = run_hook(lines, api)
    assert (code, out) == (1, f"Push rejected: {reason}\n")
    assert api.requests == []


@pytest.mark.parametrize("ref", ["refs/heads/main", "refs/heads/master"])
def test_a_push_builds_the_commit_and_relays_its_output(commit, ref, repo_env):
    api = FakeBuildsApi()
    code, out = run_hook([f"{OLD} {commit} {ref}"], api, commit_env=repo_env)

    assert (code, out) == (0, "-----> Python app detected\n-----> Done\n")
    create = api.requests[0]
    assert create.headers["authorization"] == "Bearer tok-123"
    assert create.headers["content-type"] == "application/gzip"
    assert create.headers["paas-source-version"] == commit
    # Streamed from git archive as it is produced, not read whole first.
    assert create.headers.get("transfer-encoding") == "chunked"
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(api.uploaded))) as tar:
        assert sorted(tar.getnames()) == ["Procfile", "app.py"]
        assert tar.extractfile("Procfile").read() == b"web: python app.py\n"
    paths = [(r.method, r.url.path) for r in api.requests]
    assert paths == [("POST", "/apps/demo/builds"), ("GET", "/apps/demo/builds/b-1/output"),
                     ("GET", "/apps/demo/builds/b-1")]
    assert all(r.headers["authorization"] == "Bearer tok-123" for r in api.requests)


def test_a_failed_build_rejects_the_push(push_main):
    api = FakeBuildsApi(output=["-----> App not compatible with buildpack"],
                        outcomes=[{"id": "b-1", "status": "failed", "release": None}])
    code, out = push_main(api)
    assert code == 1
    assert out.splitlines() == ["-----> App not compatible with buildpack",
                                "Push rejected: build failed"]


def test_a_failed_release_rejects_the_push(push_main):
    failed = {"id": "b-1", "status": "succeeded", "release": {"version": 5, "status": "failed"}}
    api = FakeBuildsApi(outcomes=[failed])
    code, out = push_main(api)
    assert code == 1
    assert out.splitlines()[-1] == "Push rejected: release v5 failed"


def test_a_build_without_release_rejects_the_push(push_main):
    api = FakeBuildsApi(outcomes=[{"id": "b-1", "status": "succeeded", "release": None}])
    code, out = push_main(api)
    assert code == 1
    assert out.splitlines()[-1] == "Push rejected: the build made no release"


def test_the_outcome_is_awaited_while_the_release_is_pending(monkeypatch, push_main):
    monkeypatch.setattr(builds_client, "POLL_SECONDS", 0)
    pending = {"id": "b-1", "status": "succeeded", "release": {"version": 5, "status": "pending"}}
    api = FakeBuildsApi(outcomes=[pending, pending, SUCCEEDED])
    code, out = push_main(api)
    assert code == 0, out
    assert [r.url.path for r in api.requests].count("/apps/demo/builds/b-1") == 3


@pytest.mark.parametrize("answer, line", [
    (httpx.Response(404, json={"id": "not_found", "message": "app demo not found"}),
     "Push rejected: could not start the build: app demo not found (HTTP 404)"),
    (httpx.Response(405, text="nope"),
     "Push rejected: could not start the build: Method Not Allowed (HTTP 405)"),
    (httpx.Response(201, text="not json"),
     "Push rejected: could not start the build: the API answered something other than a "
     "JSON object"),
])
def test_api_errors_are_one_line(answer, line, push_main):
    api = FakeBuildsApi()
    api.create_answer = answer
    code, out = push_main(api)
    assert (code, out) == (1, line + "\n")


def test_an_output_url_elsewhere_is_not_followed(push_main):
    api = FakeBuildsApi()
    api.create_answer = httpx.Response(201, json={**BUILD, "output_stream_url": "http://evil/x"})
    code, out = push_main(api)
    assert code == 1
    assert "no usable output URL" in out
    assert len(api.requests) == 1


def test_an_unreachable_api_is_one_line_without_traceback(push_main):
    url = f"http://127.0.0.1:{free_port()}"
    code, out = push_main(environ={"PAAS_API_URL": url})
    assert code == 1
    assert len(out.splitlines()) == 1
    assert out.startswith("Push rejected: could not start the build: "
                          f"cannot reach the paas API at {url}")


def test_a_commit_git_cannot_archive_rejects_the_push(push_main):
    api = FakeBuildsApi()
    code, out = push_main(api, sha="f" * 40)
    assert code == 1
    assert out.strip() == f"Push rejected: git archive {'f' * 40} failed (exit status 128)"
    assert len(api.requests) <= 1  # the upload started, but no build output was asked for


def test_missing_hook_environment_is_named(push_main):
    code, out = push_main(FakeBuildsApi(), environ={"PAAS_API_TOKEN": ""})
    assert (code, out) == (1, "Push rejected: the hook's environment lacks PAAS_API_TOKEN\n")


def test_the_installed_script_runs_main(tmp_path):
    """The hook file BareRepos installs, run as git runs it: stdin in, exit code out."""
    from paas_platform.git.repos import hook_script

    script = tmp_path / "pre-receive"
    script.write_bytes(hook_script())
    script.chmod(0o755)
    result = subprocess.run([str(script)], input=f"{ZERO} {'a' * 40} refs/heads/dev\n",
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "non-deploy branch refs/heads/dev" in result.stdout
