"""domains, domains:add, domains:remove, maintenance, maintenance:on, maintenance:off."""

import json

from .conftest import app_json

DEFAULT = {"id": None, "hostname": "demo.localhost", "kind": "default", "created_at": None}
CUSTOM = {"id": "d-1", "hostname": "www.example.com", "kind": "custom",
          "created_at": "2026-11-24T00:00:00Z"}


def test_domains_lists_default_then_custom(run, fake_api):
    fake_api.on("GET", "/apps/demo/domains", [DEFAULT, CUSTOM])

    result = run("domains", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "=== demo Default Domain\ndemo.localhost\n\n=== demo Custom Domains\nwww.example.com\n"
    )


def test_domains_without_custom_ones_and_as_json(run, fake_api):
    fake_api.on("GET", "/apps/demo/domains", [DEFAULT])

    assert run("domains", "-a", "demo").stdout == "=== demo Default Domain\ndemo.localhost\n"
    assert json.loads(run("domains", "-a", "demo", "--json").stdout) == [DEFAULT]


def test_domains_add_sends_the_hostname(run, fake_api):
    fake_api.on("POST", "/apps/demo/domains", CUSTOM, status=201)

    result = run("domains:add", "WWW.example.com", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert fake_api.requests[0].body == {"hostname": "WWW.example.com"}
    assert result.stderr == "Adding www.example.com to demo... done\n"


def test_domains_add_taken_hostname_is_an_error(run, fake_api):
    fake_api.on("POST", "/apps/demo/domains",
                {"id": "conflict", "message": "www.example.com is already in use by an app"},
                status=409)

    result = run("domains:add", "www.example.com", "-a", "demo")

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: www.example.com is already in use by an app\n"


def test_domains_remove_encodes_the_hostname_in_the_path(run, fake_api):
    fake_api.on("DELETE", "/apps/demo/domains/www.example.com", CUSTOM)

    result = run("domains:remove", "www.example.com", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert fake_api.calls == [("DELETE", "/apps/demo/domains/www.example.com")]
    assert result.stderr == "Removing www.example.com from demo... done\n"


def test_domains_add_needs_a_hostname(run, fake_api):
    result = run("domains:add", "-a", "demo")

    assert result.exit_code == 2 and fake_api.requests == []


def test_maintenance_shows_on_or_off(run, fake_api):
    fake_api.on("GET", "/apps/demo", app_json("demo", maintenance=True))
    assert run("maintenance", "-a", "demo").stdout == "on\n"
    fake_api.on("GET", "/apps/demo", app_json("demo", maintenance=False))
    assert run("maintenance", "-a", "demo").stdout == "off\n"


def test_maintenance_on_and_off_patch_the_app(run, fake_api):
    fake_api.on("PATCH", "/apps/demo", app_json("demo", maintenance=True))

    on = run("maintenance:on", "-a", "demo")
    off = run("maintenance:off", "-a", "demo")

    assert (on.exit_code, off.exit_code) == (0, 0)
    assert [r.body for r in fake_api.requests] == [{"maintenance": True}, {"maintenance": False}]
    assert on.stderr == "Enabling maintenance mode for demo... done\n"
    assert off.stderr == "Disabling maintenance mode for demo... done\n"
