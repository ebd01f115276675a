"""buildpacks, buildpacks:set, buildpacks:clear: the app's buildpack override."""

from typing import Annotated

import typer

from paas_cli.options import AppOption
from paas_cli.output import emit, header
from paas_cli.session import app_api

AUTOMATIC = "(detected automatically)"


def show(ctx: typer.Context, app: AppOption = None) -> None:
    """Show the app's buildpack."""
    with app_api(ctx, app) as (name, api):
        buildpack = api.get_app(name).get("buildpack")
    header(f"{name} Buildpack")
    emit(buildpack or AUTOMATIC)


def set_buildpack(
    ctx: typer.Context,
    buildpack: Annotated[
        str,
        typer.Argument(
            metavar="NAME_OR_URL",
            help="A built-in buildpack (python, procfile) or a buildpack's git URL.",
        ),
    ],
    app: AppOption = None,
) -> None:
    """Use this buildpack for the app's next builds (the server checks the name or URL)."""
    with app_api(ctx, app) as (name, api):
        updated = api.update_app(name, {"buildpack": buildpack})
    emit(f"Buildpack set. Next release on {name} will use {updated.get('buildpack') or buildpack}.")
    emit("Run paas push to create a new release using this buildpack.")


def clear(ctx: typer.Context, app: AppOption = None) -> None:
    """Go back to detecting the buildpack from the source."""
    with app_api(ctx, app) as (name, api):
        api.update_app(name, {"buildpack": None})
    emit(f"Buildpack cleared. Next release on {name} will detect the buildpack from the source.")


def register(app: typer.Typer) -> None:
    app.command("buildpacks")(show)
    app.command("buildpacks:set")(set_buildpack)
    app.command("buildpacks:clear")(clear)
