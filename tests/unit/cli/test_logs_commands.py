"""paas logs: parameters, streaming to stdout, keep-alives, Ctrl-C on --tail, errors."""

import httpx

LINES = (
    "2026-11-23T23:50:01.123456+00:00 app[web.1]: hello\n"
    "\n"  # a keep-alive: never printed
    "2026-11-23T23:50:02.000000+00:00 platform[api]: Set FOO config vars by admin\n"
)


def test_logs_prints_the_lines(run, fake_api):
    fake_api.on("GET", "/apps/demo/log-stream", text=LINES)

    result = run("logs", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "2026-11-23T23:50:01.123456+00:00 app[web.1]: hello\n"
        "2026-11-23T23:50:02.000000+00:00 platform[api]: Set FOO config vars by admin\n"
    )
    assert fake_api.requests[0].headers["Authorization"] == "Bearer test-token-123"


def test_logs_passes_every_option(run, fake_api):
    path = ("/apps/demo/log-stream?num=5&dyno=web.1&source=app&since=10m"
            "&until=2026-11-23T23%3A50%3A00Z&tail=true")
    fake_api.on("GET", path, text="")

    result = run("logs", "-a", "demo", "-n", "5", "-d", "web.1", "-s", "app", "--since", "10m",
                 "--until", "2026-11-23T23:50:00Z", "-t")

    assert result.exit_code == 0, result.stderr
    assert fake_api.calls == [("GET", path)]


def test_ctrl_c_ends_tail_quietly(run, fake_api):
    def endless(request):
        def body():
            yield b"2026-11-23T23:50:01.000000+00:00 app[web.1]: one\n"
            raise KeyboardInterrupt  # what Ctrl-C does while waiting for the next line

        return httpx.Response(200, content=body())

    fake_api.on_request("GET", "/apps/demo/log-stream?tail=true", endless)

    result = run("logs", "-a", "demo", "--tail")

    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "2026-11-23T23:50:01.000000+00:00 app[web.1]: one\n"


def test_ctrl_c_without_tail_is_an_interruption(run, fake_api):
    def body():
        raise KeyboardInterrupt
        yield b""

    fake_api.on_request("GET", "/apps/demo/log-stream",
                        lambda request: httpx.Response(200, content=body()))

    result = run("logs", "-a", "demo")

    assert (result.exit_code, result.stderr) == (130, "Error: interrupted\n")


def test_bad_parameters_are_one_line_on_stderr(run, fake_api):
    fake_api.on("GET", "/apps/demo/log-stream?since=soon",
                {"id": "invalid_params", "message": "invalid time 'soon': use ISO 8601"},
                status=422)

    result = run("logs", "-a", "demo", "--since", "soon")

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: invalid time 'soon': use ISO 8601\n"


def test_unknown_app(run, fake_api):
    fake_api.on("GET", "/apps/nope/log-stream", {"id": "not_found", "message": "app nope not found"},
                status=404)

    result = run("logs", "-a", "nope")

    assert (result.exit_code, result.stderr) == (1, "Error: app nope not found\n")


def test_num_must_be_positive(run, fake_api):
    result = run("logs", "-a", "demo", "-n", "0")

    assert result.exit_code == 2 and fake_api.calls == []
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
