"""apps, apps:create, apps:info, apps:destroy."""

from typing import Annotated

import typer

from paas_cli import app_context, git_repo
from paas_cli.errors import CliError, GitError
from paas_cli.confirmation import require_confirmation
from paas_cli.options import AppOption, ConfirmOption, JsonOption, RemoteOption
from paas_cli.output import dump_json, emit, header, key_values, progress, timestamp
from paas_cli.session import app_api, session_of


def list_apps(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """List your apps."""
    with session_of(ctx).client() as api:
        apps = api.list_apps()
    if json_output:
        dump_json(apps)
    elif not apps:
        emit("You have no apps.")
    else:
        header("Apps")
        for app in apps:
            emit(app["name"])


def create(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="App name (default: a random one).")] = None,
    remote: RemoteOption = app_context.DEFAULT_REMOTE,
    no_remote: Annotated[
        bool, typer.Option("--no-remote", help="Do not add a git remote.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Create an app (and, inside a git repository, a git remote for it)."""
    with session_of(ctx).client() as api:
        app = api.create_app(name)
    progress(f"Creating {app['name']}... done")
    if json_output:
        dump_json(app)
    else:
        emit(f"{app['web_url']} | {app['git_url']}")
    if not no_remote:
        _add_remote_if_in_repo(remote, app["git_url"])


def _add_remote_if_in_repo(remote: str, url: str) -> None:
    """Like `heroku create`: wire up the repo, but never fail a create that succeeded."""
    try:
        if not git_repo.is_work_tree():
            return
        if git_repo.remote_url(remote) is not None:
            progress(f"git remote {remote} already exists; left unchanged")
            return
        git_repo.set_remote(remote, url)
    except GitError as error:
        progress(f"Warning: git remote {remote} not added: {error.message}")
        return
    progress(f"set git remote {remote} to {url}")


def info(ctx: typer.Context, app: AppOption = None, json_output: JsonOption = False) -> None:
    """Show an app's details."""
    with app_api(ctx, app) as (name, api):
        details = api.get_app(name)
    if json_output:
        dump_json(details)
        return
    current = details.get("current_release")
    header(details["name"])
    key_values(
        [
            ("Web URL", details.get("web_url")),
            ("Git URL", details.get("git_url")),
            ("Stack", details.get("stack")),
            *([("Buildpack", details["buildpack"])] if details.get("buildpack") else []),
            ("Current release", f"v{current}" if current is not None else "none"),
            ("Released at", timestamp(details.get("released_at"))),
            ("Created at", timestamp(details.get("created_at"))),
            ("Maintenance", "on" if details.get("maintenance") else "off"),
        ]
    )


def destroy(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="App to destroy.")] = None,
    app: AppOption = None,
    confirm: ConfirmOption = None,
) -> None:
    """Permanently destroy an app, its releases and config."""
    session = session_of(ctx)
    if name and app and name != app:
        raise CliError(f"two different apps given: {name} and {app}")
    target = name or session.resolve_app(app)
    require_confirmation(target, confirm, "nothing was destroyed")
    with session.client() as api:
        api.destroy_app(target)
    progress(f"Destroying {target}... done")
    _remove_remote_if_it_points_at(target)


def _remove_remote_if_it_points_at(app: str) -> None:
    remote = app_context.DEFAULT_REMOTE
    if app_context.app_from_remote(remote) != app:
        return
    try:
        git_repo.remove_remote(remote)
    except GitError as error:
        progress(f"Warning: git remote {remote} not removed: {error.message}")
        return
    progress(f"removed git remote {remote}")


def register(app: typer.Typer) -> None:
    app.command("apps")(list_apps)
    app.command("apps:create")(create)
    app.command("apps:info")(info)
    app.command("apps:destroy")(destroy)
