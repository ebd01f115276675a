"""BareRepos: one bare git repository per app under {data_dir}/repos, with our pre-receive hook.

A repo is created on the first git request for an existing app and removed with the app.
The hook is fixed text naming this interpreter; it is rewritten whenever it differs, so a
platform moved to another virtualenv heals its repos on the next push.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from paas_platform.domain.names import validate_app_name

log = logging.getLogger("paas.git")

HOOK_NAME = "pre-receive"


def hook_script(python: str = sys.executable) -> bytes:
    """The pre-receive hook: our own entry point run by this interpreter, never request input."""
    return (
        f"#!{python}\n"
        "from paas_platform.git.hook import main\n"
        "raise SystemExit(main())\n"
    ).encode()


class BareRepos:
    def __init__(self, root: Path, hook: bytes | None = None) -> None:
        self.root = root
        self._hook = hook_script() if hook is None else hook

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> "BareRepos":
        # Absolute, because it becomes GIT_PROJECT_ROOT for a child process.
        return cls(data_dir.resolve() / "repos")

    def path(self, app: str) -> Path:
        """Where `app`'s repo lives; the name is validated before it touches a path."""
        return self.root / f"{validate_app_name(app)}.git"

    def ensure(self, app: str) -> Path:
        """The app's repo, created if missing, with the current hook installed."""
        path = self.path(app)
        if not path.is_dir():
            self._create(path)
        self._install_hook(path)
        return path

    def remove(self, app: str) -> None:
        path = self.path(app)
        try:
            shutil.rmtree(path)
        except FileNotFoundError:
            return
        except OSError as exc:
            # The app row is already gone: a leftover directory is worth a warning, not a
            # failed destroy.
            log.warning("could not remove the git repo of %s: %s", app, exc.strerror)
            return
        log.info("git repo of %s removed", app)

    def _create(self, path: Path) -> None:
        # Built aside and renamed into place, so two first pushes racing each other never
        # see a half-initialised repo; the loser of the rename just drops its copy.
        self.root.mkdir(parents=True, exist_ok=True)
        staging = self.root / f".new-{uuid.uuid4().hex}.git"
        subprocess.run(
            ["git", "init", "--quiet", "--bare", "--initial-branch=main", "--template=",
             str(staging)],
            check=True, capture_output=True, timeout=60,
        )
        try:
            os.rename(staging, path)
            log.info("git repo of %s created", path.stem)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not path.is_dir():
                raise

    def _install_hook(self, repo: Path) -> None:
        hook = repo / "hooks" / HOOK_NAME
        try:
            if hook.read_bytes() == self._hook and os.access(hook, os.X_OK):
                return
        except FileNotFoundError:
            pass
        hook.parent.mkdir(exist_ok=True)
        staging = hook.with_name(f".{HOOK_NAME}-{uuid.uuid4().hex}")
        staging.write_bytes(self._hook)
        staging.chmod(0o755)
        os.replace(staging, hook)
