"""The `paas` entry point: builds the typer app and owns every error message and exit code.

As in httpie, the commands underneath only raise; main() is the single place that decides
how a failure looks: one `Error: ...` line on stderr, exit 1 (2 for usage errors, 130 for
Ctrl-C), and never a traceback.
"""

import os
import sys
from collections.abc import Sequence
from typing import Annotated

import typer

from paas_cli import __version__
from paas_cli.commands import apps, auth, buildpacks, builds, config, git, ps, push, releases
from paas_cli.commands import addons, domains, drains, healthcheck, logs, maintenance, run
from paas_cli.errors import CliError, RemoteStatus
from paas_cli.session import Session

INTERRUPTED = 130


def _print_version(value: bool) -> None:
    if value:
        version()
        raise typer.Exit()


def _root(
    ctx: typer.Context,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """paas: deploy and run apps on the paas platform."""
    if ctx.invoked_subcommand is None:
        # Bare `paas` shows help and succeeds, like `heroku`.
        typer.echo(ctx.get_help())
        raise typer.Exit()


def version() -> None:
    """Print the version."""
    typer.echo(f"paas-cli {__version__}")


def build_app() -> typer.Typer:
    # Pretty exceptions off: a traceback must never reach the user (main() catches anyway,
    # and this keeps typer from installing its rich excepthook).
    app = typer.Typer(
        name="paas",
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback(invoke_without_command=True)(_root)
    for topic in (auth, apps, config, releases, git, push, builds, buildpacks, ps, run, domains,
                  maintenance, healthcheck, addons, logs, drains):
        topic.register(app)
    app.command("version")(version)
    return app


app = build_app()


def main(argv: Sequence[str] | None = None, session: Session | None = None) -> int:
    """Run `paas` with `argv` (default: sys.argv[1:]) and return the exit code."""
    command = typer.main.get_command(app)
    try:
        result = command.main(
            args=list(argv) if argv is not None else None,
            prog_name="paas",
            standalone_mode=False,  # we, not click, print errors and choose exit codes
            obj=session or Session.from_environment(),
        )
    except typer.TyperException as error:  # usage errors (exit 2) and other parse failures
        message = error.format_message().rstrip(".") + "."
        return _fail(message + _help_hint(error), error.exit_code)
    except typer.Abort:  # EOF at a prompt
        return _fail("aborted", 1)
    except CliError as error:
        return _fail(error.message, error.exit_code)
    except KeyboardInterrupt:
        return _fail("interrupted", INTERRUPTED)
    except Exception as error:  # a bug; still no traceback unless asked for
        if os.environ.get("PAAS_DEBUG"):
            raise
        return _fail(f"unexpected {type(error).__name__}: {error}", 1)
    if isinstance(result, RemoteStatus):
        return int(result)
    if result == INTERRUPTED:
        # typer turns Ctrl-C inside a command into a silent exit 130; say why we stopped.
        return _fail("interrupted", INTERRUPTED)
    return result if isinstance(result, int) else 0


def _help_hint(error: Exception) -> str:
    ctx = getattr(error, "ctx", None)  # set on usage errors: which (sub)command was misused
    return f" See '{ctx.command_path} --help'." if ctx is not None else ""


def _fail(message: str, exit_code: int) -> int:
    # Messages may come from the server; fold them so a failure is always exactly one line.
    one_line = " ".join(line.strip() for line in message.splitlines() if line.strip())
    typer.echo(f"Error: {one_line}", err=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
