"""main() turns every failure into one `Error:` line and an exit code, never a traceback."""

import socket

import httpx
import pytest

from paas_cli.main import main
from paas_cli.session import Session

from .conftest import API_URL


def assert_one_error_line(result, exit_code=1):
    assert result.exit_code == exit_code
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr + result.stdout


def test_api_error_message_is_printed(run, fake_api):
    fake_api.on(
        "GET", "/apps/demo", {"id": "not_found", "message": "app demo not found"}, status=404
    )

    result = run("apps:info", "-a", "demo")

    assert_one_error_line(result)
    assert result.stderr == "Error: app demo not found\n"


def test_multi_line_server_message_is_folded_into_one_line(run, fake_api):
    fake_api.on("GET", "/apps", {"id": "bad_request", "message": "first\nsecond"}, status=400)

    result = run("apps")

    assert_one_error_line(result)
    assert result.stderr == "Error: first second\n"


def test_non_json_error_body(run, fake_api):
    fake_api.on("GET", "/apps", status=502, text="<html>Bad Gateway</html>")

    result = run("apps")

    assert_one_error_line(result)
    assert result.stderr == "Error: 502 from API\n"


def test_non_json_success_body(run, fake_api):
    fake_api.on("GET", "/apps", text="not json")

    result = run("apps")

    assert_one_error_line(result)
    assert "invalid JSON from API" in result.stderr


def test_transport_failure_names_the_url(run, fake_api, monkeypatch):
    def refuse(request):
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    monkeypatch.setattr(fake_api, "handle", refuse)

    result = run("apps")

    assert_one_error_line(result)
    assert result.stderr == (
        f"Error: cannot reach the paas API at {API_URL}: [Errno 111] Connection refused\n"
    )


def test_really_unreachable_api(capsys, home, workdir):
    # A port that was free a moment ago: a real connection refused, no mock involved.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    environ = {"HOME": str(home), "PAAS_API_URL": url, "PAAS_API_TOKEN": "t"}

    exit_code = main(["apps"], session=Session.from_environment(environ))

    err = capsys.readouterr().err
    assert exit_code == 1
    assert err.startswith(f"Error: cannot reach the paas API at {url}: ")
    assert err.count("\n") == 1


def test_invalid_api_url(capsys, home, workdir):
    environ = {"HOME": str(home), "PAAS_API_URL": "nonsense", "PAAS_API_TOKEN": "t"}

    exit_code = main(["apps"], session=Session.from_environment(environ))

    err = capsys.readouterr().err
    assert exit_code == 1
    assert err.count("\n") == 1 and err.startswith("Error: ")


def test_usage_error_exits_2_in_one_line(run):
    result = run("apps:info", "--bogus")

    assert_one_error_line(result, exit_code=2)
    assert "--bogus" in result.stderr
    assert "See 'paas apps:info --help'." in result.stderr


def test_unknown_command(run):
    result = run("frobnicate")

    assert_one_error_line(result, exit_code=2)
    assert "frobnicate" in result.stderr


def test_keyboard_interrupt_exits_130(run, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Session, "client", interrupted)

    result = run("apps")

    assert_one_error_line(result, exit_code=130)
    assert result.stderr == "Error: interrupted\n"


def test_unexpected_exception_has_no_traceback(run, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(Session, "client", broken)

    result = run("apps")

    assert_one_error_line(result)
    assert result.stderr == "Error: unexpected ZeroDivisionError: division by zero\n"


def test_bare_paas_shows_help(run):
    result = run()

    assert result.exit_code == 0
    assert "apps:create" in result.stdout


@pytest.mark.parametrize("argv", [["--version"], ["version"]])
def test_version(run, argv):
    result = run(*argv)

    assert result.exit_code == 0
    assert result.stdout.startswith("paas-cli ")
