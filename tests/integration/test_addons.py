"""Add-ons on the real engine, through the real CLI: a Flask app keeps its rows in an
`addons:create postgresql` database across a redeploy, a rollback, a restart of the
control plane and of the database container; a second app attached to it reads the
same rows; an unattached app cannot reach it; Redis answers a one-off dyno.

One platform serves the whole story (builds take a while).
"""

from __future__ import annotations

import json
import os
import subprocess

import httpx
import pytest

from paas_platform.runtime.engine import INSTANCE_LABEL
from tests.integration.build_helpers import tgz_of, upload_build, write_tree
from tests.integration.conftest import TOKEN
from tests.integration.platform_process import CLI_BIN
from tests.integration.test_runner import wait_for

pytestmark = pytest.mark.integration

NOTES_APP = {
    "app.py": (
        "import os\nimport psycopg\nfrom flask import Flask, request\napp = Flask(__name__)\n\n"
        "def db():\n    return psycopg.connect(os.environ['DATABASE_URL'], connect_timeout=5)\n\n"
        "@app.post('/notes')\ndef add():\n    with db() as conn:\n"
        "        conn.execute('INSERT INTO notes (body) VALUES (%s)', (request.args['body'],))\n"
        "    return 'stored'\n\n"
        "@app.get('/notes')\ndef notes():\n    with db() as conn:\n"
        "        rows = conn.execute('SELECT body FROM notes ORDER BY id').fetchall()\n"
        "    return ','.join(r[0] for r in rows)\n"
    ),
    "migrate.py": (
        "import os\nimport psycopg\n"
        "with psycopg.connect(os.environ['DATABASE_URL']) as conn:\n"
        "    conn.execute('CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text)')\n"
        "print('migrated')\n"
    ),
    # Redis by hand (RESP over a socket): no client library needed in the slug.
    "redis_check.py": (
        "import os, socket, sys\nfrom urllib.parse import urlparse\n"
        "url = urlparse(os.environ['REDIS_URL'])\n"
        "sock = socket.create_connection((url.hostname, url.port), timeout=5)\n"
        "def call(*args):\n"
        "    sock.sendall(b''.join([f'*{len(args)}\\r\\n'.encode()] + "
        "[f'${len(a)}\\r\\n{a}\\r\\n'.encode() for a in args]))\n"
        "    return sock.recv(4096).decode().strip().lstrip('+')\n"
        "print(call('AUTH', url.password), call('PING'), call('SET', 'k', sys.argv[1]), "
        "call('GET', 'k').split()[-1])\n"
    ),
    "version": "one",
    "requirements.txt": "flask==3.1.*\ngunicorn==23.*\npsycopg[binary]==3.*\n",
    "Procfile": "web: gunicorn --bind 0.0.0.0:$PORT app:app\nrelease: python migrate.py\n",
}
STRANGER_APP = {"Procfile": "web: python3 -m http.server $PORT\n"}
PROBE = ("import socket, sys\n"
         "try:\n    socket.create_connection((sys.argv[1], 5432), timeout=3)\n"
         "except OSError as exc:\n    print('unreachable', type(exc).__name__)\n"
         "else:\n    print('reachable')\n")


@pytest.fixture
def paas(deploy_platform, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8",
           "PAAS_API_URL": deploy_platform.url, "PAAS_API_TOKEN": TOKEN}

    def paas(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(CLI_BIN), *args], env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=300, cwd=home)

    return paas


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


def router(platform, app: str, method: str = "GET", path: str = "/notes",
           **params) -> httpx.Response:
    return httpx.request(method, f"http://127.0.0.1:{platform.env['PAAS_ROUTER_PORT']}{path}",
                         headers={"Host": f"{app}.localhost"}, params=params, timeout=15)


def notes(platform, app: str) -> str | None:
    """The rows the app's web dyno reads, once the router reaches one."""
    try:
        response = router(platform, app)
    except httpx.TransportError:
        return None
    return response.text if response.status_code == 200 else None


def deploy(platform, app: str, tree) -> dict:
    build, output = upload_build(platform, app, tgz_of(tree))
    assert build["status"] == "succeeded" and build["release"]["status"] == "succeeded", output
    return build


def config(paas, app: str) -> dict:
    return json.loads(ok(paas("config", "-a", app, "--json")))


def releases(paas, app: str) -> list[dict]:
    return json.loads(ok(paas("releases", "-a", app, "--json")))


def addon_container(engine, instance: str, name: str):
    [container] = engine.containers.list(all=True, filters={"label": [
        f"{INSTANCE_LABEL}={instance}", "io.paas.role=addon", f"io.paas.addon={name}"]})
    return container


def test_postgresql_and_redis_add_ons_end_to_end(deploy_platform, paas, engine, tmp_path):
    platform, instance = deploy_platform, deploy_platform.instance
    ok(paas("apps:create", "demo"))
    created = ok(paas("addons:create", "postgresql", "-a", "demo"))
    assert created.startswith("Created postgresql-") and created.strip().endswith("as DATABASE_URL")
    name = created.split()[1]
    url = config(paas, "demo")["DATABASE_URL"]
    assert url.startswith("postgres://") and f"@{name}:5432/" in url
    assert releases(paas, "demo")[0]["description"] == f"Attach DATABASE ({name})"
    info = ok(paas("addons:info", name))
    assert "postgresql:dev" in info and "demo::DATABASE_URL" in info and "running" in info
    assert url.split(":")[2].split("@")[0] not in info, "the password is never shown"

    # The release phase migrates, the web dyno stores rows through the router.
    deploy(platform, "demo", write_tree(tmp_path / "v1", NOTES_APP))
    wait_for(lambda: notes(platform, "demo") == "")
    for body in ("alpha", "beta"):
        assert router(platform, "demo", "POST", body=body).text == "stored"
    assert notes(platform, "demo") == "alpha,beta"
    first_deploy = releases(paas, "demo")[0]["version"]

    # Redis, from a one-off dyno; its release comes after the first deploy.
    created = ok(paas("addons:create", "redis", "-a", "demo"))
    assert "as REDIS_URL" in created
    redis_url = config(paas, "demo")["REDIS_URL"]
    wait_for(lambda: releases(paas, "demo")[0]["status"] == "succeeded")  # `run` uses it then
    assert redis_url.startswith("redis://:")
    out = ok(paas("run", "-a", "demo", "--", "python", "redis_check.py", "hello"))
    assert out.split() == ["OK", "PONG", "OK", "hello"]

    # A redeploy, then a rollback to the release from before Redis was attached:
    # the rows stay, and the rollback keeps both add-ons' vars as they are.
    deploy(platform, "demo", write_tree(tmp_path / "v2", {**NOTES_APP, "version": "two"}))
    wait_for(lambda: notes(platform, "demo") == "alpha,beta")
    ok(paas("rollback", f"v{first_deploy}", "-a", "demo"))
    wait_for(lambda: releases(paas, "demo")[0]["status"] == "succeeded")
    assert config(paas, "demo") == {"DATABASE_URL": url, "REDIS_URL": redis_url}
    assert notes(platform, "demo") == "alpha,beta"

    # A restart of the control plane, then of the database container.
    platform.stop()
    platform.start()
    assert router(platform, "demo", "POST", body="gamma").text == "stored"
    database = addon_container(engine, instance, name)
    database.restart()
    wait_for(lambda: notes(platform, "demo") == "alpha,beta,gamma")

    # A second app attached to the same database reads the same rows.
    ok(paas("apps:create", "other"))
    attached = paas("addons:attach", name, "-a", "other")
    assert attached.returncode == 0 and "as DATABASE_URL" in attached.stderr, attached.stderr
    assert config(paas, "other")["DATABASE_URL"] == url
    deploy(platform, "other", write_tree(tmp_path / "other", NOTES_APP))
    wait_for(lambda: notes(platform, "other") == "alpha,beta,gamma")

    # A third, unattached app cannot reach it, by name or by address.
    ok(paas("apps:create", "stranger"))
    deploy(platform, "stranger", write_tree(tmp_path / "stranger", STRANGER_APP))
    database.reload()
    networks = database.attrs["NetworkSettings"]["Networks"]
    assert set(networks) == {f"{instance}-demo", f"{instance}-other"}
    assert networks[f"{instance}-demo"]["Aliases"][0] == name
    address = networks[f"{instance}-demo"]["IPAddress"]
    for target in (name, address):
        out = ok(paas("run", "-a", "stranger", "--", "python3", "-c", PROBE, target))
        assert out.startswith("unreachable"), out
    out = ok(paas("run", "-a", "demo", "--", "python3", "-c", PROBE, name))
    assert out == "reachable\n", "the probe itself works where the database is attached"

    check_bad_input_changes_nothing(paas, engine, instance, name)
    check_destroy(paas, engine, instance, name)
    check_app_destroy_takes_its_add_ons(paas, engine, instance)


def check_bad_input_changes_nothing(paas, engine, instance, name):
    before = (releases(paas, "demo"), releases(paas, "other"),
              sorted(c.name for c in engine.containers.list(all=True, filters={
                  "label": [f"{INSTANCE_LABEL}={instance}", "io.paas.role=addon"]})),
              sorted(v.name for v in engine.volumes.list(filters={
                  "label": [f"{INSTANCE_LABEL}={instance}", "io.paas.role=addon"]})))
    cases = [
        (("addons:create", "mysql", "-a", "demo"), "unknown add-on service 'mysql'"),
        (("addons:create", "redis", "--name", name, "--as", "cache", "-a", "demo"),
         f"{name} is already taken"),
        (("addons:create", "redis", "--as", "database", "-a", "other"), "DATABASE_URL on other"),
        (("addons:destroy", name, "-a", "demo", "--confirm", "demo"), "also attached to other"),
        (("addons:destroy", name, "-a", "demo", "--confirm", "other"), "does not match demo"),
        (("addons:attach", "no-such-addon", "-a", "demo"), "add-on no-such-addon not found"),
    ]
    for argv, message in cases:
        result = paas(*argv)
        assert result.returncode != 0 and message in result.stderr, (argv, result.stderr)
        assert "Traceback" not in result.stderr
    after = (releases(paas, "demo"), releases(paas, "other"),
             sorted(c.name for c in engine.containers.list(all=True, filters={
                 "label": [f"{INSTANCE_LABEL}={instance}", "io.paas.role=addon"]})),
             sorted(v.name for v in engine.volumes.list(filters={
                 "label": [f"{INSTANCE_LABEL}={instance}", "io.paas.role=addon"]})))
    assert after == before


def check_destroy(paas, engine, instance, name):
    database = addon_container(engine, instance, name)
    volume = database.attrs["Mounts"][0]["Name"]
    result = paas("addons:destroy", name, "-a", "demo", "--confirm", "demo", "--force")
    assert result.returncode == 0, result.stderr
    assert "DATABASE_URL" not in config(paas, "demo")
    assert "DATABASE_URL" not in config(paas, "other")
    assert releases(paas, "other")[0]["description"] == f"Detach DATABASE ({name})"
    assert [v.name for v in engine.volumes.list(filters={"name": volume})
            if v.name == volume] == []
    assert not engine.containers.list(all=True, filters={"label": f"io.paas.addon={name}"})


def test_config_set_database_url_without_an_add_on(deploy_platform, paas, tmp_path):
    """Swapping a resource is only config: the same var, set by hand, reaches dynos."""
    ok(paas("apps:create", "plain"))
    deploy(deploy_platform, "plain", write_tree(tmp_path / "plain", STRANGER_APP))
    elsewhere = "postgres://u:p@db.example.com:5432/elsewhere"
    ok(paas("config:set", f"DATABASE_URL={elsewhere}", "-a", "plain"))
    wait_for(lambda: releases(paas, "plain")[0]["status"] == "succeeded")  # `run` uses it then
    out = ok(paas("run", "-a", "plain", "--", "printenv", "DATABASE_URL"))
    assert out == elsewhere + "\n"
    assert "No add-ons for app plain." in ok(paas("addons", "-a", "plain"))


def check_app_destroy_takes_its_add_ons(paas, engine, instance):
    """demo still owns the Redis add-on: destroying demo removes its server, its data
    and demo's network (which the server had to leave first)."""
    [redis] = [a["name"] for a in json.loads(ok(paas("addons", "--json", "-a", "demo")))]
    ok(paas("apps:destroy", "demo", "--confirm", "demo"))
    addon_label = {"label": [f"{INSTANCE_LABEL}={instance}", f"io.paas.addon={redis}"]}
    assert engine.containers.list(all=True, filters=addon_label) == []
    assert engine.volumes.list(filters=addon_label) == []
    assert engine.networks.list(names=[f"{instance}-demo"]) == []
    assert json.loads(ok(paas("addons", "--json"))) == []
