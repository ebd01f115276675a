"""login, logout, auth:whoami, and what they do to the netrc file."""

import io
import stat

import pytest

from .conftest import API_HOST, TOKEN


@pytest.fixture
def logged_out(environ):
    """No PAAS_API_TOKEN: the netrc file is the only source of a token."""
    del environ["PAAS_API_TOKEN"]
    return environ


def test_login_with_token_writes_netrc_entry(run, fake_api, home, logged_out):
    fake_api.on("GET", "/account", {"id": "u1", "user": "admin"})

    result = run("login", "--token", "new-token")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Logged in as admin\n"
    netrc = home / ".netrc"
    assert netrc.read_text() == f"machine {API_HOST} login admin password new-token\n"
    assert stat.S_IMODE(netrc.stat().st_mode) == 0o600
    # The token being verified is the one sent, not some stored one.
    assert fake_api.requests[0].headers["Authorization"] == "Bearer new-token"


def test_login_replaces_own_entry_and_keeps_the_rest(run, fake_api, home, logged_out):
    original = (
        "# work machines\n"
        "machine github.com login me password gh-secret\n"
        f"machine {API_HOST}\n  login old\n  password old-token\n"
        "macdef init\nmachine fake inside macro\n\n"
        "machine other.example login x password y\n"
    )
    (home / ".netrc").write_text(original)
    (home / ".netrc").chmod(0o644)
    fake_api.on("GET", "/account", {"id": "u1", "user": "admin"})

    assert run("login", "--token", "fresh").exit_code == 0

    text = (home / ".netrc").read_text()
    assert text == original.replace(
        f"machine {API_HOST}\n  login old\n  password old-token",
        f"machine {API_HOST} login admin password fresh",
    )
    assert stat.S_IMODE((home / ".netrc").stat().st_mode) == 0o600


def test_login_with_rejected_token_writes_nothing(run, fake_api, home, logged_out):
    fake_api.on("GET", "/account", {"id": "unauthorized", "message": "invalid token"}, status=401)

    result = run("login", "--token", "bad")

    assert result.exit_code == 1
    assert result.stderr == "Error: invalid token\n"
    assert not (home / ".netrc").exists()


def test_login_with_rejected_token_keeps_previous_entry(run, fake_api, home, logged_out):
    previous = f"machine {API_HOST} login admin password good\n"
    (home / ".netrc").write_text(previous)
    fake_api.on("GET", "/account", {"id": "unauthorized", "message": "invalid token"}, status=401)

    assert run("login", "--token", "bad").exit_code == 1
    assert (home / ".netrc").read_text() == previous


def test_login_reads_token_from_piped_stdin(run, fake_api, home, logged_out, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("piped-token\nignored\n"))
    fake_api.on("GET", "/account", {"id": "u1", "user": "admin"})

    result = run("login")

    assert result.exit_code == 0, result.stderr
    assert "password piped-token" in (home / ".netrc").read_text()


def test_login_with_empty_stdin_fails_without_request(run, fake_api, home, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    result = run("login")

    assert (result.exit_code, result.stderr) == (1, "Error: no token given\n")
    assert fake_api.requests == []
    assert not (home / ".netrc").exists()


def test_login_respects_NETRC_variable(run, fake_api, home, tmp_path, logged_out):
    custom = tmp_path / "custom-netrc"
    logged_out["NETRC"] = str(custom)
    fake_api.on("GET", "/account", {"id": "u1", "user": "admin"})

    assert run("login", "--token", "t").exit_code == 0

    assert "password t" in custom.read_text()
    assert not (home / ".netrc").exists()


def test_logout_removes_only_this_api_entry(run, home, logged_out):
    (home / ".netrc").write_text(
        f"machine github.com login me password gh\nmachine {API_HOST} login admin password tok\n"
    )

    result = run("logout")

    assert result.exit_code == 0
    assert (home / ".netrc").read_text() == "machine github.com login me password gh\n"


def test_whoami_uses_token_from_netrc(run, fake_api, home, logged_out):
    (home / ".netrc").write_text(f"machine {API_HOST} login admin password from-netrc\n")
    fake_api.on("GET", "/account", {"id": "u1", "user": "admin"})

    result = run("auth:whoami")

    assert result.stdout == "admin\n"
    assert fake_api.requests[0].headers["Authorization"] == "Bearer from-netrc"
    assert fake_api.requests[0].headers["Accept"] == "application/json"


def test_env_token_wins_over_netrc(run, fake_api, home):
    (home / ".netrc").write_text(f"machine {API_HOST} login admin password from-netrc\n")
    fake_api.on("GET", "/account", {"id": "u1", "user": "admin"})

    run("auth:whoami")

    assert fake_api.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_without_any_token_says_to_log_in(run, fake_api, logged_out):
    result = run("auth:whoami")

    assert (result.exit_code, result.stderr) == (1, "Error: not logged in; run paas login\n")
    assert fake_api.requests == []


def test_netrc_entry_for_another_host_is_not_used(run, fake_api, home, logged_out):
    (home / ".netrc").write_text(
        "machine elsewhere.test login admin password x\ndefault password d\n"
    )

    result = run("auth:whoami")

    assert result.stderr == "Error: not logged in; run paas login\n"
    assert fake_api.requests == []


def test_unparseable_netrc_is_one_line_error(run, fake_api, home, logged_out):
    (home / ".netrc").write_text("machine\n")

    result = run("auth:whoami")

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot parse {home / '.netrc'}")
    assert result.stderr.count("\n") == 1
