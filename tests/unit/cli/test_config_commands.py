"""config, config:get, config:set, config:unset."""

import json
import shlex

import pytest

from paas_cli.commands.config import parse_assignments
from paas_cli.errors import CliError

CONFIG = {"FOO": "1", "DATABASE_URL": "postgres://db/x", "GREETING": "it's a test"}


def test_config_lists_sorted_aligned(run, fake_api):
    fake_api.on("GET", "/apps/demo/config-vars", CONFIG)

    result = run("config", "-a", "demo")

    assert result.stdout == (
        "=== demo Config Vars\n"
        "DATABASE_URL: postgres://db/x\n"
        "FOO:          1\n"
        "GREETING:     it's a test\n"
    )


def test_config_shell_quotes_values(run, fake_api):
    fake_api.on("GET", "/apps/demo/config-vars", CONFIG)

    lines = run("config", "-a", "demo", "--shell").stdout.splitlines()

    assert lines[0] == "DATABASE_URL=postgres://db/x"
    assert lines[2] == "GREETING='it'\"'\"'s a test'"
    assert shlex.split(lines[2]) == ["GREETING=it's a test"]


def test_config_json(run, fake_api):
    fake_api.on("GET", "/apps/demo/config-vars", CONFIG)

    assert json.loads(run("config", "-a", "demo", "--json").stdout) == CONFIG


def test_config_get_prints_value(run, fake_api):
    fake_api.on("GET", "/apps/demo/config-vars", CONFIG)

    assert run("config:get", "GREETING", "-a", "demo").stdout == "it's a test\n"


def test_config_get_missing_key_prints_empty_line(run, fake_api):
    fake_api.on("GET", "/apps/demo/config-vars", CONFIG)

    result = run("config:get", "NOPE", "-a", "demo")

    assert (result.exit_code, result.stdout) == (0, "\n")


def test_config_set_sends_one_patch_and_reports_release(run, fake_api):
    fake_api.on(
        "PATCH",
        "/apps/demo/config-vars",
        {**CONFIG, "FOO": "2", "BAR": "a=b"},
        headers={"Paas-Release-Version": "6"},
    )

    result = run("config:set", "FOO=2", "BAR=a=b", "-a", "demo")

    assert result.exit_code == 0
    assert fake_api.calls == [("PATCH", "/apps/demo/config-vars")]
    assert fake_api.requests[0].body == {"FOO": "2", "BAR": "a=b"}
    assert result.stderr == "Setting FOO, BAR and restarting demo... done, v6\n"
    assert result.stdout == "FOO: 2\nBAR: a=b\n"


def test_config_set_without_release_header_still_reports(run, fake_api):
    fake_api.on("PATCH", "/apps/demo/config-vars", {"FOO": "2"})

    assert run("config:set", "FOO=2", "-a", "demo").stderr == (
        "Setting FOO and restarting demo... done\n"
    )


@pytest.mark.parametrize("bad", ["NOEQUALS", "=value"])
def test_config_set_malformed_argument_makes_no_request(run, fake_api, bad):
    result = run("config:set", "GOOD=1", bad, "-a", "demo")

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad} is invalid")
    assert fake_api.requests == []


def test_config_set_rejected_by_server(run, fake_api):
    fake_api.on(
        "PATCH",
        "/apps/demo/config-vars",
        {"id": "invalid_params", "message": "invalid config key: 1BAD"},
        status=422,
    )

    result = run("config:set", "1BAD=x", "-a", "demo")

    assert (result.exit_code, result.stderr) == (1, "Error: invalid config key: 1BAD\n")


def test_config_unset_sends_nulls(run, fake_api):
    fake_api.on(
        "PATCH", "/apps/demo/config-vars", {"GREETING": "hi"}, headers={"Paas-Release-Version": "7"}
    )

    result = run("config:unset", "FOO", "BAR", "-a", "demo")

    assert fake_api.requests[0].body == {"FOO": None, "BAR": None}
    assert result.stderr == "Unsetting FOO, BAR and restarting demo... done, v7\n"


def test_parse_assignments_splits_on_first_equals_only():
    assert parse_assignments(["A=1", "B=x=y", "C="]) == {"A": "1", "B": "x=y", "C": ""}


def test_parse_assignments_rejects_missing_equals():
    with pytest.raises(CliError, match="expected KEY=value"):
        parse_assignments(["A=1", "oops"])
