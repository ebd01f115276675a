"""`git push paas main` deploys: the user's session with the real paas CLI, the real
git client, a real control plane and the real Docker Engine."""

import os
import subprocess

import httpx
import pytest

from tests.integration.build_helpers import FLASK_APP, serve_image, write_tree
from tests.integration.conftest import TOKEN
from tests.integration.platform_process import CLI_BIN

pytestmark = pytest.mark.integration


@pytest.fixture
def user(deploy_platform, tmp_path):
    """A developer: empty HOME, `paas login` done, a git repo holding the Flask app."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAAS_", "GIT_"))}
    env.pop("NETRC", None)
    env.update(HOME=str(home), PAAS_API_URL=deploy_platform.url, GIT_TERMINAL_PROMPT="0",
               GIT_AUTHOR_NAME="Dev", GIT_AUTHOR_EMAIL="dev@example.com",
               GIT_COMMITTER_NAME="Dev", GIT_COMMITTER_EMAIL="dev@example.com")
    repo = write_tree(home / "app", FLASK_APP)

    def run(*argv, check=True):
        result = subprocess.run(list(argv), cwd=repo, env=env, capture_output=True, text=True,
                                timeout=900)
        if check:
            assert result.returncode == 0, f"{argv}: {result.stdout}\n{result.stderr}"
        return result

    run("git", "init", "-q", "-b", "main")
    run("git", "add", "-A")
    run("git", "commit", "-qm", "first")
    run(str(CLI_BIN), "login", "--token", TOKEN)
    run(str(CLI_BIN), "apps:create", "demo")
    run.repo = repo
    run.paas = lambda *args, check=True: run(str(CLI_BIN), *args, check=check)
    return run


def remote_main(user):
    return user("git", "ls-remote", "paas", "refs/heads/main").stdout.split("\t")[0]


def test_push_deploys_and_the_image_serves(user, engine, deploy_platform):
    pushed = user("git", "push", "paas", "main")
    assert "remote: -----> Python app detected" in pushed.stderr
    assert "remote:        release phase ran" in pushed.stderr
    assert "remote: -----> Released v2" in pushed.stderr
    head = user("git", "rev-parse", "HEAD").stdout.strip()
    assert remote_main(user) == head

    releases = user.paas("releases").stdout
    assert f"Deploy {head[:7]}" in releases
    import json

    builds = json.loads(user.paas("builds", "--json").stdout)
    assert builds[0]["source_version"] == head and builds[0]["status"] == "succeeded"
    _, url = serve_image(engine, builds[0]["image"]["id"], builds[0]["process_types"]["web"],
                         deploy_platform.instance)
    assert httpx.get(url).text.startswith("hello from web.1")


def test_failed_build_or_release_phase_rejects_the_push(user):
    user("git", "push", "paas", "main")
    deployed = remote_main(user)

    (user.repo / "requirements.txt").write_text("no-such-package-paas-xyz==9.9\n")
    user("git", "commit", "-qam", "broken dependency")
    rejected = user("git", "push", "paas", "main", check=False)
    assert rejected.returncode != 0
    assert "Push rejected: build failed" in rejected.stderr
    assert remote_main(user) == deployed

    user("git", "revert", "--no-edit", "HEAD")
    (user.repo / "Procfile").write_text("web: gunicorn --bind 0.0.0.0:$PORT app:app\nrelease: exit 1\n")
    user("git", "commit", "-qam", "failing release phase")
    rejected = user("git", "push", "paas", "main", check=False)
    assert rejected.returncode != 0
    assert "Push rejected: release v3 failed" in rejected.stderr
    assert remote_main(user) == deployed
    info = user.paas("apps:info", "--json").stdout
    import json

    assert json.loads(info)["current_release"] == 2
    assert "failed" in user.paas("releases").stdout


def test_other_branches_are_refused_and_force_pushes_deploy(user):
    refused = user("git", "push", "paas", "main:dev", check=False)
    assert refused.returncode != 0
    assert "only deploys main or master" in refused.stderr
    user("git", "push", "paas", "main")
    (user.repo / "app.py").write_text(FLASK_APP["app.py"].replace("hello", "howdy"))
    user("git", "commit", "-q", "--amend", "-am", "rewritten")
    forced = user("git", "push", "--force", "paas", "main")
    assert "Released v3" in forced.stderr
    assert remote_main(user) == user("git", "rev-parse", "HEAD").stdout.strip()


def test_paas_push_and_push_source(user):
    pushed = user.paas("push")
    assert "Released v2" in pushed.stdout + pushed.stderr
    (user.repo / "app.py").write_text(FLASK_APP["app.py"].replace("hello", "bonjour"))
    uploaded = user.paas("push", "--source", str(user.repo))
    assert "Released v3" in uploaded.stdout + uploaded.stderr
    assert "Deploy" in user.paas("releases").stdout
