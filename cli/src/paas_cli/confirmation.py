"""The `--confirm APP` guard of destructive commands, as in the Heroku CLI."""

from paas_cli.errors import CliError


def require_confirmation(app: str, confirm: str | None, consequence: str) -> None:
    """Refuse unless `--confirm` repeated the app's name; call it before any request.

    `consequence` completes the mismatch message, e.g. "nothing was destroyed".
    """
    if confirm is None:
        raise CliError(f"this is destructive; re-run with --confirm {app}")
    if confirm != app:
        raise CliError(f"--confirm {confirm} does not match {app}; {consequence}")
