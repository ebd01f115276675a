"""config, config:get, config:set, config:unset."""

import shlex
from typing import Annotated

import typer

from paas_cli.errors import CliError
from paas_cli.options import AppOption, JsonOption
from paas_cli.output import dump_json, emit, header, key_values, progress
from paas_cli.session import app_api


def parse_assignments(arguments: list[str]) -> dict[str, str]:
    """`["FOO=1", "B=x=y"]` -> `{"FOO": "1", "B": "x=y"}`; any malformed one is an error.

    Everything is checked before a request is made, so a typo in the third argument cannot
    leave the first two applied.
    """
    assignments: dict[str, str] = {}
    for argument in arguments:
        key, separator, value = argument.partition("=")
        if not separator:
            raise CliError(f"{argument} is invalid; expected KEY=value")
        if not key:
            raise CliError(f"{argument} is invalid; the key is empty")
        assignments[key] = value
    return assignments


def show(
    ctx: typer.Context,
    app: AppOption = None,
    json_output: JsonOption = False,
    shell: Annotated[
        bool, typer.Option("--shell", help="Print KEY=value lines for a shell.")
    ] = False,
) -> None:
    """Show an app's config vars."""
    with app_api(ctx, app) as (name, api):
        config = api.config_vars(name)
    if json_output:
        dump_json(config)
    elif shell:
        for key in sorted(config):
            emit(f"{key}={shlex.quote(config[key])}")
    else:
        header(f"{name} Config Vars")
        key_values(sorted(config.items()))


def get(ctx: typer.Context, key: str, app: AppOption = None) -> None:
    """Print one config var's value (an empty line when it is not set)."""
    with app_api(ctx, app) as (name, api):
        config = api.config_vars(name)
    emit(config.get(key, ""))


def set_vars(
    ctx: typer.Context,
    assignments: Annotated[
        list[str], typer.Argument(help="KEY=value pairs.", metavar="KEY=VALUE...")
    ],
    app: AppOption = None,
) -> None:
    """Set config vars; makes a new release and restarts the app."""
    changes = parse_assignments(assignments)
    with app_api(ctx, app) as (name, api):
        config, version = api.update_config_vars(name, dict(changes))
    progress(f"Setting {', '.join(changes)} and restarting {name}... {_done(version)}")
    key_values((key, config.get(key, value)) for key, value in changes.items())


def unset_vars(
    ctx: typer.Context,
    keys: Annotated[list[str], typer.Argument(help="Keys to remove.", metavar="KEY...")],
    app: AppOption = None,
) -> None:
    """Unset config vars; makes a new release and restarts the app."""
    with app_api(ctx, app) as (name, api):
        _, version = api.update_config_vars(name, dict.fromkeys(keys))
    progress(f"Unsetting {', '.join(keys)} and restarting {name}... {_done(version)}")


def _done(version: int | None) -> str:
    return f"done, v{version}" if version is not None else "done"


def register(app: typer.Typer) -> None:
    app.command("config")(show)
    app.command("config:get")(get)
    app.command("config:set")(set_vars)
    app.command("config:unset")(unset_vars)
