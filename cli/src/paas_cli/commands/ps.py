"""ps, ps:scale, ps:restart, ps:stop: an app's formation and its dynos."""

import re
from datetime import UTC, datetime
from typing import Annotated

import typer

from paas_cli.errors import CliError
from paas_cli.options import AppOption, JsonOption
from paas_cli.output import dump_json, emit, header, progress, timestamp
from paas_cli.session import app_api

ONE_OFF = "run"  # the type of `paas run` dynos (run.4711)
MAX_QUANTITY = 100  # the server's limit too; checked here so a typo makes no request

# `web=3`, `web+2`, `my-worker-1`: the operator is the last =, + or - before the digits
# (process types may contain "-" themselves).
_SCALE = re.compile(r"(?P<type>.+?)(?P<op>[=+-])(?P<digits>\d+)(?::(?P<size>[a-z0-9-]+))?",
                    re.IGNORECASE)
_RESIZE = re.compile(r"(?P<type>[a-z0-9][a-z0-9_-]*)=(?P<size>[a-z0-9-]+)", re.IGNORECASE)
_PROCESS_TYPE = re.compile(r"[a-z0-9][a-z0-9_-]*", re.IGNORECASE)

DynoArgument = Annotated[str, typer.Argument(help="A dyno (web.1) or a process type (web).")]


def now() -> datetime:
    """The current time; the tests replace this to get a fixed clock."""
    return datetime.now(UTC)


def parse_scale(arguments: list[str]) -> list[dict]:
    """`["web=3", "worker+1"]` -> the PATCH updates; any malformed one is an error.

    Absolute quantities go as ints, relative ones as the strings "+N"/"-N" so the server
    applies them atomically against what it has, not against what we last saw.
    """
    updates: list[dict] = []
    for argument in arguments:
        match = _SCALE.fullmatch(argument)
        if match is None or not _PROCESS_TYPE.fullmatch(match["type"]):
            raise CliError(f"{argument} is invalid; expected TYPE=N, TYPE+N or TYPE-N")
        process_type, op, count = match["type"], match["op"], int(match["digits"])
        if count > MAX_QUANTITY:
            raise CliError(f"{argument} is invalid; quantities go from 0 to {MAX_QUANTITY}")
        if any(update["type"] == process_type for update in updates):
            raise CliError(f"{process_type} is scaled twice; give each type once")
        quantity: int | str = count if op == "=" else f"{op}{count}"
        update: dict = {"type": process_type, "quantity": quantity}
        if match["size"]:
            update["size"] = match["size"].lower()
        updates.append(update)
    return updates


def parse_resize(arguments: list[str]) -> list[dict]:
    """`["web=standard-2x"]` -> size-only updates (the server checks the size names)."""
    updates: list[dict] = []
    for argument in arguments:
        match = _RESIZE.fullmatch(argument)
        if match is None:
            raise CliError(f"{argument} is invalid; expected TYPE=SIZE such as web=standard-2x")
        updates.append({"type": match["type"], "size": match["size"].lower()})
    return updates


def relative_age(value: str | None, current: datetime) -> str:
    """How long before `current` an API timestamp was: `~ 3m ago` (empty if unreadable)."""
    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = max(0, int((current - moment).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"~ {seconds // size}{unit} ago"
    return f"~ {seconds}s ago"


def dyno_line(dyno: dict, current: datetime) -> str:
    """`web.1: up 2026-11-24T00:40:12Z (~ 3m ago)  v3  restarts 0`, as `paas ps` lists it."""
    line = f"{dyno['name']}: {dyno.get('state')}"
    started = dyno.get("started_at")
    if started:
        age = relative_age(started, current)
        line += f" {timestamp(started)}" + (f" ({age})" if age else "")
    version = (dyno.get("release") or {}).get("version")
    if version is not None:
        line += f"  v{version}"
    if dyno.get("type") == ONE_OFF:
        return f"{line}: {dyno.get('command') or ''}".rstrip()
    line += f"  restarts {dyno.get('restarts') or 0}"
    if dyno.get("exit_code") is not None:
        line += f"  exit {dyno['exit_code']}"
    return line


def _dyno_order(dyno: dict) -> tuple[int, str]:
    """web.2 before web.10."""
    number = dyno["name"].rpartition(".")[2]
    return (int(number) if number.isdigit() else 0, dyno["name"])


def show_ps(name: str, formation: list[dict], dynos: list[dict], current: datetime) -> None:
    """Dynos grouped by process type under `=== web (2): command`, one-offs last."""
    if not formation and not dynos:
        emit(f"No dynos on {name}")
        return
    by_type: dict[str, list[dict]] = {}
    for dyno in sorted(dynos, key=_dyno_order):
        by_type.setdefault(dyno.get("type") or "", []).append(dyno)
    wanted = {entry["type"]: entry for entry in formation}
    for process_type in sorted((set(wanted) | set(by_type)) - {ONE_OFF}):
        members = by_type.get(process_type, [])
        # A type outside the formation (its release is being replaced) is wanted at 0.
        entry = wanted.get(process_type) or {"quantity": 0, "command": members[0].get("command")}
        title = f"{process_type} ({entry.get('quantity', 0)}): {entry.get('command') or ''}"
        header(title.rstrip())
        for dyno in members:
            emit(dyno_line(dyno, current))
    if by_type.get(ONE_OFF):
        header(f"{ONE_OFF}: one-off processes")
        for dyno in by_type[ONE_OFF]:
            emit(dyno_line(dyno, current))


def ps(ctx: typer.Context, app: AppOption = None, json_output: JsonOption = False) -> None:
    """List an app's dynos, grouped by process type."""
    with app_api(ctx, app) as (name, api):
        formation = api.formation(name)
        dynos = api.list_dynos(name)
    if json_output:
        dump_json({"formation": formation, "dynos": dynos})
        return
    show_ps(name, formation, dynos, now())


def scale(
    ctx: typer.Context,
    changes: Annotated[
        list[str] | None,
        typer.Argument(
            help="TYPE=N sets, TYPE+N / TYPE-N adds or removes dynos, TYPE=N:SIZE also "
                 "sets the size (no argument: show).",
            metavar="TYPE=N[:SIZE]|TYPE+N|TYPE-N",
        ),
    ] = None,
    app: AppOption = None,
) -> None:
    """Scale dynos: ps:scale web=3 worker+1. Makes no new release."""
    updates = parse_scale(changes or [])  # a typo fails before any request
    with app_api(ctx, app) as (name, api):
        if not updates:
            formation = api.formation(name)
        else:
            formation = api.scale(name, updates)
    quantities = {entry["type"]: entry.get("quantity") for entry in formation}
    if not updates:
        emit(" ".join(f"{kind}={count}" for kind, count in quantities.items()))
        return
    sizes = {entry["type"]: entry.get("size") for entry in formation}
    running = ", ".join(f"{u['type']} at {quantities.get(u['type'], '?')}"
                        + (f":{sizes.get(u['type'])}" if "size" in u else "") for u in updates)
    progress(f"Scaling dynos... done, now running {running}")


def resize(
    ctx: typer.Context,
    changes: Annotated[
        list[str] | None,
        typer.Argument(help="TYPE=SIZE (basic, standard-1x, standard-2x, performance-m, "
                            "performance-l); no argument: show.", metavar="TYPE=SIZE"),
    ] = None,
    app: AppOption = None,
) -> None:
    """Set the dyno size (memory and pids limits) of process types: ps:type web=standard-2x."""
    updates = parse_resize(changes or [])
    with app_api(ctx, app) as (name, api):
        formation = api.scale(name, updates) if updates else api.formation(name)
    for entry in formation:
        emit(f"{entry['type']}: {entry.get('size')} (x{entry.get('quantity')})")


def _subject(target: str | None) -> str:
    """`web.1 dyno`, `web dynos` or `dynos`, for progress lines."""
    if target is None:
        return "dynos"
    return f"{target} dyno" if "." in target else f"{target} dynos"


def restart(
    ctx: typer.Context,
    target: Annotated[
        str | None,
        typer.Argument(help="A dyno (web.1) or a process type (web); default: all dynos."),
    ] = None,
    app: AppOption = None,
) -> None:
    """Restart dynos: one, every dyno of a type, or all of them."""
    with app_api(ctx, app) as (name, api):
        api.restart_dynos(name, target)
    progress(f"Restarting {_subject(target)} on {name}... done")


def stop(ctx: typer.Context, target: DynoArgument, app: AppOption = None) -> None:
    """Stop a dyno, or every dyno of a type."""
    with app_api(ctx, app) as (name, api):
        api.stop_dynos(name, target)
    progress(f"Stopping {_subject(target)} on {name}... done")


def register(app: typer.Typer) -> None:
    app.command("ps")(ps)
    app.command("ps:scale")(scale)
    app.command("ps:type")(resize)
    app.command("ps:restart")(restart)
    app.command("ps:stop")(stop)
