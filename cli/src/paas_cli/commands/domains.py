"""domains, domains:add, domains:remove: the hostnames an app answers to."""

from typing import Annotated

import typer

from paas_cli.options import AppOption, JsonOption
from paas_cli.output import dump_json, emit, header, progress
from paas_cli.session import app_api

HostnameArgument = Annotated[str, typer.Argument(help="A hostname, such as www.example.com.")]


def list_domains(ctx: typer.Context, app: AppOption = None, json_output: JsonOption = False) -> None:
    """List the app's hostnames: its default one and its custom domains."""
    with app_api(ctx, app) as (name, api):
        domains = api.list_domains(name)
    if json_output:
        dump_json(domains)
        return
    defaults = [d["hostname"] for d in domains if d.get("kind") == "default"]
    custom = [d["hostname"] for d in domains if d.get("kind") != "default"]
    header(f"{name} Default Domain")
    for hostname in defaults:
        emit(hostname)
    if custom:
        emit()
        header(f"{name} Custom Domains")
        for hostname in custom:
            emit(hostname)


def add(ctx: typer.Context, hostname: HostnameArgument, app: AppOption = None) -> None:
    """Route a custom hostname to the app (point its DNS at the router)."""
    with app_api(ctx, app) as (name, api):
        domain = api.add_domain(name, hostname)
    progress(f"Adding {domain.get('hostname') or hostname} to {name}... done")


def remove(ctx: typer.Context, hostname: HostnameArgument, app: AppOption = None) -> None:
    """Stop routing a custom hostname to the app."""
    with app_api(ctx, app) as (name, api):
        api.remove_domain(name, hostname)
    progress(f"Removing {hostname} from {name}... done")


def register(app: typer.Typer) -> None:
    app.command("domains")(list_domains)
    app.command("domains:add")(add)
    app.command("domains:remove")(remove)
