"""Add-ons (backing services), pure: kinds and plans, names, credentials, and the
rules for the config vars that attach an add-on to an app.

An add-on is one server (PostgreSQL or Redis) owned by the app it was created on.
An attachment names it in an app's config: attachment `DATABASE` sets `DATABASE_URL`.
One add-on may be attached to several apps; on one app a var belongs to at most one
attachment.
"""

from __future__ import annotations

import random
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping
from urllib.parse import quote

from paas_platform.domain.config import validate_config_key
from paas_platform.domain.errors import Conflict, InvalidParams
from paas_platform.domain.names import random_adjective

ADDON_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,46}[a-z0-9]$")
ATTACHMENT_NAME_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{0,58}$")
DEFAULT_PLAN = "dev"


class AddonState:
    PROVISIONING = "provisioning"
    PROVISIONED = "provisioned"


@dataclass(frozen=True)
class AddonKind:
    name: str                # what `addons:create` takes: postgresql, redis
    default_attachment: str  # DATABASE -> DATABASE_URL
    scheme: str              # of the URL apps get
    port: int
    plans: tuple[str, ...] = (DEFAULT_PLAN,)


KINDS: dict[str, AddonKind] = {
    "postgresql": AddonKind("postgresql", "DATABASE", "postgres", 5432),
    "redis": AddonKind("redis", "REDIS", "redis", 6379),
}


@dataclass(frozen=True)
class Credentials:
    """Secret: reaches apps only through their config var, never a log or `addons:info`."""

    user: str
    password: str
    database: str

    def __repr__(self) -> str:  # keep the password out of tracebacks and debug logs
        return f"Credentials(user={self.user!r}, database={self.database!r})"


@dataclass(frozen=True)
class Addon:
    id: str
    name: str
    kind: str
    plan: str
    app_id: str          # the owning app
    app_name: str
    credentials: Credentials
    volume: str
    state: str
    created_at: datetime

    @property
    def spec(self) -> AddonKind:
        return KINDS[self.kind]

    def url(self) -> str:
        """The URL attached apps get; the host is the add-on's name on their networks."""
        c = self.credentials
        password = quote(c.password, safe="")
        if self.kind == "redis":
            return f"redis://:{password}@{self.name}:{self.spec.port}"
        return f"{self.spec.scheme}://{c.user}:{password}@{self.name}:{self.spec.port}/{c.database}"


@dataclass(frozen=True)
class AddonStatus:
    """The server as the engine sees it."""

    state: str                # running, restarting, exited, missing, unknown
    volume_bytes: int | None  # data on its volume, when it could be measured


@dataclass(frozen=True)
class Attachment:
    id: str
    addon_id: str
    addon_name: str
    app_id: str
    app_name: str
    name: str  # DATABASE
    created_at: datetime

    @property
    def var(self) -> str:
        return attachment_var(self.name)


def parse_plan(plan: object) -> tuple[AddonKind, str]:
    """`postgresql` or `postgresql:dev` -> (kind, plan); InvalidParams names the choices."""
    kinds = ", ".join(sorted(KINDS))
    if not isinstance(plan, str) or not plan.strip():
        raise InvalidParams(f"plan must name a service kind: one of {kinds}")
    kind_name, _, plan_name = plan.strip().partition(":")
    kind = KINDS.get(kind_name.lower())
    if kind is None:
        shown = kind_name if len(kind_name) <= 40 else kind_name[:40] + "..."
        raise InvalidParams(f"unknown add-on service {shown!r}: choose one of {kinds}")
    plan_name = plan_name.lower() or DEFAULT_PLAN
    if plan_name not in kind.plans:
        raise InvalidParams(f"unknown plan {plan_name!r} for {kind.name}: choose one of "
                            f"{', '.join(kind.plans)}")
    return kind, plan_name


def validate_addon_name(name: object) -> str:
    if not isinstance(name, str) or not ADDON_NAME_PATTERN.fullmatch(name):
        raise InvalidParams(
            "add-on name must be 3-48 characters: lower-case letters, digits and dashes, "
            "starting with a letter and not ending with a dash"
        )
    return name


def random_addon_name(kind: AddonKind, rng: random.Random | None = None) -> str:
    """Heroku-style: `postgresql-curved-12345`; callers retry on the rare collision."""
    rng = rng or random.SystemRandom()
    return f"{kind.name}-{random_adjective(rng)}-{rng.randint(10000, 99999)}"


def attachment_name(requested: object, kind: AddonKind) -> str:
    """The attachment name (`--as`): upper-cased like Heroku's; the default per kind."""
    if requested is None:
        return kind.default_attachment
    if not isinstance(requested, str) or not requested.strip():
        raise InvalidParams("attachment name must be a word such as DATABASE or CACHE")
    name = requested.strip().upper()
    if not ATTACHMENT_NAME_PATTERN.fullmatch(name):
        shown = name if len(name) <= 64 else name[:64] + "..."
        raise InvalidParams(
            f"invalid attachment name {shown!r}: letters, digits and underscores, starting "
            "with a letter (it becomes NAME_URL)"
        )
    validate_config_key(attachment_var(name))
    return name


def attachment_var(name: str) -> str:
    return f"{name}_URL"


def check_var_free(app_name: str, var: str, attachments: Iterable[Attachment]) -> None:
    """Conflict when another attachment on the app already sets `var`."""
    for other in attachments:
        if other.var == var:
            raise Conflict(f"{var} on {app_name} is already set by add-on {other.addon_name}; "
                           "choose another name with --as")


def new_credentials(kind: AddonKind) -> Credentials:
    """Random user, password and database names (hex: safe in URLs and identifiers)."""
    if kind.name == "redis":
        return Credentials(user="default", password=secrets.token_hex(24), database="0")
    return Credentials(user=f"u{secrets.token_hex(7)}", password=secrets.token_hex(24),
                       database=f"d{secrets.token_hex(7)}")


def volume_name(instance: str, addon_name: str) -> str:
    return f"{instance}-addon-{addon_name}"


def keep_attached_vars(config: Mapping[str, str], attached: Mapping[str, str]) -> dict[str, str]:
    """A rollback copies an older release's config, but an attached add-on's var keeps
    naming the add-on as it is now (as on Heroku, rolling back leaves add-ons alone)."""
    return dict(sorted({**config, **attached}.items()))
