"""The exceptions the CLI raises; main() turns each into one `Error: ...` line.

Code below main() never prints errors or picks exit codes itself: it raises one of these
and main() decides how the failure looks (httpie's split of duties).
"""


class CliError(Exception):
    """A failure the user can act on; its message is printed as-is after `Error: `.

    `exit_code` is 1 unless the failure passes on another program's status (`paas push`
    exits with git's).
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class ApiError(CliError):
    """The control plane answered with an error (`{"id": ..., "message": ...}`)."""

    def __init__(self, id: str, message: str, status: int) -> None:
        super().__init__(message)
        self.id = id
        self.status = status


class ApiUnreachable(CliError):
    """No HTTP answer at all: refused connection, DNS failure, timeout, bad URL."""


class NotLoggedIn(CliError):
    """No token in PAAS_API_TOKEN or ~/.netrc."""

    def __init__(self) -> None:
        super().__init__("not logged in; run paas login")


class GitError(CliError):
    """git is missing, the directory is not a work tree, or a git command failed."""


class RemoteStatus(int):
    """The exit status of a command that ran in a dyno: passed through as it is, even
    130, which from the CLI itself would mean Ctrl-C."""
