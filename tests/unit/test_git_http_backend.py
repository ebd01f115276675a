"""GitBackendResponse as an ASGI app, with a stand-in `git` on PATH playing http-backend."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

from starlette.responses import JSONResponse

from paas_platform.git.http_backend import GitBackendResponse

SCOPE = {"type": "http", "method": "POST", "path": "/git/demo.git/git-receive-pack"}
FAILURE = {"id": "git_backend_failed", "message": "git http-backend failed"}


def fake_git(tmp_path: Path, body: str) -> dict[str, str]:
    """An environment whose `git` is a shell script; `$1` is `http-backend`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "git"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return {"PATH": f"{bin_dir}:/usr/bin:/bin", "PIDFILE": str(tmp_path / "child.pid")}


def run_asgi(env, request_chunks, on_send=None, timeout=10):
    """Drive one request through the response; returns the messages it sent."""
    sent = []
    client_gone = asyncio.Event()

    async def receive():
        if request_chunks:
            chunk = request_chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(request_chunks)}
        await client_gone.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if on_send and on_send(message):
            client_gone.set()

    async def scenario():
        response = GitBackendResponse(env, JSONResponse(FAILURE, 502))
        await asyncio.wait_for(response(SCOPE, receive, send), timeout)

    asyncio.run(scenario())
    return sent


def body_of(sent) -> bytes:
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_request_body_streams_in_and_cgi_output_streams_out(tmp_path):
    env = fake_git(tmp_path, (
        "printf 'Status: 202 Accepted\\r\\nContent-Type: application/x-test\\r\\n"
        "Transfer-Encoding: chunked\\r\\n\\r\\n'\nexec cat\n"
    ))
    chunks = [os.urandom(100_000) for _ in range(5)]

    sent = run_asgi(env, list(chunks))

    start = sent[0]
    assert start["type"] == "http.response.start"
    assert start["status"] == 202
    assert start["headers"] == [(b"content-type", b"application/x-test")]
    assert body_of(sent) == b"".join(chunks)
    assert sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}
    # Sent in pieces as cat produced them, not as one buffered body.
    assert len([m for m in sent if m.get("body")]) > 1


def test_a_client_that_leaves_gets_the_backend_and_its_children_killed(tmp_path):
    env = fake_git(tmp_path, (
        'sleep 300 &\necho $! > "$PIDFILE"\n'
        "printf 'Content-Type: text/plain\\r\\n\\r\\nworking\\n'\nwait\n"
    ))
    started = time.monotonic()

    sent = run_asgi(env, [b""], on_send=lambda m: m.get("body") == b"working\n")

    assert time.monotonic() - started < 8  # not the 300 s the backend wanted
    assert body_of(sent) == b"working\n"
    child = int((tmp_path / "child.pid").read_text())
    deadline = time.monotonic() + 5
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child), "the backend's child outlived the request"


def test_a_backend_without_cgi_headers_is_a_502_json(tmp_path):
    env = fake_git(tmp_path, "echo 'fatal: not what you expected' >&2\nexit 1\n")

    sent = run_asgi(env, [b""])

    assert sent[0]["status"] == 502
    assert json.loads(body_of(sent)) == FAILURE


def test_a_backend_that_stops_reading_still_answers(tmp_path):
    # http-backend answers errors without reading the body; the unread rest is dropped.
    env = fake_git(tmp_path, "exec 0<&-\nprintf 'Content-Type: text/plain\\r\\n\\r\\nno\\n'\n")

    sent = run_asgi(env, [os.urandom(1_000_000) for _ in range(3)])

    assert sent[0]["status"] == 200
    assert body_of(sent) == b"no\n"
