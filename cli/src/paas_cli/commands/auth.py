"""login, logout, auth:whoami."""

import sys
from typing import Annotated

import typer

from paas_cli import credentials
from paas_cli.errors import CliError
from paas_cli.output import emit, progress
from paas_cli.session import session_of


def _read_token() -> str:
    """Ask for the token: hidden prompt on a terminal, else one line of stdin (for scripts)."""
    if sys.stdin is not None and sys.stdin.isatty():
        return typer.prompt("API token", hide_input=True, default="", show_default=False)
    return sys.stdin.readline() if sys.stdin is not None else ""


def login(
    ctx: typer.Context,
    token: Annotated[str | None, typer.Option("--token", help="API token (default: ask).")] = None,
) -> None:
    """Log in with an API token; stores it in ~/.netrc (also used by git push)."""
    token = (token if token is not None else _read_token()).strip()
    if not token:
        raise CliError("no token given")
    session = session_of(ctx)
    # Verify before writing anything: a bad token must not replace a good one.
    with session.client(token) as api:
        user = api.account()["user"]
    credentials.save_token(session.api_url, session.environ, user, token)
    emit(f"Logged in as {user}")


def logout(ctx: typer.Context) -> None:
    """Forget the stored API token."""
    session = session_of(ctx)
    credentials.remove_token(session.api_url, session.environ)
    progress("Logging out... done")
    if session.environ.get("PAAS_API_TOKEN"):
        progress("Note: PAAS_API_TOKEN is still set and will keep being used")


def whoami(ctx: typer.Context) -> None:
    """Print the user you are logged in as."""
    with session_of(ctx).client() as api:
        emit(api.account()["user"])


def register(app: typer.Typer) -> None:
    app.command("login")(login)
    app.command("logout")(logout)
    app.command("auth:whoami")(whoami)
