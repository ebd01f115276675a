"""Options shared by many commands, declared once so their flags and help stay identical."""

from typing import Annotated

import typer

AppOption = Annotated[
    str | None,
    typer.Option(
        "--app",
        "-a",
        help="App to run the command against "
        "(default: $PAAS_APP, else the app of the 'paas' git remote).",
    ),
]

JsonOption = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]

RemoteOption = Annotated[str, typer.Option("--remote", "-r", help="Name of the git remote.")]

ConfirmOption = Annotated[
    str | None, typer.Option("--confirm", help="The app's name again, to confirm.")
]
