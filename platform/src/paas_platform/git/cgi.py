"""The CGI contract with `git http-backend`, as pure functions: its environment and its headers.

Only values we chose or validated reach the environment; request headers pass through as
data (never a shell), and nothing from the platform's own environment but PATH leaks in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# Headers that describe one hop of the connection, which the ASGI server manages itself.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "upgrade"})
MAX_HEADER_LINES = 64


class MalformedCgiHeaders(ValueError):
    """http-backend wrote something that is not a CGI header block."""


@dataclass(frozen=True)
class GitRequest:
    """One authenticated smart-HTTP request, reduced to what http-backend needs."""

    app: str
    tail: str  # "info/refs", "git-upload-pack" or "git-receive-pack"
    method: str
    query_string: str
    content_type: str
    content_encoding: str
    content_length: str | None
    remote_user: str
    remote_addr: str
    token: str = field(repr=False)  # the pusher's API token: never in a log line


def cgi_environment(request: GitRequest, project_root: Path, api_url: str) -> dict[str, str]:
    env = {
        "GIT_PROJECT_ROOT": str(project_root),
        "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": f"/{request.app}.git/{request.tail}",
        "REQUEST_METHOD": request.method,
        "QUERY_STRING": request.query_string,
        "CONTENT_TYPE": request.content_type,
        # git gzips large request bodies; http-backend inflates them when told so.
        "HTTP_CONTENT_ENCODING": request.content_encoding,
        # Setting REMOTE_USER is also what makes http-backend allow receive-pack.
        "REMOTE_USER": request.remote_user,
        "REMOTE_ADDR": request.remote_addr,
        "PATH": os.environ.get("PATH", os.defpath),
        # Read by the pre-receive hook: it builds as the pusher, through our own API.
        "PAAS_API_URL": api_url,
        "PAAS_API_TOKEN": request.token,
        "PAAS_APP": request.app,
    }
    # Chunked uploads have no length; http-backend then reads until end of input.
    if request.content_length is not None:
        env["CONTENT_LENGTH"] = request.content_length
    return env


def parse_status(value: str) -> int:
    code = value.strip().split(" ", 1)[0]
    if not (code.isdigit() and len(code) == 3):
        raise MalformedCgiHeaders(f"bad CGI Status {value!r}")
    return int(code)


def parse_header_lines(lines: list[bytes]) -> tuple[int, list[tuple[bytes, bytes]]]:
    """(status, ASGI headers) from the header lines http-backend wrote before its blank line."""
    status = 200
    headers: list[tuple[bytes, bytes]] = []
    for raw in lines:
        name, sep, value = raw.decode("latin-1").rstrip("\r\n").partition(":")
        if not sep or not name.strip():
            raise MalformedCgiHeaders(f"bad CGI header line {raw[:80]!r}")
        name, value = name.strip().lower(), value.strip()
        if name == "status":
            status = parse_status(value)
        elif name not in HOP_BY_HOP:
            headers.append((name.encode("latin-1"), value.encode("latin-1")))
    return status, headers
