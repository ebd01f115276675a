"""Which app a command acts on: -a/--app, else $PAAS_APP, else the `paas` git remote.

Mirrors the Heroku CLI, which reads the app from the `heroku` remote of the repository
you are standing in, so `paas config` just works inside a deployed project.
"""

from collections.abc import Mapping
from urllib.parse import urlsplit

from paas_cli import git_repo
from paas_cli.errors import CliError, GitError

DEFAULT_REMOTE = "paas"

NO_APP_MESSAGE = "no app specified; use -a APP or run inside a repo with a paas git remote"


def app_name_from_git_url(url: str) -> str | None:
    """`http://host/git/demo.git` -> `demo` (last path segment without `.git`)."""
    path = urlsplit(url).path if "://" in url else url.rsplit(":", 1)[-1]
    segment = path.rstrip("/").rsplit("/", 1)[-1]
    name = segment.removesuffix(".git")
    return name or None


def app_from_remote(remote: str = DEFAULT_REMOTE) -> str | None:
    """The app named by `remote` in the current directory's repository, if any."""
    try:
        url = git_repo.remote_url(remote)
    except GitError:
        return None  # no git at all simply means "no remote"; -a still works
    return app_name_from_git_url(url) if url else None


def resolve_app(explicit: str | None, environ: Mapping[str, str]) -> str:
    """The app name to use, or a CliError saying how to name one."""
    name = explicit or environ.get("PAAS_APP") or app_from_remote()
    if not name:
        raise CliError(NO_APP_MESSAGE)
    return name
