"""healthcheck, healthcheck:set PATH, healthcheck:clear: the path new web dynos must
answer (2xx/3xx) during a rollout before old ones stop; without one, accepting TCP
on $PORT is enough."""

from typing import Annotated

import typer

from paas_cli.options import AppOption
from paas_cli.output import emit, progress
from paas_cli.session import app_api


def show(ctx: typer.Context, app: AppOption = None) -> None:
    """Show the app's health check path (or that it has none)."""
    with app_api(ctx, app) as (name, api):
        path = api.get_app(name).get("health_check_path")
    emit(path or "(none: a web dyno is ready once it accepts connections on $PORT)")


def set_path(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="An absolute path such as /health.")],
    app: AppOption = None,
) -> None:
    """Require new web dynos to answer PATH with 2xx/3xx before they take over."""
    with app_api(ctx, app) as (name, api):
        api.update_app(name, {"health_check_path": path})
    progress(f"Setting health check {path} for {name}... done")


def clear(ctx: typer.Context, app: AppOption = None) -> None:
    """Go back to the TCP check alone."""
    with app_api(ctx, app) as (name, api):
        api.update_app(name, {"health_check_path": None})
    progress(f"Clearing the health check of {name}... done")


def register(app: typer.Typer) -> None:
    app.command("healthcheck")(show)
    app.command("healthcheck:set")(set_path)
    app.command("healthcheck:clear")(clear)
