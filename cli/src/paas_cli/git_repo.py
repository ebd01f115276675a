"""The few git operations the CLI needs, run on the current directory's repository.

git is always run with an argv list (never a shell, never a command string built from
input), so remote names and URLs cannot be interpreted as shell syntax.
"""

import subprocess

from paas_cli.errors import GitError


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False
        )
    except FileNotFoundError:
        raise GitError("git is not installed (no 'git' on PATH)") from None
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror or error}") from None


def _checked(*args: str) -> str:
    result = _git(*args)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or [f"exit status {result.returncode}"]
        raise GitError(f"git {args[0]} {args[1]} failed: {lines[-1]}")
    return result.stdout


def is_work_tree() -> bool:
    result = _git("rev-parse", "--is-inside-work-tree")
    return result.returncode == 0 and result.stdout.strip() == "true"


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
