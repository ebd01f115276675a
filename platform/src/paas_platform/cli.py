"""`paas-platform`: the operator's commands (up, db:upgrade, tokens:create).

main() owns exit codes and messages: below it, code raises PaasError and main()
prints one line to stderr and exits 1.
"""

from __future__ import annotations

import sys

import typer

from paas_platform.domain.errors import PaasError
from paas_platform.settings import Settings

app = typer.Typer(
    name="paas-platform",
    help="Run and administer the paas control plane.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command("up")
def up() -> None:
    """Start the control plane in the foreground (migrates the store first)."""
    from paas_platform.server import serve

    serve(Settings.from_env())


@app.command("db:upgrade")
def db_upgrade() -> None:
    """Apply pending database migrations."""
    from paas_platform.store import open_store
    from paas_platform.store.migrate import current_revision

    settings = Settings.from_env()
    store = open_store(settings.resolved_database_url)
    try:
        typer.echo(f"database at revision {current_revision(store.engine)} ({store.backend})")
    finally:
        store.close()


@app.command("stack:build")
def stack_build() -> None:
    """Make the stack's build and run images (debootstrap when no registry is reachable)."""
    from paas_platform.builder.pipeline import BuildPipeline
    from paas_platform.server import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_level)
    images = BuildPipeline(settings).ensure_stack(progress=typer.echo)
    typer.echo(f"build image {images.build}, run image {images.run}")


@app.command("tokens:create")
def tokens_create(
    user: str = typer.Option("admin", help="who the token acts as"),
    description: str = typer.Option("created by tokens:create", help="a note to recognise it"),
) -> None:
    """Create an admin API token and print it (it is shown only this once)."""
    from paas_platform.services.tokens import TokenService
    from paas_platform.store import open_store

    store = open_store(Settings.from_env().resolved_database_url)
    try:
        typer.echo(TokenService(store).create(user, description))
    finally:
        store.close()


def main() -> None:
    try:
        app(standalone_mode=False)
    except PaasError as exc:
        print(f"paas-platform: {exc.message}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort,):
        sys.exit(1)
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
