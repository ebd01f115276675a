"""drains, drains:add, drains:remove."""

import json

DRAIN = {"id": "0b6c8e3e-1111-4222-8333-444455556666", "url": "syslog+tls://logs.example.com:6514",
         "token": "d.9173ea1f-6f14-4976-9cf0-7cd0dafdcdbc", "app": {"name": "demo"},
         "addon": None, "created_at": "2026-11-24T00:00:00Z"}


def test_drains_lists_urls_with_tokens(run, fake_api):
    fake_api.on("GET", "/apps/demo/log-drains", [DRAIN])

    result = run("drains", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"=== demo Drains\n{DRAIN['url']} ({DRAIN['token']})\n"
    assert json.loads(run("drains", "-a", "demo", "--json").stdout) == [DRAIN]


def test_drains_when_there_are_none(run, fake_api):
    fake_api.on("GET", "/apps/demo/log-drains", [])

    assert run("drains", "-a", "demo").stdout == "demo has no drains.\n"


def test_drains_add_sends_the_url(run, fake_api):
    fake_api.on("POST", "/apps/demo/log-drains", DRAIN, status=201)

    result = run("drains:add", DRAIN["url"], "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert fake_api.requests[0].body == {"url": DRAIN["url"]}
    assert result.stderr == f"Successfully added drain {DRAIN['url']} to demo (token {DRAIN['token']})\n"


def test_drains_add_refused_url_is_one_line_on_stderr(run, fake_api):
    fake_api.on("POST", "/apps/demo/log-drains",
                {"id": "invalid_params", "message": "unsupported drain URL ftp://x"}, status=422)

    result = run("drains:add", "ftp://x", "-a", "demo")

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: unsupported drain URL ftp://x\n"


def test_drains_remove_encodes_the_url_as_one_path_segment(run, fake_api):
    fake_api.on("DELETE", "/apps/demo/log-drains/syslog%2Btls%3A%2F%2Flogs.example.com%3A6514", DRAIN)

    result = run("drains:remove", DRAIN["url"], "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"Successfully removed drain {DRAIN['url']} from demo\n"


def test_drains_remove_unknown_drain(run, fake_api):
    fake_api.on("DELETE", "/apps/demo/log-drains/d.nope",
                {"id": "not_found", "message": "no drain 'd.nope' on demo"}, status=404)

    result = run("drains:remove", "d.nope", "-a", "demo")

    assert result.exit_code == 1 and result.stderr == "Error: no drain 'd.nope' on demo\n"
