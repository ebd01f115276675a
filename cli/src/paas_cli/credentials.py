"""Where the API token lives: PAAS_API_TOKEN, else the user's netrc file.

The netrc entry is keyed by the API's host name without the port, because that is how git
and curl match netrc entries; so the token `paas login` stores also authenticates
`git push` to the platform's git endpoint (HTTP Basic, password = token).
"""

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from paas_cli import netrc_file
from paas_cli.errors import CliError, NotLoggedIn


def api_host(api_url: str) -> str:
    """The host part of the API URL, as netrc matches it (no scheme, no port)."""
    host = urlsplit(api_url).hostname
    if not host:
        raise CliError(f"PAAS_API_URL is not a valid URL: {api_url!r}")
    return host


def netrc_path(environ: Mapping[str, str]) -> Path:
    """The netrc file to use: $NETRC if set (as curl and git honour it), else ~/.netrc."""
    if environ.get("NETRC"):
        return Path(environ["NETRC"])
    home = environ.get("HOME")
    return (Path(home) if home else Path.home()) / ".netrc"


def environment_token(environ: Mapping[str, str]) -> str | None:
    """The token from PAAS_API_TOKEN, which wins over the netrc file when set."""
    return environ.get("PAAS_API_TOKEN") or None


def find_token(api_url: str, environ: Mapping[str, str]) -> str:
    """The token to send, or NotLoggedIn."""
    token = environment_token(environ)
    if token:
        return token
    path = netrc_path(environ)
    entry = netrc_file.find(_parse(path, _read(path)), api_host(api_url))
    if entry is None or not entry.password:
        raise NotLoggedIn()
    return entry.password


def save_token(api_url: str, environ: Mapping[str, str], login: str, token: str) -> Path:
    """Write or replace this API's netrc entry; other entries and comments are kept."""
    if not token or any(c.isspace() for c in token):
        raise CliError("a token must be non-empty and contain no whitespace")
    path = netrc_path(environ)
    text = _read(path)
    _parse(path, text)  # refuse to rewrite a file we cannot understand
    _write(path, netrc_file.with_entry(text, api_host(api_url), login, token))
    return path


def remove_token(api_url: str, environ: Mapping[str, str]) -> bool:
    """Remove this API's netrc entry; True if there was one."""
    path = netrc_path(environ)
    text = _read(path)
    host = api_host(api_url)
    if netrc_file.find(_parse(path, text), host) is None:
        return False
    _write(path, netrc_file.without_entry(text, host))
    return True


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"cannot read {path}: {_reason(error)}") from error


def _parse(path: Path, text: str) -> list[netrc_file.NetrcEntry]:
    try:
        return netrc_file.parse(text)
    except netrc_file.NetrcSyntaxError as error:
        raise CliError(f"cannot parse {path}: {error}") from error


def _write(path: Path, text: str) -> None:
    """Replace the file atomically, readable by the owner only (it holds secrets)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # mkstemp creates the file with mode 0600, so the token is never world-readable,
        # not even for the moment before the rename.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".netrc.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as error:
        raise CliError(f"cannot write {path}: {_reason(error)}") from error


def _reason(error: Exception) -> str:
    return error.strerror if isinstance(error, OSError) and error.strerror else str(error)
