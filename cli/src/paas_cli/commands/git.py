"""git:remote: point a git remote of the current repository at an app."""

import typer

from paas_cli import app_context, git_repo
from paas_cli.errors import GitError
from paas_cli.options import AppOption, RemoteOption
from paas_cli.output import emit
from paas_cli.session import app_api


def set_git_remote(
    ctx: typer.Context, app: AppOption = None, remote: RemoteOption = app_context.DEFAULT_REMOTE
) -> None:
    """Add (or re-point) a git remote for an app, so `git push paas main` deploys it."""
    if not git_repo.is_work_tree():
        raise GitError("not inside a git work tree; run this in your app's repository")
    with app_api(ctx, app) as (name, api):
        url = api.get_app(name)["git_url"]  # also proves the app exists before touching git
    git_repo.set_remote(remote, url)
    emit(f"set git remote {remote} to {url}")


def register(app: typer.Typer) -> None:
    app.command("git:remote")(set_git_remote)
