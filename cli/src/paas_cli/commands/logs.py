"""logs: an app's recent log lines, or (--tail) its live stream until Ctrl-C."""

import os
import sys
from typing import Annotated

import typer

from paas_cli.options import AppOption
from paas_cli.output import passthrough
from paas_cli.session import app_api

NumOption = Annotated[
    int | None, typer.Option("--num", "-n", min=1, help="How many recent lines (default 100).")
]
TailOption = Annotated[
    bool, typer.Option("--tail", "-t", help="Keep streaming new lines until Ctrl-C.")
]
DynoOption = Annotated[
    str | None, typer.Option("--dyno", "-d", help="Only this dyno (web.1) or process type (web).")
]
SourceOption = Annotated[
    str | None, typer.Option("--source", "-s", help="Only lines from 'app' or 'platform'.")
]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="Lines from this time on: ISO 8601, or an age (10m, 2h).")
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="Lines up to this time: ISO 8601, or an age (10m).")
]


def logs(
    ctx: typer.Context,
    app: AppOption = None,
    num: NumOption = None,
    tail: TailOption = False,
    dyno: DynoOption = None,
    source: SourceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
) -> None:
    """Show the app's log: its dynos' output and the platform's events, in time order."""
    wanted = {"num": num, "dyno": dyno, "source": source, "since": since, "until": until}
    params = {key: str(value) for key, value in wanted.items() if value is not None}
    if tail:
        params["tail"] = "true"
    with app_api(ctx, app) as (name, api):
        try:
            for line in api.log_lines(name, params):
                passthrough(line + "\n")
        except KeyboardInterrupt:
            if not tail:
                raise
            # Ctrl-C is how --tail ends: quietly, and successfully.
        except BrokenPipeError:
            # The reader went away (`paas logs | head`): nothing left to say to it.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def register(app: typer.Typer) -> None:
    app.command("logs")(logs)
