"""The runner on the real engine: formation, reconciler, rollouts, crashes, hardening."""

import json
import os
import signal
import subprocess
import time

import httpx
import pytest

from tests.integration.build_helpers import api, tgz_of, upload_build, write_tree
from tests.integration.conftest import TOKEN
from tests.integration.platform_process import CLI_BIN

pytestmark = pytest.mark.integration

# A web process that answers with its dyno name, release and FOO; a worker that idles.
WEB = ("import http.server, os\n"
       "class H(http.server.BaseHTTPRequestHandler):\n"
       "    def do_GET(self):\n"
       "        body = f\"{os.environ['DYNO']} {os.environ.get('FOO', '-')} {open('version').read().strip()}\".encode()\n"
       "        self.send_response(200); self.end_headers(); self.wfile.write(body)\n"
       "    def log_message(self, *a): pass\n"
       "http.server.ThreadingHTTPServer(('', int(os.environ['PORT'])), H).serve_forever()\n")
APP = {"web.py": WEB, "version": "one",
       "Procfile": "web: python3 web.py\nworker: python3 -c 'import time; time.sleep(100000)'\n"}


def wait_for(predicate, timeout=90, every=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("condition not met in time")


def paas(platform, *args):
    env = {**os.environ, "PAAS_API_URL": platform.url, "PAAS_API_TOKEN": TOKEN}
    return subprocess.run([str(CLI_BIN), *args], env=env, capture_output=True, text=True, timeout=120)


def dynos(engine, instance, app="demo", running_only=True):
    import docker

    try:
        found = engine.containers.list(all=not running_only, filters={"label": [
            f"io.paas.instance={instance}", f"io.paas.app={app}", "io.paas.role=dyno"]})
    except docker.errors.NotFound:  # one was removed while the list was read: not settled
        return ["<changing>"]
    return sorted(f"{c.labels['io.paas.dyno']}@v{c.labels['io.paas.release']}" for c in found)


def dyno_urls(engine, instance, ptype="web"):
    import docker

    urls = []
    try:
        containers = engine.containers.list(filters={"label": [f"io.paas.instance={instance}",
                                                               f"io.paas.process_type={ptype}"]})
    except docker.errors.NotFound:  # one was removed while the list was read
        return urls
    for c in containers:
        ip = next(iter(c.attrs["NetworkSettings"]["Networks"].values()))["IPAddress"]
        urls.append(f"http://{ip}:5000/")
    return urls


def answers(engine, instance):
    out = set()
    for url in dyno_urls(engine, instance):
        try:
            out.add(httpx.get(url, timeout=2).text)
        except httpx.TransportError:
            pass
    return out


@pytest.fixture
def deployed(deploy_platform, tmp_path):
    with api(deploy_platform) as client:
        client.post("/apps", json={"name": "demo"})
    build, output = upload_build(deploy_platform, "demo", tgz_of(write_tree(tmp_path / "v1", APP)))
    assert build["release"]["status"] == "succeeded", output
    return deploy_platform


def test_scale_heal_and_survive_a_killed_control_plane(deployed, engine):
    instance = deployed.instance
    assert dynos(engine, instance) == ["web.1@v2"]  # a first deploy runs web=1, worker=0
    scaled = paas(deployed, "ps:scale", "web=3", "worker=1", "-a", "demo")
    assert scaled.returncode == 0, scaled.stderr
    wait_for(lambda: dynos(engine, instance) == ["web.1@v2", "web.2@v2", "web.3@v2", "worker.1@v2"])
    listing = paas(deployed, "ps", "-a", "demo").stdout
    assert "web.3: up" in listing and "worker.1: up" in listing

    victim = engine.containers.list(filters={"label": [f"io.paas.instance={instance}", "io.paas.dyno=web.2"]})[0]
    victim.remove(force=True)
    wait_for(lambda: dynos(engine, instance) == ["web.1@v2", "web.2@v2", "web.3@v2", "worker.1@v2"])

    deployed.stop(signal.SIGKILL)
    time.sleep(3)
    # The data plane does not need the control plane.
    assert dynos(engine, instance) == ["web.1@v2", "web.2@v2", "web.3@v2", "worker.1@v2"]
    assert {a.split()[0] for a in answers(engine, instance)} == {"web.1", "web.2", "web.3"}
    before = {c.id for c in engine.containers.list(filters={"label": f"io.paas.instance={instance}"})}
    deployed.start()
    time.sleep(5)
    after = {c.id for c in engine.containers.list(filters={"label": f"io.paas.instance={instance}"})}
    assert after == before  # adopted: no duplicates, no orphans, nothing restarted
    assert paas(deployed, "ps:scale", "web=1", "-a", "demo").returncode == 0
    wait_for(lambda: dynos(engine, instance) == ["web.1@v2", "worker.1@v2"])


def test_config_change_and_rollback_roll_the_dynos(deployed, engine, tmp_path):
    instance = deployed.instance
    assert answers(engine, instance) == {"web.1 - one"}
    assert paas(deployed, "config:set", "FOO=bar", "-a", "demo").returncode == 0
    wait_for(lambda: answers(engine, instance) == {"web.1 bar one"})
    build, _ = upload_build(deployed, "demo", tgz_of(write_tree(tmp_path / "v2", {**APP, "version": "two"})))
    assert build["release"]["status"] == "succeeded"
    assert answers(engine, instance) == {"web.1 bar two"}
    assert paas(deployed, "rollback", "v3", "-a", "demo").returncode == 0
    wait_for(lambda: answers(engine, instance) == {"web.1 bar one"})
    with api(deployed) as client:
        releases = client.get("/apps/demo/releases").json()
    assert [(r["version"], r["status"]) for r in releases][-1] == (5, "succeeded")


def test_a_release_whose_web_never_listens_fails_and_the_old_one_keeps_serving(deployed, engine, tmp_path):
    instance = deployed.instance
    broken = {**APP, "Procfile": "web: python3 -c 'raise SystemExit(2)'\n"}
    build, output = upload_build(deployed, "demo", tgz_of(write_tree(tmp_path / "broken", broken)))
    assert build["release"]["status"] == "failed"
    assert "web.1 exited with status 2" in output
    assert dynos(engine, instance) == ["web.1@v2"]
    assert answers(engine, instance) == {"web.1 - one"}
    with api(deployed) as client:
        assert client.get("/apps/demo").json()["current_release"] == 2


def test_crashing_worker_restarts_with_back_off(deployed, engine, tmp_path):
    crashing = {**APP, "Procfile": "web: python3 web.py\nworker: python3 -c 'raise SystemExit(3)'\n"}
    build, _ = upload_build(deployed, "demo", tgz_of(write_tree(tmp_path / "crash", crashing)))
    assert build["release"]["status"] == "succeeded"
    assert paas(deployed, "ps:scale", "worker=1", "-a", "demo").returncode == 0

    def worker():
        listing = json.loads(paas(deployed, "ps", "-a", "demo", "--json").stdout)
        return next((d for d in listing["dynos"] if d["name"] == "worker.1" and d["restarts"] >= 2), None)

    crashed = wait_for(worker, timeout=60)
    assert crashed["exit_code"] == 3 or crashed["state"] == "up"
    time.sleep(8)
    later = json.loads(paas(deployed, "ps", "-a", "demo", "--json").stdout)
    restarts = next(d["restarts"] for d in later["dynos"] if d["name"] == "worker.1")
    # Back-off: immediate, then 10 s, 20 s...: a crash loop does not spin.
    assert restarts <= 3
    text = paas(deployed, "ps", "-a", "demo").stdout
    assert "worker.1: crashed" in text and "exit 3" in text


def test_dynos_are_hardened_and_isolated(deployed, engine):
    container = engine.containers.list(filters={"label": [f"io.paas.instance={deployed.instance}", "io.paas.dyno=web.1"]})[0]
    config, host = container.attrs["Config"], container.attrs["HostConfig"]
    assert config["User"] == "1000:1000"
    assert host["CapDrop"] == ["ALL"]
    assert "no-new-privileges" in host["SecurityOpt"]
    assert host["PidsLimit"] and host["PidsLimit"] > 0
    assert host["Memory"] == 512 * 1024 * 1024
    assert host["LogConfig"]["Config"]["max-size"] == "10m"
    assert host["PortBindings"] in ({}, None)
    assert not any("docker.sock" in m.get("Source", "") for m in container.attrs["Mounts"])
    assert list(container.attrs["NetworkSettings"]["Networks"]) == [f"{deployed.instance}-demo"]
    assert config["Env"] and any(e.startswith("PORT=") for e in config["Env"])


def test_destroying_the_app_removes_its_engine_objects(deployed, engine):
    selector = {"label": [f"io.paas.instance={deployed.instance}", "io.paas.app=demo"]}
    assert engine.containers.list(filters=selector)
    assert engine.images.list(filters=selector)
    with api(deployed) as client:
        assert client.delete("/apps/demo").status_code == 200
    assert engine.containers.list(all=True, filters=selector) == []
    assert engine.networks.list(filters=selector) == []
    assert engine.images.list(filters=selector) == []
    assert engine.volumes.list(filters=selector) == []


HEALTHY = WEB.replace(
    "    def do_GET(self):\n",
    "    def do_GET(self):\n"
    "        if self.path == '/health' and open('version').read().strip() == 'sick':\n"
    "            self.send_response(500); self.end_headers(); return\n",
)


def test_health_check_path_gates_the_rollout(deployed, engine, tmp_path):
    instance = deployed.instance
    assert paas(deployed, "healthcheck:set", "/health", "-a", "demo").returncode == 0
    assert paas(deployed, "healthcheck", "-a", "demo").stdout.strip() == "/health"
    sick = {**APP, "web.py": HEALTHY, "version": "sick"}
    build, output = upload_build(deployed, "demo", tgz_of(write_tree(tmp_path / "sick", sick)))
    assert build["release"]["status"] == "failed"
    assert "did not pass its health check /health" in output and "last answer: 500" in output
    assert answers(engine, instance) == {"web.1 - one"}
    well = {**APP, "web.py": HEALTHY, "version": "well"}
    build, output = upload_build(deployed, "demo", tgz_of(write_tree(tmp_path / "well", well)))
    assert build["release"]["status"] == "succeeded", output
    assert answers(engine, instance) == {"web.1 - well"}


def test_dyno_size_sets_the_limits(deployed, engine):
    assert paas(deployed, "ps:type", "web=standard-2x", "-a", "demo").returncode == 0

    def resized():
        found = engine.containers.list(filters={"label": [
            f"io.paas.instance={deployed.instance}", "io.paas.dyno=web.1", "io.paas.size=standard-2x"]})
        return found[0] if found else None

    container = wait_for(resized)
    assert container.attrs["HostConfig"]["Memory"] == 1024 * 1024 * 1024
    assert container.attrs["HostConfig"]["PidsLimit"] == 512
