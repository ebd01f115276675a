"""maintenance, maintenance:on, maintenance:off: the router answers 503 with a
maintenance page while the app's dynos keep running."""

import typer

from paas_cli.options import AppOption
from paas_cli.output import emit, progress
from paas_cli.session import app_api


def show(ctx: typer.Context, app: AppOption = None) -> None:
    """Show whether the app is in maintenance mode (on or off)."""
    with app_api(ctx, app) as (name, api):
        enabled = api.get_app(name).get("maintenance")
    emit("on" if enabled else "off")


def enable(ctx: typer.Context, app: AppOption = None) -> None:
    """Put the app in maintenance mode."""
    with app_api(ctx, app) as (name, api):
        api.update_app(name, {"maintenance": True})
    progress(f"Enabling maintenance mode for {name}... done")


def disable(ctx: typer.Context, app: AppOption = None) -> None:
    """Take the app out of maintenance mode."""
    with app_api(ctx, app) as (name, api):
        api.update_app(name, {"maintenance": False})
    progress(f"Disabling maintenance mode for {name}... done")


def register(app: typer.Typer) -> None:
    app.command("maintenance")(show)
    app.command("maintenance:on")(enable)
    app.command("maintenance:off")(disable)
