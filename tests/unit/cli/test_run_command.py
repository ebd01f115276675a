"""paas run, paas run:detached: argv joining, stdin, output and exit-status propagation.

The API is the usual fake; the rendezvous side is a real listener on 127.0.0.1 (the
platform's, in a thread) with a scripted dyno behind it.
"""

import os
import shlex
import sys
import threading

import httpx
import pytest

from paas_cli.commands.run import command_line
from paas_cli.errors import CliError
from paas_platform.runtime.rendezvous import Frame, RendezvousServer

DYNOS = "/apps/demo/dynos"


class ScriptedDyno:
    """Sends `output` frames, collects stdin until EOF, then exits with `status`."""

    def __init__(self, output=(), status: int | None = 0, notes=()) -> None:
        self.output = list(output)
        self.status = status
        self.notes = list(notes)
        self.stdin = b""
        self.got_eof = threading.Event()

    def attach(self, conn) -> None:
        for kind, payload in self.output:
            conn.send(kind, payload)
        while (frame := conn.read_frame()) is not None:
            kind, payload = frame
            if kind == Frame.STDIN:
                self.stdin += payload
            elif kind == Frame.STDIN_EOF:
                self.got_eof.set()
                break
        for note in self.notes:
            conn.send_error(note)
        if self.status is not None:
            conn.send_exit(self.status)
        conn.close()

    def discard(self) -> None:
        pass


@pytest.fixture
def rendezvous():
    server = RendezvousServer("127.0.0.1", 0)
    server.start()
    yield server
    server.stop(timeout=5)


def dyno_json(name: str = "run.4711", attach_url: str | None = None) -> dict:
    return {"name": name, "type": "run", "state": "starting", "attach_url": attach_url,
            "command": "x", "release": {"id": "r", "version": 3}, "time_to_live": 3600,
            "app": {"id": "a", "name": "demo"}, "created_at": "2026-11-24T00:00:00Z"}


def serve(fake_api, rendezvous, dyno: ScriptedDyno) -> None:
    """POST /apps/demo/dynos answers with an attach URL for `dyno`."""
    def handler(_request: httpx.Request) -> httpx.Response:
        url = f"rendezvous://127.0.0.1:{rendezvous.port}/{rendezvous.issue(dyno)}"
        return httpx.Response(201, json=dyno_json(attach_url=url))

    fake_api.on_request("POST", DYNOS, handler)


def test_argv_is_joined_and_the_commands_exit_status_is_ours(run, fake_api, rendezvous):
    dyno = ScriptedDyno([(Frame.STDOUT, b"bar\n"), (Frame.STDERR, b"warn\n")], status=3)
    serve(fake_api, rendezvous, dyno)
    argv = ["python", "-c", "import os,sys; print(os.environ['FOO']); sys.exit(3)"]

    result = run("run", "-a", "demo", "--", *argv)

    assert result.exit_code == 3
    assert result.stdout == "bar\n"
    assert fake_api.requests[0].body == {"command": shlex.join(argv), "attach": True,
                                         "tty": False, "env": {}}
    assert result.stderr == f"Running {shlex.join(argv)} on demo... up, run.4711\nwarn\n"
    assert dyno.got_eof.is_set()  # no usable stdin here: the command reads EOF at once


def test_stdin_is_forwarded_and_its_end_passed_on(run, fake_api, rendezvous, monkeypatch):
    dyno = ScriptedDyno(status=0)
    serve(fake_api, rendezvous, dyno)
    read_end, write_end = os.pipe()
    os.write(write_end, b"hi\n")
    os.close(write_end)
    with open(read_end, "rb") as stdin:
        monkeypatch.setattr(sys, "stdin", stdin)
        result = run("run", "-a", "demo", "--", "cat")

    assert result.exit_code == 0
    assert dyno.stdin == b"hi\n" and dyno.got_eof.is_set()


def test_words_after_the_command_are_its_own_and_env_is_sent(run, fake_api, rendezvous):
    serve(fake_api, rendezvous, ScriptedDyno())

    assert run("run", "-a", "demo", "-e", "A=1", "--env", "B=x=y", "ls", "-a").exit_code == 0

    body = fake_api.requests[0].body
    assert (body["command"], body["env"]) == ("ls -a", {"A": "1", "B": "x=y"})


def test_one_word_is_a_shell_line_and_passes_as_written():
    assert command_line(["echo $HOME | wc -c"]) == "echo $HOME | wc -c"
    assert command_line(["echo", "$HOME"]) == "echo '$HOME'"
    with pytest.raises(CliError):
        command_line(["", " "])


def test_platform_notes_are_shown_and_the_status_kept(run, fake_api, rendezvous):
    serve(fake_api, rendezvous, ScriptedDyno(status=137, notes=["run.4711 was stopped: ttl"]))

    result = run("run", "-a", "demo", "--", "sleep", "600")

    assert result.exit_code == 137
    assert result.stderr.splitlines()[-1] == "run.4711 was stopped: ttl"


def test_a_session_without_an_exit_status_is_one_error_line(run, fake_api, rendezvous):
    serve(fake_api, rendezvous, ScriptedDyno(status=None, notes=["run.4711 could not start"]))

    result = run("run", "-a", "demo", "--", "true")

    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "Error: run.4711 could not start"
    assert "Traceback" not in result.stderr


def test_a_used_secret_is_refused(run, fake_api, rendezvous):
    dyno = ScriptedDyno()
    url = f"rendezvous://127.0.0.1:{rendezvous.port}/{rendezvous.issue(dyno)}"
    fake_api.on("POST", DYNOS, dyno_json(attach_url=url), status=201)

    assert run("run", "-a", "demo", "--", "true").exit_code == 0
    result = run("run", "-a", "demo", "--", "true")

    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: this attach URL is unknown, already used or expired")


@pytest.mark.parametrize("attach_url, message", [
    (None, "Error: the API did not say where to attach to run.4711"),
    ("http://127.0.0.1:1/x", "Error: the API returned an invalid attach URL: 'http://127.0.0.1:1/x'"),
    ("rendezvous://127.0.0.1:notaport/x", "Error: the API returned an invalid attach URL"),
])
def test_bad_attach_urls_are_errors(run, fake_api, attach_url, message):
    fake_api.on("POST", DYNOS, dyno_json(attach_url=attach_url), status=201)

    result = run("run", "-a", "demo", "--", "true")

    assert result.exit_code == 1
    assert result.stderr.startswith(message) and len(result.stderr.splitlines()) == 1


def test_an_unreachable_listener_is_an_error(run, fake_api, rendezvous):
    port = rendezvous.port
    rendezvous.stop(timeout=5)
    fake_api.on("POST", DYNOS, dyno_json(attach_url=f"rendezvous://127.0.0.1:{port}/x"),
                status=201)

    result = run("run", "-a", "demo", "--", "true")

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot reach the dyno at 127.0.0.1:{port}")


def test_api_errors_are_one_line(run, fake_api):
    fake_api.on("POST", DYNOS, {"id": "no_release", "message": "demo has no release"},
                status=422)

    result = run("run", "-a", "demo", "--", "true")

    assert (result.exit_code, result.stderr) == (1, "Error: demo has no release\n")


def test_a_command_is_required(run, fake_api):
    result = run("run", "-a", "demo")

    assert result.exit_code == 2 and fake_api.requests == []
    assert "Missing argument 'COMMAND...'" in result.stderr


def test_run_detached_returns_at_once(run, fake_api):
    fake_api.on("POST", DYNOS, dyno_json(name="run.1234"), status=201)

    result = run("run:detached", "-a", "demo", "--", "rake", "jobs:work")

    assert result.exit_code == 0
    assert result.stderr == "Running rake jobs:work on demo... done, run.1234\n"
    assert fake_api.requests[0].body == {"command": "rake jobs:work", "attach": False,
                                         "tty": False, "env": {}}


def test_a_remote_status_of_130_is_passed_through_without_an_interrupt_message(capsys):
    from paas_cli import main as main_module
    from paas_cli.errors import RemoteStatus

    @main_module.app.command("fake-remote-130", hidden=True)
    def _fake() -> int:
        return RemoteStatus(130)

    try:
        assert main_module.main(["fake-remote-130"]) == 130
        assert "interrupted" not in capsys.readouterr().err
    finally:
        main_module.app.registered_commands.pop()
