"""run, run:detached: one-off dynos, as `heroku run`.

`paas run -- CMD ARGS...` joins the words with shlex.join into one command line (the
dyno's launcher runs it with bash -c, so quoting survives the trip), asks the API for
an attached dyno, then relays this terminal to it through the rendezvous listener and
exits with the command's status. A terminal is allocated when stdin and stdout are both
terminals (`paas run bash` is interactive), unless --no-tty says otherwise.
"""

import os
import shlex
import sys
from typing import Annotated

import typer

from paas_cli.commands.config import parse_assignments
from paas_cli.errors import CliError, RemoteStatus
from paas_cli.options import AppOption
from paas_cli.output import progress
from paas_cli.rendezvous_client import RendezvousSession
from paas_cli.session import app_api, session_of

# Everything after the first word of the command belongs to it: `paas run ls -a` lists
# all files rather than naming an app. Options for paas come first, or before a `--`.
PASSTHROUGH = {"allow_interspersed_args": False, "ignore_unknown_options": True}

CommandArgument = Annotated[
    list[str], typer.Argument(help="The command and its arguments.", metavar="COMMAND...")
]
EnvOption = Annotated[
    list[str] | None,
    typer.Option("--env", "-e", help="KEY=value to set for this run only (repeatable).",
                 metavar="KEY=VALUE"),
]


def command_line(words: list[str]) -> str:
    """`["python", "-c", "print(1)"]` -> `python -c 'print(1)'` (one word passes as written)."""
    if not any(word.strip() for word in words):
        raise CliError("no command given; usage: paas run [-a APP] -- COMMAND [ARGS...]")
    return words[0] if len(words) == 1 else shlex.join(words)


def run(
    ctx: typer.Context,
    command: CommandArgument,
    app: AppOption = None,
    no_tty: Annotated[bool, typer.Option("--no-tty", help="Never allocate a terminal.")] = False,
    env: EnvOption = None,
) -> int:
    """Run a command in a one-off dyno, attached; exits with the command's status."""
    line = command_line(command)
    extra = parse_assignments(env or [])
    stdin_fd = _fileno(sys.stdin)
    terminal = not no_tty and _is_terminal(stdin_fd) and _is_terminal(_fileno(sys.stdout))
    if terminal:
        extra = {**_terminal_env(stdin_fd, session_of(ctx).environ), **extra}
    with app_api(ctx, app) as (name, api):
        dyno = api.create_dyno(name, line, attach=True, tty=terminal, env=extra)
    if not dyno.get("attach_url"):
        raise CliError(f"the API did not say where to attach to {dyno.get('name', 'the dyno')}")
    session = RendezvousSession.connect(dyno["attach_url"])
    progress(f"Running {line} on {name}... up, {dyno['name']}")
    end = session.run(stdin_fd, sys.stdout.buffer, sys.stderr.buffer, terminal)
    if end.status is None:
        raise CliError("; ".join(end.notes) or f"the connection to {dyno['name']} was lost")
    for note in end.notes:
        progress(note)
    return RemoteStatus(end.status)


def run_detached(
    ctx: typer.Context, command: CommandArgument, app: AppOption = None, env: EnvOption = None
) -> None:
    """Run a command in a one-off dyno in the background; its output goes to the logs."""
    line = command_line(command)
    extra = parse_assignments(env or [])
    with app_api(ctx, app) as (name, api):
        dyno = api.create_dyno(name, line, attach=False, tty=False, env=extra)
    progress(f"Running {line} on {name}... done, {dyno['name']}")


def _fileno(stream) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):  # replaced or closed (e.g. under pytest)
        return None


def _is_terminal(fd: int | None) -> bool:
    return fd is not None and os.isatty(fd)


def _terminal_env(fd: int, environ) -> dict[str, str]:
    """TERM and the window size, so full-screen programs draw right from the start."""
    env = {"TERM": environ.get("TERM") or "xterm"}
    try:
        size = os.get_terminal_size(fd)
        env.update(COLUMNS=str(size.columns), LINES=str(size.lines))
    except OSError:
        pass
    return env


def register(app: typer.Typer) -> None:
    app.command("run", context_settings=PASSTHROUGH)(run)
    app.command("run:detached", context_settings=PASSTHROUGH)(run_detached)
