"""Parsing and splicing netrc text (pure functions)."""

import pytest

from paas_cli import netrc_file
from paas_cli.netrc_file import NetrcSyntaxError

SAMPLE = """\
# comment mentioning machine api.test password leaked
machine github.com login me password gh
machine api.test
    login admin
    password old   # trailing comment
macdef init
  machine api.test login trap password trap

default login anon password anon
"""


def test_parse_finds_entries_and_skips_comments_and_macros():
    entries = netrc_file.parse(SAMPLE)

    assert [(e.host, e.login, e.password) for e in entries] == [
        ("github.com", "me", "gh"),
        ("api.test", "admin", "old"),
        (None, "anon", "anon"),
    ]


def test_find_is_case_insensitive_and_ignores_default():
    entries = netrc_file.parse(SAMPLE)

    assert netrc_file.find(entries, "API.TEST").password == "old"
    assert netrc_file.find(entries, "unknown.test") is None


def test_with_entry_replaces_in_place():
    text = netrc_file.with_entry(SAMPLE, "api.test", "admin", "new")

    assert text == SAMPLE.replace(
        "machine api.test\n    login admin\n    password old",
        "machine api.test login admin password new",
    )


def test_with_entry_appends_when_absent_and_adds_missing_newline():
    assert netrc_file.with_entry("machine a login b password c", "api.test", "u", "t") == (
        "machine a login b password c\nmachine api.test login u password t\n"
    )
    assert netrc_file.with_entry("", "h", "u", "t") == "machine h login u password t\n"


def test_with_entry_drops_duplicate_entries():
    text = "machine h login a password 1\nmachine x login x password x\nmachine h password 2\n"

    assert netrc_file.with_entry(text, "h", "u", "t") == (
        "machine h login u password t\nmachine x login x password x\n"
    )


def test_without_entry_removes_whole_lines_only_for_host():
    text = "machine h login a password 1\nmachine x login x password x\n"

    assert netrc_file.without_entry(text, "h") == "machine x login x password x\n"
    assert netrc_file.without_entry(text, "absent") == text


def test_values_with_spaces_are_quoted_and_read_back():
    text = netrc_file.with_entry("", "h", "jane doe", 'p"w')

    entry = netrc_file.find(netrc_file.parse(text), "h")
    assert (entry.login, entry.password) == ("jane doe", 'p"w')


def test_unknown_keys_stay_part_of_the_entry():
    text = "machine h login a password 1 account acct\nmachine x password y\n"

    assert netrc_file.without_entry(text, "h") == "machine x password y\n"


@pytest.mark.parametrize(
    "text",
    [
        "machine",
        "machine h login",
        "login a password b",
        'machine h password "unterminated',
    ],
)
def test_malformed_text_is_rejected(text):
    with pytest.raises(NetrcSyntaxError):
        netrc_file.parse(text)
