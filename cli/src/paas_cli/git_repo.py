"""The few git operations the CLI needs, run on the current directory's repository.

git is always run with an argv list (never a shell, never a command string built from
input), so remote names and URLs cannot be interpreted as shell syntax.
"""

import base64
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from paas_cli.errors import GitError

# Every push lands on the app's main branch, whatever the local ref is called.
DEPLOY_REF = "refs/heads/main"


def _run(argv: list[str], **options: Any) -> subprocess.CompletedProcess:
    # stdin is never git's to read: with prompts disabled nothing can wait for the user.
    try:
        return subprocess.run(argv, stdin=subprocess.DEVNULL, check=False, **options)
    except FileNotFoundError:
        raise GitError("git is not installed (no 'git' on PATH)") from None
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror or error}") from None


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return _run(["git", *args], capture_output=True, text=True, cwd=cwd)


def _checked(*args: str) -> str:
    result = _git(*args)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or [f"exit status {result.returncode}"]
        raise GitError(f"git {args[0]} {args[1]} failed: {lines[-1]}")
    return result.stdout


def is_work_tree() -> bool:
    result = _git("rev-parse", "--is-inside-work-tree")
    return result.returncode == 0 and result.stdout.strip() == "true"


def commit_of(ref: str, directory: Path | None = None) -> str | None:
    """The sha of the commit `ref` names, or None (no such commit, no commits yet, no repo)."""
    if ref.startswith("-"):
        return None  # would be read as an option, not a ref
    result = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", cwd=directory)
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def push_command(url: str, ref: str, force: bool) -> list[str]:
    """`git push [--force] -- URL REF:refs/heads/main`; `--` keeps URL from being an option."""
    return ["git", "push", *(["--force"] if force else []), "--", url, f"{ref}:{DEPLOY_REF}"]


def push_environment(token: str | None, inherited: Mapping[str, str]) -> dict[str, str]:
    """Variables to add to git's environment for a push (`inherited` is what it has already).

    With a token, git sends it as the HTTP Basic password through `http.extraHeader` set in
    GIT_CONFIG_COUNT/KEY_n/VALUE_n (git >= 2.31), never in argv, where `ps` would show it.
    Entries the user already set that way are kept; ours is appended after them.
    """
    environment = {"GIT_TERMINAL_PROMPT": "0"}  # fail rather than hang on a prompt
    if token:
        count = inherited.get("GIT_CONFIG_COUNT", "")
        index = int(count) if count.isdigit() else 0
        basic = base64.b64encode(f"paas:{token}".encode()).decode("ascii")
        environment |= {
            "GIT_CONFIG_COUNT": str(index + 1),
            f"GIT_CONFIG_KEY_{index}": "http.extraHeader",
            f"GIT_CONFIG_VALUE_{index}": f"Authorization: Basic {basic}",
        }
    return environment


def push(url: str, ref: str, force: bool = False, token: str | None = None) -> int:
    """Push `ref` to `url` as the deploy branch; git's output goes straight to the terminal.

    Returns git's exit status (as a shell reports it: 128 + N when killed by signal N).
    """
    environment = {**os.environ, **push_environment(token, os.environ)}
    status = _run(push_command(url, ref, force), env=environment).returncode
    return 128 - status if status < 0 else status


def remote_url(name: str) -> str | None:
    """The URL of remote `name`, or None when there is no such remote or no repository."""
    result = _git("remote", "get-url", name)
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def set_remote(name: str, url: str) -> None:
    """Point remote `name` at `url`, adding it if it does not exist yet."""
    if remote_url(name) is None:
        _checked("remote", "add", name, url)
    else:
        _checked("remote", "set-url", name, url)


def remove_remote(name: str) -> None:
    _checked("remote", "remove", name)
