"""Which buildpack an app asked for: a built-in name or a git URL (pure rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from paas_platform.domain.errors import InvalidParams

BUILTIN_NAMES = ("python", "procfile")
# Schemes git can clone that make sense for a buildpack; `ext::` and friends,
# which run commands, are never accepted.
_URL = re.compile(r"^(https?|git|file)://[^\s]+$|^ssh://[^\s]+$")
_MAX_LENGTH = 2000


@dataclass(frozen=True)
class BuildpackRef:
    """Either a built-in buildpack (`name`) or a git URL with an optional #ref."""

    name: str | None = None
    url: str | None = None
    ref: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.url or "?"


def parse_buildpack(value: object) -> BuildpackRef:
    if not isinstance(value, str) or not value.strip():
        raise InvalidParams("buildpack must be a built-in name or a git URL")
    value = value.strip()
    if value in BUILTIN_NAMES:
        return BuildpackRef(name=value)
    if len(value) > _MAX_LENGTH or not _URL.match(value):
        raise InvalidParams(
            f"buildpack must be one of {', '.join(BUILTIN_NAMES)} or a git URL "
            "(https://, http://, git://, ssh:// or file://)"
        )
    url, _, ref = value.partition("#")
    if ref and not re.fullmatch(r"[A-Za-z0-9._/-]{1,200}", ref) or ref.startswith("-"):
        raise InvalidParams("buildpack #ref must be a branch or tag name")
    return BuildpackRef(url=url, ref=ref or None)
