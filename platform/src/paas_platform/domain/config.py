"""Config vars: key rules, the size cap, merge-patch semantics and change descriptions.

A patch maps keys to a new string value, or to None to unset the key (Heroku's
PATCH /config-vars). Applying a patch is all-or-nothing: every key and value is
checked before anything is computed, so a rejected patch changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from paas_platform.domain.errors import InvalidParams

CONFIG_KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_CONFIG_BYTES = 32 * 1024

Config = dict[str, str]
ConfigPatch = Mapping[str, str | None]


@dataclass(frozen=True)
class ConfigChange:
    """The outcome of applying a patch: the full new config and what changed."""

    config: Config
    set_keys: tuple[str, ...]
    unset_keys: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.set_keys or self.unset_keys)

    def description(self) -> str:
        """`Set FOO, BAR config vars` / `Unset FOO config var`: keys only, never values."""
        parts = []
        if self.set_keys:
            parts.append(_describe("set", self.set_keys))
        if self.unset_keys:
            parts.append(_describe("unset", self.unset_keys))
        text = " and ".join(parts)
        return text[:1].upper() + text[1:]

def _describe(verb: str, keys: tuple[str, ...]) -> str:
    noun = "config var" if len(keys) == 1 else "config vars"
    return f"{verb} {', '.join(keys)} {noun}"


def validate_config_key(key: object) -> str:
    if not isinstance(key, str) or not CONFIG_KEY_PATTERN.fullmatch(key):
        shown = key if isinstance(key, str) and len(key) <= 64 else "(key)"
        raise InvalidParams(
            f"invalid config key {shown!r}: use letters, digits and underscores, "
            "not starting with a digit"
        )
    return key


def config_size(config: Mapping[str, str]) -> int:
    """Bytes of config as stored: UTF-8 keys plus values."""
    return sum(len(k.encode()) + len(v.encode()) for k, v in config.items())


def apply_patch(current: Mapping[str, str], patch: object) -> ConfigChange:
    """Merge `patch` into `current`; raise InvalidParams (naming keys, never values)."""
    if not isinstance(patch, Mapping):
        raise InvalidParams("config vars must be a JSON object of KEY: value (null unsets)")
    if not patch:
        raise InvalidParams("no config vars given")
    for key, value in patch.items():
        validate_config_key(key)
        if value is not None and not isinstance(value, str):
            raise InvalidParams(f"value of config var {key} must be a string or null")
        if isinstance(value, str) and "\x00" in value:
            raise InvalidParams(f"value of config var {key} must not contain NUL bytes")
    new = dict(current)
    set_keys, unset_keys = [], []
    for key, value in patch.items():
        if value is None:
            if key in new:
                del new[key]
                unset_keys.append(key)
        elif new.get(key) != value:
            new[key] = value
            set_keys.append(key)
    size = config_size(new)
    if size > MAX_CONFIG_BYTES:
        raise InvalidParams(
            f"config would be {size} bytes; an app's config vars may total at most "
            f"{MAX_CONFIG_BYTES} bytes"
        )
    return ConfigChange(dict(sorted(new.items())), tuple(set_keys), tuple(unset_keys))
