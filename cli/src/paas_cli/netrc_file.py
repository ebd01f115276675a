"""Read and edit the text of a netrc file without disturbing the parts we do not own.

Python's `netrc` module can read but not write, and rewriting the file from its parsed form
would drop comments, `macdef` blocks and the user's layout. So this module finds the exact
character span of each `machine` entry and splices only that span. Pure functions, no I/O.
"""

from collections.abc import Iterator
from dataclasses import dataclass

_ENTRY_STARTS = {"machine", "default", "macdef"}


class NetrcSyntaxError(ValueError):
    """The text is not a netrc file we can safely edit."""


@dataclass(frozen=True)
class NetrcEntry:
    """One `machine` (or `default`) entry and where it sits in the text."""

    host: str | None  # None for the `default` entry
    login: str | None
    password: str | None
    start: int  # offset of the `machine`/`default` keyword
    end: int  # offset just past the entry's last token


@dataclass(frozen=True)
class _Token:
    value: str
    start: int
    end: int


def _tokens(text: str) -> Iterator[_Token]:
    """Split netrc text into tokens, skipping comments and macro bodies."""
    position, length = 0, len(text)
    previous = None
    while position < length:
        if text[position].isspace():
            position += 1
            continue
        if text[position] == "#":
            # A comment runs to the end of the line (curl and Python's netrc agree).
            newline = text.find("\n", position)
            position = length if newline == -1 else newline + 1
            continue
        start = position
        if text[position] == '"':
            value, position = _quoted_token(text, position)
        else:
            while position < length and not text[position].isspace():
                position += 1
            value = text[start:position]
        token = _Token(value, start, position)
        yield token
        if previous is not None and previous.value == "macdef":
            # The macro body runs until the next empty line; its words are not tokens.
            blank_line = text.find("\n\n", position)
            position = length if blank_line == -1 else blank_line + 2
        previous = token


def _quoted_token(text: str, position: int) -> tuple[str, int]:
    """Read a double-quoted token starting at `position`; backslash escapes a character."""
    chars, position = [], position + 1
    while position < len(text):
        char = text[position]
        if char == '"':
            return "".join(chars), position + 1
        if char == "\\" and position + 1 < len(text):
            position += 1
            char = text[position]
        chars.append(char)
        position += 1
    raise NetrcSyntaxError("unterminated quoted string")


def parse(text: str) -> list[NetrcEntry]:
    """All machine/default entries in order of appearance."""
    entries: list[NetrcEntry] = []
    tokens = _tokens(text)
    current: dict | None = None
    for token in tokens:
        if token.value in _ENTRY_STARTS:
            if current is not None:
                entries.append(NetrcEntry(**current))
                current = None
            if token.value == "machine":
                host = next(tokens, None)
                if host is None:
                    raise NetrcSyntaxError("'machine' without a host name")
                current = _new_entry(host.value, token.start, host.end)
            elif token.value == "default":
                current = _new_entry(None, token.start, token.end)
            else:
                next(tokens, None)  # the macro's name; the body was skipped by _tokens
            continue
        if current is None:
            raise NetrcSyntaxError(f"unexpected {token.value!r} outside a machine entry")
        value = next(tokens, None)
        if value is None:
            raise NetrcSyntaxError(f"{token.value!r} without a value")
        if token.value in ("login", "password"):
            current[token.value] = value.value
        current["end"] = value.end  # unknown keys (account, port, ...) stay in the span
    if current is not None:
        entries.append(NetrcEntry(**current))
    return entries


def _new_entry(host: str | None, start: int, end: int) -> dict:
    return {"host": host, "login": None, "password": None, "start": start, "end": end}


def find(entries: list[NetrcEntry], host: str) -> NetrcEntry | None:
    """The first entry for `host` (host names compare case-insensitively, as in curl).

    The `default` entry is deliberately ignored: sending some other service's password
    to the paas API as a token would leak it.
    """
    wanted = host.lower()
    return next((e for e in entries if e.host is not None and e.host.lower() == wanted), None)


def with_entry(text: str, host: str, login: str, password: str) -> str:
    """`text` with the entry for `host` replaced (or appended), everything else untouched."""
    new_entry = " ".join(
        ["machine", _quote(host), "login", _quote(login), "password", _quote(password)]
    )
    matching = _entries_for(text, host)
    if not matching:
        separator = "" if not text or text.endswith("\n") else "\n"
        return f"{text}{separator}{new_entry}\n"
    first, duplicates = matching[0], matching[1:]
    text = _remove_spans(text, duplicates)
    return text[: first.start] + new_entry + text[first.end :]


def without_entry(text: str, host: str) -> str:
    """`text` with every entry for `host` removed."""
    return _remove_spans(text, _entries_for(text, host))


def _entries_for(text: str, host: str) -> list[NetrcEntry]:
    wanted = host.lower()
    return [e for e in parse(text) if e.host is not None and e.host.lower() == wanted]


def _remove_spans(text: str, entries: list[NetrcEntry]) -> str:
    # Work from the end so earlier offsets stay valid; also eat the rest of the line so
    # removing a one-line entry does not leave an empty line behind.
    for entry in sorted(entries, key=lambda e: e.start, reverse=True):
        end = entry.end
        while end < len(text) and text[end] in " \t":
            end += 1
        if end < len(text) and text[end] == "\n":
            end += 1
        text = text[: entry.start] + text[end:]
    return text


def _quote(value: str) -> str:
    """A netrc token for `value`, quoted only when it would otherwise split or vanish."""
    if value and not any(c.isspace() or c in '"\\' for c in value) and value[0] != "#":
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
