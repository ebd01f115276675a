"""Dynos come back after the Docker daemon itself restarts (no restart policy on
dynos: the reconciler brings them back, as it does after any other exit), and so do
add-on servers with their data (restart policy `unless-stopped`, and a volume)."""

import os
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.integration.build_helpers import api, tgz_of, upload_build, write_tree
from tests.integration.test_runner import APP, answers, dynos, wait_for

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]


def dockerd_pid() -> int | None:
    result = subprocess.run(["pidof", "dockerd"], capture_output=True, text=True)
    return int(result.stdout.split()[0]) if result.returncode == 0 and result.stdout.strip() else None


def restart_dockerd() -> None:
    pid = dockerd_pid()
    if pid is None:
        pytest.fail("dockerd is not running as a local process; cannot restart it")
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while dockerd_pid() == pid and time.monotonic() < deadline:
        time.sleep(0.5)
    assert dockerd_pid() != pid, "dockerd did not stop"
    started = subprocess.run([str(REPO_ROOT / "scripts" / "start-docker.sh")], capture_output=True,
                             text=True, timeout=120)
    assert started.returncode == 0, started.stderr


def addon_server(engine, instance: str, name: str):
    [server] = engine.containers.list(all=True, filters={"label": [
        f"io.paas.instance={instance}", "io.paas.role=addon", f"io.paas.addon={name}"]})
    return server


def redis_get(engine, instance: str, name: str, auth: dict) -> bytes | None:
    """The value of key k, once the add-on's server answers again."""
    import docker

    try:
        result = addon_server(engine, instance, name).exec_run(["redis-cli", "GET", "k"],
                                                               environment=auth)
    except docker.errors.APIError:  # not running (yet)
        return None
    return result.output.strip() if result.exit_code == 0 else None


def test_dynos_return_after_the_docker_daemon_restarts(deploy_platform, engine, tmp_path):
    with api(deploy_platform) as client:
        client.post("/apps", json={"name": "demo"})
    build, output = upload_build(deploy_platform, "demo", tgz_of(write_tree(tmp_path / "src", APP)))
    assert build["release"]["status"] == "succeeded", output
    with api(deploy_platform) as client:
        client.patch("/apps/demo/formation", json={"updates": [{"type": "web", "quantity": 2}]})
    instance = deploy_platform.instance
    wait_for(lambda: dynos(engine, instance) == ["web.1@v2", "web.2@v2"])
    # A Redis add-on on an app of its own (its release must not roll demo's dynos).
    with api(deploy_platform) as client:
        client.post("/apps", json={"name": "cache"})
        created = client.post("/apps/cache/addons", json={"plan": "redis"})
        assert created.status_code == 201, created.text
        redis_url = urlparse(client.get("/apps/cache/config-vars").json()["REDIS_URL"])
    auth = {"REDISCLI_AUTH": redis_url.password}
    stored = addon_server(engine, instance, redis_url.hostname).exec_run(
        ["redis-cli", "SET", "k", "kept"], environment=auth)
    assert stored.output.strip() == b"OK"

    restart_dockerd()
    engine.close()
    from paas_platform.runtime.engine import connect

    fresh = connect()
    try:
        wait_for(lambda: dynos(fresh, instance) == ["web.1@v2", "web.2@v2"], timeout=120)
        wait_for(lambda: {a.split()[0] for a in answers(fresh, instance)} == {"web.1", "web.2"},
                 timeout=60)
        wait_for(lambda: redis_get(fresh, instance, redis_url.hostname, auth) == b"kept",
                 timeout=60)
    finally:
        fresh.close()
