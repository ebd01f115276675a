"""ps, ps:scale, ps:restart, ps:stop."""

import json
from datetime import UTC, datetime

import pytest

from paas_cli.commands import ps
from paas_cli.commands.ps import parse_scale, relative_age
from paas_cli.errors import CliError

NOW = datetime(2026, 11, 24, 0, 43, 30, tzinfo=UTC)

WEB = "gunicorn --bind 0.0.0.0:$PORT app:app"
FORMATION = [
    {"type": "worker", "quantity": 0, "command": "python worker.py", "size": "standard"},
    {"type": "web", "quantity": 2, "command": WEB, "size": "standard"},
]


def dyno_json(name: str, state: str = "up", started_at: str | None = None, **overrides) -> dict:
    """A Dyno as the API returns it."""
    dyno = {
        "name": name,
        "type": name.partition(".")[0],
        "state": state,
        "command": WEB,
        "release": {"version": 3},
        "started_at": started_at,
        "created_at": "2026-11-24T00:40:00Z",
        "restarts": 0,
        "exit_code": None,
    }
    dyno.update(overrides)
    return dyno


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(ps, "now", lambda: NOW)


def test_ps_groups_by_type_with_uptime_and_crashes(run, fake_api):
    fake_api.on("GET", "/apps/demo/formation", FORMATION)
    fake_api.on(
        "GET",
        "/apps/demo/dynos",
        [
            # web.10 sorts after web.2; the server's order is not relied on.
            dyno_json("web.10", "starting", None),
            dyno_json(
                "web.2", "crashed", "2026-11-24T00:41:02+00:00", restarts=4, exit_code=1
            ),
            dyno_json("web.1", "up", "2026-11-24T00:40:12.123456Z"),
        ],
    )

    result = run("ps", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"=== web (2): {WEB}",
        "web.1: up 2026-11-24T00:40:12Z (~ 3m ago)  v3  restarts 0",
        "web.2: crashed 2026-11-24T00:41:02Z (~ 2m ago)  v3  restarts 4  exit 1",
        "web.10: starting  v3  restarts 0",
        "=== worker (0): python worker.py",
    ]


def test_ps_lists_one_offs_last_with_their_command(run, fake_api):
    fake_api.on("GET", "/apps/demo/formation", FORMATION[1:])
    fake_api.on(
        "GET",
        "/apps/demo/dynos",
        [
            dyno_json("run.4711", "up", "2026-11-24T00:43:00Z", command="bash"),
            dyno_json("web.1", "up", "2026-11-23T22:43:30Z"),
        ],
    )

    assert run("ps", "-a", "demo").stdout.splitlines() == [
        f"=== web (2): {WEB}",
        "web.1: up 2026-11-23T22:43:30Z (~ 2h ago)  v3  restarts 0",
        "=== run: one-off processes",
        "run.4711: up 2026-11-24T00:43:00Z (~ 30s ago)  v3: bash",
    ]


def test_ps_shows_dynos_of_a_type_outside_the_formation(run, fake_api):
    # An old release's type still draining after a deploy dropped it from the Procfile.
    fake_api.on("GET", "/apps/demo/formation", [])
    fake_api.on(
        "GET",
        "/apps/demo/dynos",
        [dyno_json("clock.1", "up", "2026-11-24T00:43:30Z", command="python clock.py")],
    )

    assert run("ps", "-a", "demo").stdout.splitlines() == [
        "=== clock (0): python clock.py",
        "clock.1: up 2026-11-24T00:43:30Z (~ 0s ago)  v3  restarts 0",
    ]


def test_ps_without_dynos_or_formation(run, fake_api):
    fake_api.on("GET", "/apps/demo/formation", [])
    fake_api.on("GET", "/apps/demo/dynos", [])

    result = run("ps", "-a", "demo")

    assert (result.exit_code, result.stdout) == (0, "No dynos on demo\n")


def test_ps_json_has_formation_and_dynos(run, fake_api):
    dynos = [dyno_json("web.1", "up", "2026-11-24T00:40:12Z")]
    fake_api.on("GET", "/apps/demo/formation", FORMATION)
    fake_api.on("GET", "/apps/demo/dynos", dynos)

    data = json.loads(run("ps", "-a", "demo", "--json").stdout)

    assert data == {"formation": FORMATION, "dynos": dynos}


@pytest.mark.parametrize(
    ("started", "expected"),
    [
        ("2026-11-24T00:43:30Z", "~ 0s ago"),
        ("2026-11-24T00:43:31Z", "~ 0s ago"),  # a server clock slightly ahead
        ("2026-11-24T00:42:31Z", "~ 59s ago"),
        ("2026-11-24T00:42:30", "~ 1m ago"),  # no zone: UTC
        ("2026-11-23T23:43:31Z", "~ 59m ago"),
        ("2026-11-24T01:43:30+01:00", "~ 0s ago"),
        ("2026-11-21T00:43:30Z", "~ 3d ago"),
        ("yesterday", ""),
    ],
)
def test_relative_age(started, expected):
    assert relative_age(started, NOW) == expected


def test_scale_sends_one_patch_and_reports_the_new_quantities(run, fake_api):
    fake_api.on(
        "PATCH",
        "/apps/demo/formation",
        [
            {"type": "web", "quantity": 3, "command": WEB, "size": "standard"},
            {"type": "worker", "quantity": 1, "command": "python worker.py", "size": "standard"},
        ],
    )

    result = run("ps:scale", "web=3", "worker+1", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert fake_api.calls == [("PATCH", "/apps/demo/formation")]
    assert fake_api.requests[0].body == {
        "updates": [{"type": "web", "quantity": 3}, {"type": "worker", "quantity": "+1"}]
    }
    assert result.stderr == "Scaling dynos... done, now running web at 3, worker at 1\n"


def test_scale_without_arguments_shows_the_formation(run, fake_api):
    fake_api.on("GET", "/apps/demo/formation", FORMATION)

    result = run("ps:scale", "-a", "demo")

    assert fake_api.calls == [("GET", "/apps/demo/formation")]
    assert result.stdout == "worker=0 web=2\n"


@pytest.mark.parametrize("bad", ["web=x", "web", "=3", "web=101", "web=-1", "web+", "w eb=1"])
def test_scale_bad_argument_makes_no_request(run, fake_api, bad):
    result = run("ps:scale", "worker=1", bad, "-a", "demo")

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad} is invalid; ")
    assert result.stderr.count("\n") == 1
    assert fake_api.requests == []


def test_scale_refused_by_server(run, fake_api):
    fake_api.on(
        "PATCH",
        "/apps/demo/formation",
        {"id": "invalid_params", "message": "no process type clock in the current release\n(v3)"},
        status=422,
    )

    result = run("ps:scale", "clock=1", "-a", "demo")

    assert result.exit_code == 1
    assert result.stderr == "Error: no process type clock in the current release (v3)\n"


@pytest.mark.parametrize(
    ("argument", "update"),
    [
        ("web=3", {"type": "web", "quantity": 3}),
        ("web=0", {"type": "web", "quantity": 0}),
        ("web=100", {"type": "web", "quantity": 100}),
        ("web+2", {"type": "web", "quantity": "+2"}),
        ("worker-1", {"type": "worker", "quantity": "-1"}),
        ("my-worker-10", {"type": "my-worker", "quantity": "-10"}),
        ("my_worker=07", {"type": "my_worker", "quantity": 7}),
    ],
)
def test_parse_scale(argument, update):
    assert parse_scale([argument]) == [update]


def test_parse_scale_rejects_a_type_given_twice():
    with pytest.raises(CliError, match="web is scaled twice"):
        parse_scale(["web=1", "worker=1", "web+1"])


@pytest.mark.parametrize(
    ("argv", "method", "path", "message"),
    [
        (["ps:restart"], "DELETE", "/apps/demo/dynos", "Restarting dynos on demo... done"),
        (
            ["ps:restart", "web.1"],
            "DELETE",
            "/apps/demo/dynos/web.1",
            "Restarting web.1 dyno on demo... done",
        ),
        (
            ["ps:restart", "worker"],
            "DELETE",
            "/apps/demo/dynos/worker",
            "Restarting worker dynos on demo... done",
        ),
        (
            ["ps:stop", "web.1"],
            "POST",
            "/apps/demo/dynos/web.1/actions/stop",
            "Stopping web.1 dyno on demo... done",
        ),
        (
            ["ps:stop", "worker"],
            "POST",
            "/apps/demo/dynos/worker/actions/stop",
            "Stopping worker dynos on demo... done",
        ),
    ],
)
def test_restart_and_stop(run, fake_api, argv, method, path, message):
    fake_api.on(method, path, status=202, text="")

    result = run(*argv, "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert fake_api.calls == [(method, path)]
    assert result.stderr == message + "\n"


def test_stop_needs_a_dyno(run, fake_api):
    result = run("ps:stop", "-a", "demo")

    assert result.exit_code == 2
    assert fake_api.requests == []


def test_restart_of_an_unknown_dyno(run, fake_api):
    fake_api.on(
        "DELETE", "/apps/demo/dynos/web.9", {"id": "not_found", "message": "no dyno web.9"}, 404
    )

    result = run("ps:restart", "web.9", "-a", "demo")

    assert (result.exit_code, result.stderr) == (1, "Error: no dyno web.9\n")


def test_scale_with_a_size_and_ps_type_send_sizes():
    from paas_cli.commands.ps import parse_resize, parse_scale

    assert parse_scale(["web=2:Standard-2x", "worker+1"]) == [
        {"type": "web", "quantity": 2, "size": "standard-2x"},
        {"type": "worker", "quantity": "+1"},
    ]
    assert parse_resize(["web=performance-m"]) == [{"type": "web", "size": "performance-m"}]
    from paas_cli.errors import CliError

    with pytest.raises(CliError, match="TYPE=SIZE"):
        parse_resize(["web"])
