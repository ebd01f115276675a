"""BareRepos: lazy creation, the hook kept current, names checked before paths, removal."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from paas_platform.domain.errors import InvalidParams
from paas_platform.git.repos import BareRepos, hook_script


@pytest.fixture
def repos(tmp_path):
    return BareRepos.for_data_dir(tmp_path)


def test_ensure_creates_a_bare_repo_on_main_with_the_hook(repos, tmp_path):
    assert not (tmp_path / "repos").exists()  # nothing until the first git request

    path = repos.ensure("demo")

    assert path == tmp_path.resolve() / "repos" / "demo.git"
    is_bare = subprocess.run(["git", "--git-dir", str(path), "rev-parse", "--is-bare-repository"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert is_bare == "true"
    assert (path / "HEAD").read_text() == "ref: refs/heads/main\n"
    hook = path / "hooks" / "pre-receive"
    assert hook.read_bytes() == hook_script()
    assert os.access(hook, os.X_OK)
    assert [p.name for p in (tmp_path / "repos").iterdir()] == ["demo.git"]  # no staging left


def test_the_hook_is_fixed_text_naming_this_interpreter():
    assert hook_script().decode() == (
        f"#!{sys.executable}\n"
        "from paas_platform.git.hook import main\n"
        "raise SystemExit(main())\n"
    )


def test_ensure_keeps_the_repo_and_heals_a_stale_hook(repos):
    path = repos.ensure("demo")
    (path / "marker").write_text("kept")
    hook = path / "hooks" / "pre-receive"
    hook.write_text("#!/old/venv/bin/python\n")
    hook.chmod(0o644)

    assert repos.ensure("demo") == path
    assert (path / "marker").read_text() == "kept"
    assert hook.read_bytes() == hook_script()
    assert os.access(hook, os.X_OK)


def test_an_unchanged_hook_is_not_rewritten(repos):
    hook = repos.ensure("demo") / "hooks" / "pre-receive"
    before = hook.stat().st_ino
    repos.ensure("demo")
    assert hook.stat().st_ino == before


@pytest.mark.parametrize("name", ["../etc", "demo/../../x", "Demo", "a", "-rf", ""])
def test_invalid_names_never_become_paths(repos, tmp_path, name):
    with pytest.raises(InvalidParams):
        repos.ensure(name)
    with pytest.raises(InvalidParams):
        repos.remove(name)
    assert not (tmp_path / "repos").exists()


def test_remove_deletes_the_repo_and_tolerates_a_missing_one(repos):
    path = repos.ensure("demo")
    repos.remove("demo")
    assert not path.exists()
    repos.remove("demo")  # already gone: nothing to do
    assert not path.exists()
