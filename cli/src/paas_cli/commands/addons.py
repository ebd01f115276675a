"""addons, addons:create, addons:info, addons:attach, addons:detach, addons:destroy."""

from typing import Annotated

import typer

from paas_cli.confirmation import require_confirmation
from paas_cli.errors import CliError
from paas_cli.options import AppOption, ConfirmOption, JsonOption
from paas_cli.output import columns, dump_json, emit, header, human_size, key_values, progress
from paas_cli.output import timestamp
from paas_cli.session import app_api, session_of

AddonArgument = Annotated[
    str, typer.Argument(help="The add-on's name, e.g. postgresql-curved-12345.")
]
AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Attachment name: DATABASE sets DATABASE_URL (upper-cased)."),
]


def _attached_as(addon: dict) -> str:
    return ", ".join(f"{a['app']['name']}::{a['name']}" for a in addon.get("attachments", []))


def list_addons(ctx: typer.Context, app: AppOption = None, json_output: JsonOption = False) -> None:
    """List the add-ons attached to the app, or all add-ons when there is no app."""
    session = session_of(ctx)
    try:
        name = session.resolve_app(app)
    except CliError:
        if app:
            raise
        name = None  # no -a, no PAAS_APP, no git remote: every add-on, as `heroku addons`
    with session.client() as api:
        addons = api.list_addons(name)
    if json_output:
        dump_json(addons)
        return
    if not addons:
        emit(f"No add-ons for app {name}." if name else "You have no add-ons.")
        return
    rows = [["Owning App", "Add-on", "Plan", "State", "Attached as"]]
    rows += [[a["app"]["name"], a["name"], a["plan"]["name"], a["state"], _attached_as(a)]
             for a in addons]
    columns(rows)


def create(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="postgresql or redis (optionally :PLAN).")],
    app: AppOption = None,
    as_name: AsOption = None,
    name: Annotated[str | None, typer.Option("--name", help="The add-on's name.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Provision a PostgreSQL or Redis server and attach it (sets DATABASE_URL / REDIS_URL)."""
    # The answer comes once the server accepts connections (a few seconds; longer the
    # first time, when its image is made).
    with app_api(ctx, app) as (target, api):
        addon = api.create_addon(target, service, name, as_name)
    if json_output:
        dump_json(addon)
        return
    release = addon.get("release") or {}
    suffix = f", v{release['version']}" if release.get("version") else ""
    progress(f"Creating {service} on {target}... done{suffix}")
    emit(f"Created {addon['name']} as {', '.join(addon['config_vars'])}")


def info(ctx: typer.Context, addon_name: AddonArgument, json_output: JsonOption = False) -> None:
    """Show an add-on: plan, state, the apps and vars it is attached as, its data size."""
    with session_of(ctx).client() as api:
        addon = api.get_addon(addon_name)
    if json_output:
        dump_json(addon)
        return
    server = addon.get("server") or {}
    size = server.get("data_bytes")
    header(addon["name"])
    key_values([
        ("Attachments", ", ".join(f"{a['app']['name']}::{a['config_var']}"
                                  for a in addon.get("attachments", []))),
        ("Installed at", timestamp(addon.get("created_at"))),
        ("Owning app", addon["app"]["name"]),
        ("Plan", addon["plan"]["name"]),
        ("Server", server.get("state")),
        ("State", addon["state"]),
        ("Data size", human_size(size) if isinstance(size, int) else "unknown"),
        ("Volume", server.get("volume")),
    ])


def attach(ctx: typer.Context, addon_name: AddonArgument, app: AppOption = None,
           as_name: AsOption = None) -> None:
    """Attach an existing add-on to another app (sets its var there, a new release)."""
    with app_api(ctx, app) as (target, api):
        attachment, version = api.attach_addon(addon_name, target, as_name)
    suffix = f", v{version}" if version else ""
    progress(f"Attaching {addon_name} to {target} as {attachment['config_var']}... done{suffix}")


def detach(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The add-on's name, or the var (DATABASE_URL).")],
    app: AppOption = None,
) -> None:
    """Detach an add-on from the app (unsets its var, a new release); its data stays."""
    with app_api(ctx, app) as (target, api):
        attachment, version = api.detach_addon(target, ref)
    suffix = f", v{version}" if version else ""
    progress(f"Detaching {attachment['config_var']} ({attachment['addon']['name']}) from "
             f"{target}... done{suffix}")


def destroy(
    ctx: typer.Context,
    addon_name: AddonArgument,
    app: AppOption = None,
    confirm: ConfirmOption = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Also when attached to other apps (unsets their vars too).")] = False,
) -> None:
    """Destroy an add-on and its data; unsets its vars on every attached app."""
    with app_api(ctx, app) as (target, api):
        require_confirmation(target, confirm, "nothing was destroyed")
        api.destroy_addon(target, addon_name, confirm or "", force)
    progress(f"Destroying {addon_name} on {target}... done")


def register(app: typer.Typer) -> None:
    app.command("addons")(list_addons)
    app.command("addons:create")(create)
    app.command("addons:info")(info)
    app.command("addons:attach")(attach)
    app.command("addons:detach")(detach)
    app.command("addons:destroy")(destroy)
