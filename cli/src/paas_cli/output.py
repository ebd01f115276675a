"""How results look: Heroku-style `===` headers, aligned `key: value` lines, columns, JSON.

Plain text rather than rich tables on purpose: the output is read by people *and* by
`grep`/`cut`, and must not wrap or change with the terminal's width. Data goes to stdout;
progress lines (`Creating demo... done`) go to stderr, as in the Heroku CLI, so that
`paas config --json | jq` sees only JSON.
"""

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import typer


def emit(line: str = "") -> None:
    """A line of result data, on stdout."""
    typer.echo(line)


def progress(line: str) -> None:
    """A line saying what was done, on stderr."""
    typer.echo(line, err=True)


def passthrough(text: str) -> None:
    """Text from elsewhere (build output), written as is and flushed at once."""
    typer.echo(text, nl=False)  # echo flushes, so each chunk shows as it arrives


def header(title: str) -> None:
    emit(f"=== {title}")


def dump_json(data: Any) -> None:
    emit(json.dumps(data, indent=2))


def key_values(pairs: Iterable[tuple[str, Any]]) -> None:
    """`Key: value` lines with the values aligned in one column."""
    pairs = list(pairs)
    width = max((len(key) for key, _ in pairs), default=0) + 1
    for key, value in pairs:
        emit(f"{key + ':':<{width}} {display(value)}".rstrip())


def columns(rows: Sequence[Sequence[str]]) -> None:
    """Rows as space-aligned columns; a column empty in every row is left out entirely."""
    if not rows:
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True) if width]
        emit("  ".join(cells).rstrip())


def display(value: Any) -> str:
    """A field value for people: None is empty, booleans are lower-case words."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def human_size(size: int) -> str:
    """Bytes for people, in decimal units as `du --si` counts: 48213123 -> `48.2 MB`."""
    if size < 1000:
        return f"{size} B"
    value = float(size)
    for unit in ("kB", "MB", "GB", "TB"):
        value /= 1000
        if value < 999.95 or unit == "TB":  # 999.96 kB would round to "1000.0 kB"
            break
    return f"{value:.1f} {unit}"


def timestamp(value: str | None) -> str:
    """An API timestamp as `2026-11-23T23:50:01Z` (UTC, whole seconds); odd input as-is."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
