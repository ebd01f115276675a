"""The CGI contract with git http-backend, and the Basic credentials git sends."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from paas_platform.api.routes.git import basic_password
from paas_platform.git.cgi import (
    GitRequest,
    MalformedCgiHeaders,
    cgi_environment,
    parse_header_lines,
)

REQUEST = GitRequest(
    app="demo", tail="git-receive-pack", method="POST", query_string="",
    content_type="application/x-git-receive-pack-request", content_encoding="gzip",
    content_length=None, remote_user="admin", remote_addr="127.0.0.1", token="s3cret-token",
)


def test_environment_names_the_repo_and_the_hook_settings(monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("DATABASE_URL", "postgresql://secret")

    env = cgi_environment(REQUEST, Path("/data/repos"), "http://127.0.0.1:5000")

    assert env == {
        "GIT_PROJECT_ROOT": "/data/repos",
        "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": "/demo.git/git-receive-pack",
        "REQUEST_METHOD": "POST",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/x-git-receive-pack-request",
        "HTTP_CONTENT_ENCODING": "gzip",
        "REMOTE_USER": "admin",
        "REMOTE_ADDR": "127.0.0.1",
        "PATH": "/usr/bin:/bin",
        "PAAS_API_URL": "http://127.0.0.1:5000",
        "PAAS_API_TOKEN": "s3cret-token",
        "PAAS_APP": "demo",
    }  # no CONTENT_LENGTH for a chunked upload, and nothing else of ours leaks


def test_content_length_is_passed_when_the_client_sent_one():
    from dataclasses import replace

    env = cgi_environment(replace(REQUEST, content_length="123"), Path("/r"), "http://x")
    assert env["CONTENT_LENGTH"] == "123"


def test_the_token_stays_out_of_the_request_repr():
    assert "s3cret" not in repr(REQUEST)


def test_headers_give_status_and_drop_hop_by_hop():
    status, headers = parse_header_lines([
        b"Status: 403 Forbidden\r\n",
        b"Content-Type: text/plain\r\n",
        b"Cache-Control: no-cache\n",
        b"Transfer-Encoding: chunked\r\n",
    ])
    assert status == 403
    assert headers == [(b"content-type", b"text/plain"), (b"cache-control", b"no-cache")]


def test_status_defaults_to_200():
    status, _ = parse_header_lines([b"Content-Type: application/x-git-upload-pack-result\r\n"])
    assert status == 200


@pytest.mark.parametrize("line", [b"no colon here\r\n", b"Status: OK\r\n", b": empty name\r\n"])
def test_malformed_headers_are_refused(line):
    with pytest.raises(MalformedCgiHeaders):
        parse_header_lines([line])


def basic(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


@pytest.mark.parametrize("header, password", [
    (basic("admin:tok-1"), "tok-1"),
    (basic("anyone:tok:with:colons"), "tok:with:colons"),
    ("basic " + base64.b64encode(b"x:y").decode(), "y"),
    (basic("admin:"), None),
    (basic("admin"), None),
    ("Basic !!!not-base64", None),
    ("Bearer tok-1", None),
    ("", None),
    (None, None),
])
def test_basic_password(header, password):
    assert basic_password(header) == password
