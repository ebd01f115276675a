"""drains, drains:add, drains:remove: where an app's log stream is forwarded."""

from typing import Annotated

import typer

from paas_cli.options import AppOption, JsonOption
from paas_cli.output import dump_json, emit, header, progress
from paas_cli.session import app_api

UrlArgument = Annotated[
    str,
    typer.Argument(help="syslog://host:port, syslog+tls://host:port or https://host/path."),
]
DrainArgument = Annotated[str, typer.Argument(help="The drain's URL, token or id.")]


def list_drains(ctx: typer.Context, app: AppOption = None, json_output: JsonOption = False) -> None:
    """List the app's log drains with their tokens."""
    with app_api(ctx, app) as (name, api):
        drains = api.list_drains(name)
    if json_output:
        dump_json(drains)
        return
    if not drains:
        emit(f"{name} has no drains.")
        return
    header(f"{name} Drains")
    for drain in drains:
        emit(f"{drain.get('url')} ({drain.get('token')})")


def add(ctx: typer.Context, url: UrlArgument, app: AppOption = None) -> None:
    """Forward the app's logs to a syslog or HTTPS receiver."""
    with app_api(ctx, app) as (name, api):
        drain = api.add_drain(name, url)
    progress(f"Successfully added drain {drain.get('url', url)} to {name} "
             f"(token {drain.get('token')})")


def remove(ctx: typer.Context, drain: DrainArgument, app: AppOption = None) -> None:
    """Stop forwarding the app's logs to a drain."""
    with app_api(ctx, app) as (name, api):
        removed = api.remove_drain(name, drain)
    progress(f"Successfully removed drain {removed.get('url', drain)} from {name}")


def register(app: typer.Typer) -> None:
    app.command("drains")(list_drains)
    app.command("drains:add")(add)
    app.command("drains:remove")(remove)
