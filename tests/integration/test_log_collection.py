"""Dyno output in the app's log stream on the real engine: interleaved dynos, filters,
windows, a control-plane restart without gaps or repeats, last words of a stopped
dyno, and a syslog drain receiving RFC 5424 frames.

One platform and one app image for the module: the app prints a counter from every
dyno (web.1, web.2, worker.1); the web dynos also answer HTTP so rollouts see them
ready, and every dyno says "bye" when it gets SIGTERM.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.integration.build_helpers import api, tgz_of, upload_build, write_tree
from tests.integration.conftest import TOKEN, _platform_env, docker_client, remove_instance_objects
from tests.integration.platform_process import PlatformProcess, free_port
from tests.integration.test_runner import paas, wait_for
from tests.syslog_receiver import SyslogReceiver

pytestmark = pytest.mark.integration

COUNTER = (
    "import http.server, os, signal, sys, threading, time\n"
    "dyno = os.environ['DYNO']\n"
    "def bye(*_):\n"
    "    print(f'{dyno} bye', flush=True)\n"
    "    os._exit(0)\n"
    "signal.signal(signal.SIGTERM, bye)\n"
    "if 'PORT' in os.environ:\n"
    "    class H(http.server.BaseHTTPRequestHandler):\n"
    "        def do_GET(self):\n"
    "            self.send_response(200); self.end_headers(); self.wfile.write(b'ok')\n"
    "        def log_message(self, *a): pass\n"
    "    server = http.server.ThreadingHTTPServer(('', int(os.environ['PORT'])), H)\n"
    "    threading.Thread(target=server.serve_forever, daemon=True).start()\n"
    "n = 0\n"
    "while True:\n"
    "    print(f'count {dyno} {n}', flush=True)\n"
    "    n += 1\n"
    "    time.sleep(0.1)\n"
)
APP = {"counter.py": COUNTER,
       "Procfile": "web: python3 counter.py\nworker: python3 counter.py\n"}
LINE = re.compile(r"^(\S+) (app|platform)\[([^\]]+)\]: (.*)$")
COUNT = re.compile(r"^count (\S+) (\d+)$")


@pytest.fixture(scope="module")
def logs_platform(tmp_path_factory, stack_images):
    """A real control plane (SQLite) with the counter app deployed at web=2, worker=1."""
    instance = f"t{uuid.uuid4().hex[:10]}"
    process = PlatformProcess(tmp_path_factory.mktemp("logs") / "data", {
        "PAAS_BOOTSTRAP_TOKEN": TOKEN, "PAAS_INSTANCE": instance, **_platform_env(),
        "PAAS_BOOT_TIMEOUT": "30", "PAAS_STOP_GRACE": "5",
        "PAAS_ROUTER_PORT": str(free_port()),
    })
    process.start()
    try:
        with api(process) as client:
            assert client.post("/apps", json={"name": "demo"}).status_code == 201
        source = write_tree(tmp_path_factory.mktemp("app"), APP)
        build, output = upload_build(process, "demo", tgz_of(source))
        assert build["release"]["status"] == "succeeded", output
        scaled = paas(process, "ps:scale", "web=2", "worker=1", "-a", "demo")
        assert scaled.returncode == 0, scaled.stderr
        yield process
    finally:
        process.stop()
        client = docker_client()
        remove_instance_objects(client, instance)
        client.close()


def log_lines(platform, *args: str) -> list[tuple[datetime, str, str, str]]:
    """(time, source, process, text) of `paas logs -a demo ARGS`."""
    result = paas(platform, "logs", "-a", "demo", *args)
    assert result.returncode == 0, result.stderr
    parsed = []
    for raw in result.stdout.splitlines():
        match = LINE.match(raw)
        assert match, f"not a log line: {raw!r}"
        when, source, process, text = match.groups()
        parsed.append((datetime.fromisoformat(when), source, process, text))
    return parsed


def counters(lines) -> dict[str, list[int]]:
    """Each dyno's counter values, in stream order."""
    seen: dict[str, list[int]] = {}
    for _, source, process, text in lines:
        match = COUNT.match(text)
        if source == "app" and match:
            assert match.group(1) == process, f"{text!r} shown as {process}"
            seen.setdefault(process, []).append(int(match.group(2)))
    return seen


def all_dynos_counting(platform) -> bool:
    return set(counters(log_lines(platform, "-n", "200"))) >= {"web.1", "web.2", "worker.1"}


def test_dynos_interleave_in_time_order_and_filter(logs_platform):
    wait_for(lambda: all_dynos_counting(logs_platform))
    lines = log_lines(logs_platform, "-n", "50")
    assert len(lines) == 50
    times = [when for when, *_ in lines]
    assert times == sorted(times)
    by_dyno = counters(lines)
    assert {"web.1", "web.2", "worker.1"} <= set(by_dyno)  # interleaved, not one after another
    for values in by_dyno.values():
        assert values == sorted(values)

    web2 = log_lines(logs_platform, "-n", "30", "--dyno", "web.2")
    assert web2 and {process for _, _, process, _ in web2} == {"web.2"}
    platform_only = log_lines(logs_platform, "-n", "30", "--source", "platform")
    assert platform_only and {source for _, source, _, _ in platform_only} == {"platform"}
    assert any("scale" in text.lower() for *_, text in platform_only)

    recent = log_lines(logs_platform, "-n", "1000", "--since", "1m")
    now = datetime.now(timezone.utc)
    assert recent and all(when >= now - timedelta(minutes=1, seconds=30) for when, *_ in recent)
    older = log_lines(logs_platform, "-n", "1000")
    assert len(older) > len(recent) or older[0][0] >= now - timedelta(minutes=1, seconds=30)


def test_control_plane_restart_loses_and_repeats_nothing(logs_platform):
    wait_for(lambda: all_dynos_counting(logs_platform))
    before = counters(log_lines(logs_platform, "-n", "100000"))
    assert logs_platform.stop() == 0  # SIGTERM: the dynos keep printing meanwhile
    time.sleep(3)
    logs_platform.start()

    def caught_up():
        values = counters(log_lines(logs_platform, "-n", "100000"))
        return values if all(len(values.get(d, [])) > len(before.get(d, [])) + 40
                             for d in ("web.1", "web.2", "worker.1")) else None

    after = wait_for(caught_up)
    for dyno in ("web.1", "web.2", "worker.1"):
        values = after[dyno]
        assert values == list(range(values[0], values[0] + len(values))), f"{dyno} has gaps or repeats"


def test_a_stopped_dyno_last_words_are_kept(logs_platform):
    wait_for(lambda: all_dynos_counting(logs_platform))
    scaled = paas(logs_platform, "ps:scale", "worker=0", "-a", "demo")
    assert scaled.returncode == 0, scaled.stderr
    engine = docker_client()
    try:
        wait_for(lambda: not engine.containers.list(all=True, filters={"label": [
            f"io.paas.instance={logs_platform.instance}", "io.paas.dyno=worker.1"]}))
    finally:
        engine.close()
    texts = [text for _, _, process, text in log_lines(logs_platform, "-n", "500", "--dyno", "worker")]
    assert "worker.1 bye" in texts


RFC5424 = re.compile(rb"^<(\d+)>1 (\S+) (d\.[0-9a-f-]+) (app|platform) (\S+) - - (.*)$", re.S)


def test_syslog_drain_receives_the_app_lines_in_rfc5424(logs_platform):
    listener = SyslogReceiver()
    try:
        added = paas(logs_platform, "drains:add", f"syslog://127.0.0.1:{listener.port}", "-a", "demo")
        assert added.returncode == 0, added.stderr
        listed = paas(logs_platform, "drains", "-a", "demo")
        assert f"syslog://127.0.0.1:{listener.port}" in listed.stdout
        token = re.search(r"\((d\.[0-9a-f-]+)\)", listed.stdout).group(1)

        def counted():
            parsed = [RFC5424.match(frame) for frame in listener.frames()]
            assert all(parsed), listener.frames()[:3]
            return [m for m in parsed if m.group(4) == b"app" and m.group(6).startswith(b"count ")]

        app_frames = wait_for(lambda: len(counted()) >= 20 and counted())
        for match in app_frames:
            priority, stamp, hostname, _, procid, text = match.groups()
            assert priority == b"190" and hostname == token.encode()
            assert text.split()[1] == procid  # `count web.2 17` comes from procid web.2
            datetime.fromisoformat(stamp.decode())
        removed = paas(logs_platform, "drains:remove", f"syslog://127.0.0.1:{listener.port}",
                       "-a", "demo")
        assert removed.returncode == 0, removed.stderr
        assert "has no drains" in paas(logs_platform, "drains", "-a", "demo").stdout
    finally:
        listener.close()


CANARY = "canary-91f0c2d7e5a4-secret"


def test_a_config_value_never_reaches_logs_build_output_or_platform_stdout(logs_platform,
                                                                          tmp_path):
    platform = logs_platform
    changed = paas(platform, "config:set", f"SECRET_TOKEN={CANARY}", "-a", "demo")
    assert changed.returncode == 0, changed.stderr
    # A build (buildpacks get the config in ENV_DIR) and a release phase that uses the value.
    release = ("release: python3 -c \"import os; "
               "print('release sees', len(os.environ['SECRET_TOKEN']), 'chars')\"\n")
    tree = write_tree(tmp_path / "src", {**APP, "Procfile": APP["Procfile"] + release})
    build, output = upload_build(platform, "demo", tgz_of(tree))
    assert build["release"]["status"] == "succeeded", output
    assert f"release sees {len(CANARY)} chars" in output  # the value was there
    logs = paas(platform, "logs", "-a", "demo", "-n", "100000")
    assert f"release sees {len(CANARY)} chars" in logs.stdout
    assert "Set SECRET_TOKEN config var" in logs.stdout
    assert CANARY not in output
    assert CANARY not in logs.stdout
    assert CANARY not in platform.output()
