"""`paas logs` against a real `paas-platform up`: platform events, the keys-only rule,
--tail until Ctrl-C, and lines that survive a control-plane restart."""

import os
import signal
import subprocess
import threading

import pytest

from tests.integration.conftest import TOKEN
from tests.integration.platform_process import CLI_BIN

pytestmark = pytest.mark.integration

CANARY = "canary-4c1e7f0b9a2d-value"


@pytest.fixture
def cli_env(platform):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAAS_")}
    env.update(PAAS_API_URL=platform.url, PAAS_API_TOKEN=TOKEN)
    return env


def paas(env, *args):
    result = subprocess.run([str(CLI_BIN), *args], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, f"paas {' '.join(args)}: exit {result.returncode}: {result.stderr}"
    return result.stdout


def read_until(stream, wanted: str) -> list[str]:
    """Lines from `stream` up to and including the first that contains `wanted`."""
    lines = []
    for line in stream:
        lines.append(line.rstrip("\n"))
        if wanted in line:
            return lines
    raise AssertionError(f"stream ended before {wanted!r}: {lines}")


def test_config_events_show_keys_never_values(platform, cli_env):
    paas(cli_env, "apps:create", "demo")
    paas(cli_env, "config:set", f"FOO={CANARY}", "-a", "demo")
    out = paas(cli_env, "logs", "-a", "demo")
    assert " platform[api]: Set FOO config var by admin" in out
    assert " platform[api]: Release v2 created by admin: Set FOO config var" in out
    assert CANARY not in out
    assert paas(cli_env, "logs", "-a", "demo", "--source", "app") == ""
    assert paas(cli_env, "logs", "-a", "demo", "-n", "1").count("\n") == 1
    assert CANARY not in platform.output()


def test_tail_follows_until_ctrl_c(platform, cli_env):
    paas(cli_env, "apps:create", "demo")
    tail = subprocess.Popen([str(CLI_BIN), "logs", "-a", "demo", "--tail"], env=cli_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # A safety net, not a timed assertion: a broken stream fails instead of hanging.
    watchdog = threading.Timer(90, tail.kill)
    watchdog.start()
    try:
        history = read_until(tail.stdout, "Release v1 created by admin: Initial release")
        assert any("platform[api]: App demo created by admin" in line for line in history)
        paas(cli_env, "config:set", "LIVE=1", "-a", "demo")
        live = read_until(tail.stdout, "Release v2 created by admin: Set LIVE config var")
        assert any(line.endswith("platform[api]: Set LIVE config var by admin") for line in live)
        tail.send_signal(signal.SIGINT)
        assert tail.wait(30) == 0
        assert tail.stderr.read() == ""
    finally:
        watchdog.cancel()
        if tail.poll() is None:
            tail.kill()


def test_lines_survive_a_restart_and_shutdown_ends_open_tails(platform, cli_env):
    paas(cli_env, "apps:create", "demo")
    paas(cli_env, "config:set", "BEFORE=1", "-a", "demo")
    tail = subprocess.Popen([str(CLI_BIN), "logs", "-a", "demo", "--tail"], env=cli_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(90, tail.kill)
    watchdog.start()
    try:
        read_until(tail.stdout, "Set BEFORE config var")
        # The control plane stops cleanly although a follower is still connected...
        assert platform.stop(signal.SIGTERM) == 0
        # ...and the follower's stream ends.
        tail.wait(30)
    finally:
        watchdog.cancel()
        if tail.poll() is None:
            tail.kill()
    platform.start()
    out = paas(cli_env, "logs", "-a", "demo")
    assert "platform[api]: Set BEFORE config var by admin" in out
    paas(cli_env, "config:set", "AFTER=1", "-a", "demo")
    lines = paas(cli_env, "logs", "-a", "demo").splitlines()
    before = [i for i, l in enumerate(lines) if "Set BEFORE config var by admin" in l]
    after = [i for i, l in enumerate(lines) if "Set AFTER config var by admin" in l]
    assert len(before) == len(after) == 1 and before[0] < after[0]
