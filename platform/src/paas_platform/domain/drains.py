"""Log drains, pure: which URLs are drains, how URLs are shown safely, and the syslog
framing lines are sent in.

Framing follows Heroku's Logplex: RFC 5424 messages, octet-counted as in RFC 6587
(`LEN SP MSG`), with
    <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID - - TEXT
where HOSTNAME is the drain's token (`d.<uuid>`, so a receiver can tell drains
apart), APP-NAME is the line's source (`app` for what dynos print, `platform` where
Heroku writes `heroku`: events, builds, the router) and PROCID is the process
(`web.1`, `router`, `api`). PRI is facility local7 for app lines, local3 for the
router and local0 for other platform lines, severity info, as Heroku uses
local0/local3/local7: <190>, <158>, <134>.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from paas_platform.domain.errors import InvalidParams
from paas_platform.domain.logs import LogLine, format_timestamp

MAX_DRAINS_PER_APP = 5
MAX_URL_LENGTH = 2048
SYSLOG_SCHEMES = {"syslog": 514, "syslog+tls": 6514}  # default ports (RFC 5426, RFC 5425)
HTTP_SCHEMES = ("https", "http")
_SEVERITY_INFO = 6
_FACILITY = {"app": 23, "router": 19, "platform": 16}  # local7, local3, local0
_PRINTABLE = re.compile(r"^[\x21-\x7e]+$")  # RFC 5424 header fields: printable ASCII, no spaces


@dataclass(frozen=True)
class DrainTarget:
    """Where a drain URL points: kind "syslog", "syslog+tls", "https" or "http"."""

    kind: str
    host: str
    port: int
    url: str

    @property
    def is_syslog(self) -> bool:
        return self.kind in SYSLOG_SCHEMES


def parse_drain_url(url: object) -> DrainTarget:
    """The target of a drain URL, or InvalidParams saying what is wrong (the message
    shows the URL only with its credentials hidden)."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidParams("url must be a drain URL such as syslog+tls://logs.example.com:6514 "
                            "or https://logs.example.com/ingest")
    text = url.strip()
    if len(text) > MAX_URL_LENGTH:
        raise InvalidParams(f"url must be at most {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7f for ch in text):
        raise InvalidParams("url must not contain spaces or control characters")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidParams(f"invalid drain URL {redact_url(text)}: bad host or port") from None
    scheme = parts.scheme.lower()
    if scheme not in SYSLOG_SCHEMES and scheme not in HTTP_SCHEMES:
        raise InvalidParams(f"unsupported drain URL {redact_url(text)}: use syslog://host:port, "
                            "syslog+tls://host:port or https://host/path")
    host = parts.hostname or ""
    if not host:
        raise InvalidParams(f"drain URL {redact_url(text)} has no host")
    if scheme in SYSLOG_SCHEMES:
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
            raise InvalidParams(f"syslog drain URL {redact_url(text)} takes only a host and a "
                                "port: syslog://host:port")
        return DrainTarget(scheme, host, port or SYSLOG_SCHEMES[scheme], text)
    return DrainTarget(scheme, host, port or (443 if scheme == "https" else 80), text)


def redact_url(url: str) -> str:
    """The URL with any user:password@ replaced by ***@ (for logs and messages)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rsplit("@", 1)[1]
    return f"{scheme}{sep}{authority}{slash}{tail}"


def drain_label(url: str) -> str:
    """Scheme, host and port only: how a drain is named in log lines (paths and query
    strings may carry API keys)."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname or '?'}{port}"
    except ValueError:
        return "(unreadable URL)"


def priority(line: LogLine) -> int:
    if line.source == "app":
        facility = _FACILITY["app"]
    elif line.process == "router":
        facility = _FACILITY["router"]
    else:
        facility = _FACILITY["platform"]
    return facility * 8 + _SEVERITY_INFO


def _field(value: str, limit: int) -> str:
    """An RFC 5424 header field: printable ASCII without spaces, or the nil value."""
    value = value[:limit]
    return value if value and _PRINTABLE.fullmatch(value) else "-"


def syslog_message(line: LogLine, hostname: str) -> bytes:
    """One RFC 5424 message (no framing)."""
    header = (f"<{priority(line)}>1 {format_timestamp(line.timestamp)} {_field(hostname, 255)} "
              f"{_field(line.source, 48)} {_field(line.process, 128)} - - ")
    return header.encode("ascii") + line.text.encode("utf-8", "replace")


def octet_frame(message: bytes) -> bytes:
    """RFC 6587 octet counting: the message's length in bytes, a space, the message."""
    return str(len(message)).encode("ascii") + b" " + message


def syslog_frames(lines: list[LogLine], hostname: str) -> bytes:
    return b"".join(octet_frame(syslog_message(line, hostname)) for line in lines)


def dropped_text(count: int, token: str, url: str) -> str:
    """The platform line that reports lines a drain could not keep up with."""
    noun = "line" if count == 1 else "lines"
    return (f"{count} {noun} dropped for drain {token} ({drain_label(url)}): "
            "it could not keep up or could not be reached")
