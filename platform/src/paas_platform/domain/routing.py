"""Routing rules, pure: which hosts reach an app, which dynos serve it, and how the
router's access lines read.

The router (nginx in a container, runtime/router.py) is configured from a
`RoutingTable` only; domain/router_config.py renders it for nginx.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable

from paas_platform.domain.errors import InvalidParams

# -- hostnames ---------------------------------------------------------------------------

MAX_HOSTNAME_LENGTH = 253


@dataclass(frozen=True)
class CustomDomain:
    """A hostname an app answers to besides `{app}.{PAAS_DOMAIN}`."""

    id: str
    app_id: str
    hostname: str
    created_at: datetime


RESERVED_TLDS = ("invalid",)  # RFC 2606; the router's status server lives there
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_hostname(value: object) -> str:
    """A custom domain as stored and matched: lower case, no trailing dot; or InvalidParams.

    Only plain DNS names (letters, digits, dashes; punycode for the rest) with at least
    two labels: no wildcards, ports, paths or IP addresses.
    """
    if not isinstance(value, str):
        raise InvalidParams("hostname must be a string such as www.example.com")
    name = value.strip().lower().removesuffix(".")
    if "*" in name:
        raise InvalidParams("wildcard hostnames are not supported; add each hostname")
    labels = name.split(".")
    if (not name or len(name) > MAX_HOSTNAME_LENGTH or len(labels) < 2
            or not all(_LABEL.fullmatch(label) for label in labels)):
        raise InvalidParams(
            "hostname must be a DNS name such as www.example.com: labels of letters, digits "
            "and dashes (1-63 characters, not starting or ending with a dash), at least two "
            f"labels, {MAX_HOSTNAME_LENGTH} characters at most"
        )
    if labels[-1].isdigit():
        raise InvalidParams("hostname must be a DNS name, not an IP address")
    if labels[-1] in RESERVED_TLDS:
        raise InvalidParams(f"hostnames under .{labels[-1]} cannot be routed")
    return name


def default_hostname(app: str, platform_domain: str) -> str:
    """`demo.localhost`: every app's host under PAAS_DOMAIN."""
    return f"{app}.{platform_domain}"


def check_custom_domain(hostname: str, app: str, platform_domain: str) -> None:
    """Names under PAAS_DOMAIN belong to the app of that name: `www.demo.localhost` may be
    added to demo, never to another app, and `demo.localhost` itself is already routed."""
    suffix = "." + platform_domain.lower()
    if hostname == platform_domain.lower():
        raise InvalidParams(f"{hostname} is the platform's own domain")
    if not hostname.endswith(suffix):
        return
    owner = hostname[: -len(suffix)].rsplit(".", 1)[-1]
    if hostname == default_hostname(app, platform_domain):
        raise InvalidParams(f"{hostname} is already {app}'s default hostname")
    if owner != app:
        raise InvalidParams(
            f"{hostname} is under {platform_domain}, where names belong to the app they name; "
            f"{app} may add names under {default_hostname(app, platform_domain)}"
        )


# -- choosing the dynos that serve -------------------------------------------------------


@dataclass(frozen=True)
class WebEndpoint:
    """A running web dyno as the engine shows it, and its address on the app network."""

    container_id: str
    app: str
    number: int
    release_version: int
    address: str

    @property
    def dyno(self) -> str:
        return f"web.{self.number}"


@dataclass(frozen=True)
class ServingRelease:
    """A release whose web dynos may serve, and how many web dynos it should have."""

    version: int
    web_quantity: int


def serving_endpoints(
    endpoints: Iterable[WebEndpoint],
    current: ServingRelease | None,
    pending: ServingRelease | None,
    ready: set[str],
    drained: set[str] = frozenset(),
) -> list[WebEndpoint]:
    """The dynos an app's requests go to.

    Only ready (accepting TCP), not drained dynos in a wanted slot (number <= web
    quantity: a scale-down stops routing before the extra dynos stop). A release
    being rolled out takes over once *every* one of its web slots is ready, the moment
    the rollout stops the old dynos; until then the current release serves alone.
    """
    def eligible(release: ServingRelease) -> list[WebEndpoint]:
        return sorted(
            (e for e in endpoints
             if e.release_version == release.version and 1 <= e.number <= release.web_quantity
             and e.container_id in ready and e.container_id not in drained),
            key=lambda e: (e.number, e.container_id),
        )

    endpoints = list(endpoints)
    if pending is not None:
        candidates = eligible(pending)
        if {e.number for e in candidates} >= set(range(1, pending.web_quantity + 1)):
            return candidates
    return eligible(current) if current is not None else []


# -- the table and its rendering ----------------------------------------------------------


@dataclass(frozen=True)
class AppRoute:
    """One app as the router sees it: hosts, serving dynos, maintenance mode."""

    app: str
    hosts: tuple[str, ...]
    endpoints: tuple[WebEndpoint, ...] = ()
    maintenance: bool = False


@dataclass(frozen=True)
class RouterOptions:
    listen_port: int = 8080  # inside the router container
    public_port: int = 8080  # on the host: X-Forwarded-Port
    timeout: int = 30  # seconds without a response before H12
    connect_timeout: int = 5
    dyno_port: int = 5000


@dataclass(frozen=True)
class RoutingTable:
    routes: tuple[AppRoute, ...] = ()
    options: RouterOptions = field(default_factory=RouterOptions)


# -- access lines ---------------------------------------------------------------------------

ACCESS_LINE_PREFIX = "paas-router "  # how the log follower tells access lines from nginx's own


def _milliseconds(seconds: str) -> str:
    """nginx's `0.005` -> `5ms`; after a retry (`2.000, 0.005`) the dyno that answered."""
    last = seconds.rsplit(" ", 1)[-1]
    try:
        return f"{round(float(last) * 1000)}ms"
    except ValueError:
        return "-"


def _times_in_ms(text: str) -> str:
    head, found, tail = text.partition(" connect=")
    times, found_id, rest = tail.partition(" request_id=")
    if not (found and found_id):
        return text
    connect, _, service = times.partition(" service=")
    return (f"{head} connect={_milliseconds(connect)} service={_milliseconds(service)}"
            f" request_id={rest}")


@dataclass(frozen=True)
class AccessLine:
    app: str  # `-` for requests that matched no app
    text: str  # as the app's log shows it, after `platform[router]: `
    at: datetime | None  # when nginx finished the request


def parse_access_line(line: str) -> AccessLine | None:
    """One of our access lines as the app's log shows it; None for anything else. The
    app is `-` for requests that matched no app (unknown hosts, malformed requests);
    times become milliseconds of the dyno that answered."""
    if not line.startswith(ACCESS_LINE_PREFIX):
        return None
    rest = line[len(ACCESS_LINE_PREFIX):]
    at = None
    if rest.startswith("t="):
        stamp, _, rest = rest[2:].partition(" ")
        try:
            at = datetime.fromtimestamp(float(stamp), timezone.utc)
        except (ValueError, OverflowError):
            at = None
    first, _, rest = rest.partition(" ")
    app = first.removeprefix("app=") if first.startswith("app=") else "-"
    return AccessLine(app or "-", _times_in_ms(rest.strip()), at)
