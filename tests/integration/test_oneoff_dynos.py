"""One-off dynos (`paas run`, `paas run:detached`) on the real engine, through the real CLI.

One deployed app serves most checks (a build takes a while): config reaches the
command, its status and stdin pass through, a TTY when run under a pty, the container
is hardened, removed afterwards, killed by its time-to-live or when its client goes.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import time

import pytest

from paas_cli.rendezvous_client import RendezvousSession
from paas_platform.runtime.engine import INSTANCE_LABEL
from tests.integration.build_helpers import api, tgz_of, upload_build, write_tree
from tests.integration.conftest import TOKEN
from tests.integration.platform_process import CLI_BIN, free_port

pytestmark = pytest.mark.integration

PROCFILE_APP = {"Procfile": "web: python3 -m http.server $PORT\n"}
PRINT_FOO_EXIT_3 = "import os,sys; print(os.environ['FOO']); sys.exit(3)"


@pytest.fixture
def platform(request, monkeypatch, engine):
    """deploy_platform with a rendezvous port of its own (tests share the host)."""
    monkeypatch.setenv("PAAS_RENDEZVOUS_PORT", str(free_port()))
    process = request.getfixturevalue("deploy_platform")
    yield process
    # deploy_platform removes containers, images and volumes; the app network is ours.
    selector = {"label": f"{INSTANCE_LABEL}={process.instance}"}
    for container in engine.containers.list(all=True, filters=selector):
        container.remove(force=True)
    for network in engine.networks.list(filters=selector):
        network.remove()


@pytest.fixture
def cli(platform, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "PAAS_API_URL": platform.url,
           "PAAS_API_TOKEN": TOKEN, "LANG": "C.UTF-8"}

    def cli(*args: str, **options) -> subprocess.CompletedProcess:
        if "input" not in options:
            options.setdefault("stdin", subprocess.DEVNULL)
        return subprocess.run([str(CLI_BIN), *args], env=env, capture_output=True, text=True,
                              timeout=120, **options)

    cli.env = env
    return cli


def oneoffs(engine, instance: str, state: str | None = None) -> list:
    labels = [f"{INSTANCE_LABEL}={instance}", "io.paas.process_type=run"]
    containers = engine.containers.list(all=True, filters={"label": labels})
    return [c for c in containers if state is None or c.status == state]


def wait_for(predicate, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def deploy(platform, tmp_path, name: str = "demo") -> None:
    with api(platform) as client:
        assert client.post("/apps", json={"name": name}).status_code == 201
        assert client.patch(f"/apps/{name}/config-vars", json={"FOO": "bar"}).status_code == 200
    build, output = upload_build(platform, name, tgz_of(write_tree(tmp_path / "src", PROCFILE_APP)))
    assert build["status"] == "succeeded", output


def test_paas_run_end_to_end(platform, cli, engine, tmp_path):
    deploy(platform, tmp_path)

    # Config reaches the command; its exit status is the CLI's.
    result = cli("run", "-a", "demo", "--", "python3", "-c", PRINT_FOO_EXIT_3)
    assert result.returncode == 3, result.stderr
    assert result.stdout == "bar\n"
    assert "Running python3 -c " in result.stderr and "on demo... up, run." in result.stderr
    assert "Traceback" not in result.stderr
    # Stdin reaches it, and its end is the command's end of input.
    result = cli("run", "-a", "demo", "--", "python3", "-c",
                 "import sys; print(sys.stdin.read().upper())", input="hi")
    assert (result.returncode, result.stdout) == (0, "HI\n"), result.stderr
    # stderr stays stderr; one word runs as a shell line (bash -c), DYNO names the dyno.
    result = cli("run", "-a", "demo", "echo $DYNO $PS; echo oops >&2")
    assert result.returncode == 0, result.stderr
    dyno = result.stdout.split()[0]
    assert dyno.startswith("run.") and result.stdout == f"{dyno} {dyno}\n"
    assert "oops" in result.stderr
    assert oneoffs(engine, platform.instance) == [], "finished one-off dynos are removed"

    check_hardening_and_client_gone(platform, cli, engine)
    check_tty_under_a_pty(cli)
    check_time_to_live(platform, engine)
    check_detached(platform, cli, engine)
    check_bad_inputs_start_nothing(platform, cli, engine)
    check_time_to_live_outlives_a_restart(platform, engine)


def check_hardening_and_client_gone(platform, cli, engine):
    process = subprocess.Popen([str(CLI_BIN), "run", "-a", "demo", "--", "sleep", "600"],
                               env=cli.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        [container] = wait_for(lambda: oneoffs(engine, platform.instance, "running"),
                               what="a running one-off dyno")
        attrs = container.attrs
        host = attrs["HostConfig"]
        assert attrs["Config"]["User"] == "1000:1000"
        assert host["CapDrop"] == ["ALL"]
        assert "no-new-privileges" in host["SecurityOpt"]
        assert host["PidsLimit"] > 0 and host["Memory"] > 0
        assert host["LogConfig"]["Config"].get("max-size")
        assert not host.get("PortBindings") and not attrs["NetworkSettings"]["Ports"]
        assert list(attrs["NetworkSettings"]["Networks"]) == [f"{platform.instance}-demo"]
        assert not any("docker.sock" in (m.get("Source") or "") for m in attrs["Mounts"])
        assert container.labels["io.paas.app"] == "demo"
    finally:
        process.kill()  # the client disappears: its dyno must go too
        process.wait()
    wait_for(lambda: not oneoffs(engine, platform.instance), what="the orphaned dyno's removal")


def check_tty_under_a_pty(cli):
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 101, 0, 0))
    # The window size is sent once the dyno runs, hence the pause before stty reads it.
    process = subprocess.Popen([str(CLI_BIN), "run", "-a", "demo", "tty; sleep 1; stty size"],
                               env=cli.env, stdin=terminal, stdout=terminal,
                               stderr=subprocess.PIPE)
    os.close(terminal)
    output = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 1)
        if ready:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # EIO: the CLI has exited and closed the terminal
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    os.close(controller)
    assert process.wait(30) == 0, process.stderr.read()
    assert b"/dev/pts/" in output and b"33 101" in output, output


def check_time_to_live(platform, engine):
    with api(platform) as client:
        detached = client.post("/apps/demo/dynos", json={
            "command": "sleep 600", "attach": False, "time_to_live": 2})
        attached = client.post("/apps/demo/dynos", json={
            "command": "sleep 600", "attach": True, "time_to_live": 2})
    assert detached.status_code == attached.status_code == 201, (detached.text, attached.text)
    session = RendezvousSession.connect(attached.json()["attach_url"])
    with open(os.devnull, "wb") as sink:
        end = session.run(None, sink, sink, terminal=False)
    assert end.status == 137
    assert any("time-to-live" in note for note in end.notes), end.notes
    wait_for(lambda: not oneoffs(engine, platform.instance), timeout=30,
             what="the time-to-live to remove both dynos")


def check_detached(platform, cli, engine):
    started = time.monotonic()
    result = cli("run:detached", "-a", "demo", "--", "python3", "-c", "print('detached ran')")
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 15
    assert "on demo... done, run." in result.stderr
    dyno = result.stderr.rsplit(", ", 1)[1].strip()
    wait_for(lambda: not oneoffs(engine, platform.instance), what="the detached dyno's removal")
    log = wait_for(lambda: "Process exited with status 0" in (
        out := cli("logs", "-a", "demo", "--dyno", dyno).stdout) and out,
        what="the detached dyno's exit in the app's log stream")
    assert f" app[{dyno}]: detached ran\n" in log
    assert f" platform[{dyno}]: Process exited with status 0\n" in log
    assert f" platform[{dyno}]: Starting detached one-off dyno {dyno}" in log


def check_bad_inputs_start_nothing(platform, cli, engine):
    with api(platform) as client:
        assert client.post("/apps", json={"name": "empty"}).status_code == 201
        cases = [
            ("/apps/nope/dynos", {"command": "true"}, 404, "not_found"),
            ("/apps/demo/dynos", {"command": "  "}, 422, "invalid_params"),
            ("/apps/demo/dynos", {"command": "true", "time_to_live": 0}, 422, "invalid_params"),
            ("/apps/demo/dynos", {"command": "true", "time_to_live": 86401}, 422, "invalid_params"),
            ("/apps/demo/dynos", {"command": "true", "env": {"1BAD": "x"}}, 422, "invalid_params"),
            ("/apps/demo/dynos", {"command": "true", "size": "huge"}, 422, "invalid_params"),
            ("/apps/empty/dynos", {"command": "true"}, 422, "no_release"),
        ]
        for path, body, status, error_id in cases:
            response = client.post(path, json=body)
            assert (response.status_code, response.json()["id"]) == (status, error_id), body
            assert response.json()["message"]
    result = cli("run", "-a", "empty", "--", "true")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: empty has no release with a build yet; deploy it first "
        "(paas push or git push paas main)"]
    assert oneoffs(engine, platform.instance) == []


def check_time_to_live_outlives_a_restart(platform, engine):
    with api(platform) as client:
        response = client.post("/apps/demo/dynos", json={
            "command": "sleep 600", "attach": False, "time_to_live": 8})
    assert response.status_code == 201, response.text
    platform.stop()
    assert len(oneoffs(engine, platform.instance, "running")) == 1, "dynos outlive the platform"
    platform.start()
    wait_for(lambda: not oneoffs(engine, platform.instance), timeout=30,
             what="the restarted platform to enforce the time-to-live")
    assert "watching 1 detached one-off dyno(s) left running" in platform.output()
