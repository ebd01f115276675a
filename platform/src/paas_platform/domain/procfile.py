"""Procfile parsing, pure: `type: command` per line; comments and blank lines ignored.

Errors name the line, so a failed build says exactly what to fix.
"""

from __future__ import annotations

import re

from paas_platform.domain.errors import InvalidParams

PROCESS_TYPE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_-]*)\s*:\s*(.*?)\s*$")


class ProcfileError(InvalidParams):
    id = "invalid_procfile"


def validate_process_type(name: object) -> str:
    """Lower-cased process type, or InvalidParams."""
    if not isinstance(name, str) or not PROCESS_TYPE_PATTERN.fullmatch(name.lower()):
        raise InvalidParams(
            "process type must be 1-63 characters: lower-case letters, digits, dashes and "
            "underscores, starting with a letter or digit"
        )
    return name.lower()


def parse_procfile(text: str) -> dict[str, str]:
    """Map process type -> command, in file order."""
    processes: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            raise ProcfileError(f"Procfile line {number} is not `type: command`: {_shown(line)}")
        name, command = match.group(1), match.group(2)
        try:
            name = validate_process_type(name)
        except InvalidParams as exc:
            raise ProcfileError(f"Procfile line {number}: {exc.message}") from exc
        if not command:
            raise ProcfileError(f"Procfile line {number}: process type {name} has no command")
        if name in processes:
            raise ProcfileError(f"Procfile line {number}: duplicate process type {name}")
        processes[name] = command
    return processes


def merge_process_types(procfile: dict[str, str], defaults: dict[str, str]) -> dict[str, str]:
    """Buildpack defaults (bin/release) merged *under* the Procfile, as on Heroku."""
    merged = {validate_process_type(k): v for k, v in defaults.items() if isinstance(v, str) and v}
    merged.update(procfile)
    return merged


def _shown(line: str) -> str:
    return line if len(line) <= 80 else line[:77] + "..."
