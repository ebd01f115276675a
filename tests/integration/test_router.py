"""The router on the real engine: nginx in front of the web dynos of a deployed app.

Host routing, balancing over every web dyno, Heroku's error pages (H12, H14,
maintenance), forwarded headers, the header limit, custom domains, access lines,
and a router that keeps serving while the control plane is killed, then is adopted.
"""

import json
import signal
import subprocess
import time

import httpx
import pytest

from tests.integration.build_helpers import api, tgz_of, upload_build, write_tree
from tests.integration.test_runner import paas, wait_for

pytestmark = pytest.mark.integration

# A web process that answers with its dyno name and the headers it was given; /slow
# answers after 5 s (past the 2 s router timeout these tests set).
WEB = ("import http.server, json, os, time\n"
       "class H(http.server.BaseHTTPRequestHandler):\n"
       "    def do_GET(self):\n"
       "        if self.path == '/slow':\n"
       "            time.sleep(5)\n"
       "        body = json.dumps({'dyno': os.environ['DYNO'], 'headers': dict(self.headers)}).encode()\n"
       "        self.send_response(200); self.send_header('Content-Length', str(len(body)))\n"
       "        self.end_headers(); self.wfile.write(body)\n"
       "    def log_message(self, *a): pass\n"
       "http.server.ThreadingHTTPServer(('', int(os.environ['PORT'])), H).serve_forever()\n")
APP = {"web.py": WEB, "Procfile": "web: python3 web.py\n"}


@pytest.fixture(autouse=True)
def short_router_timeout(monkeypatch):
    """The platforms of these tests give dynos 2 s to answer (the default is 30 s)."""
    monkeypatch.setenv("PAAS_ROUTER_TIMEOUT", "2")


@pytest.fixture
def routed(deploy_platform, tmp_path):
    with api(deploy_platform) as client:
        assert client.post("/apps", json={"name": "demo"}).status_code == 201
    build, output = upload_build(deploy_platform, "demo", tgz_of(write_tree(tmp_path / "src", APP)))
    assert build["release"]["status"] == "succeeded", output
    yield deploy_platform
    print(deploy_platform.output()[-8000:])  # shown when the test failed


def router_url(platform) -> str:
    return f"http://127.0.0.1:{platform.env['PAAS_ROUTER_PORT']}"


def get(platform, host="demo.localhost", path="/", headers=None, timeout=10) -> httpx.Response:
    return httpx.get(router_url(platform) + path, headers={"Host": host, **(headers or {})},
                     timeout=timeout)


def serving(platform, host="demo.localhost"):
    """The response once the router routes `host` to a dyno (200), else None."""
    try:
        response = get(platform, host)
    except httpx.TransportError:
        return None
    return response if response.status_code == 200 else None


def status_of(platform, host="demo.localhost") -> int:
    try:
        return get(platform, host).status_code
    except httpx.TransportError:
        return 0


def router_lines(platform, app="demo") -> str:
    """The router's lines in the app's log stream."""
    with api(platform) as client:
        response = client.get(f"/apps/{app}/log-stream",
                              params={"num": 10000, "source": "platform", "dyno": "router"})
        assert response.status_code == 200, response.text
        return response.text


def router_containers(engine, instance):
    return engine.containers.list(all=True, filters={"label": [
        f"io.paas.instance={instance}", "io.paas.role=router"]})


def test_routes_hosts_balances_and_answers_like_heroku(routed, engine):
    platform = routed
    first = wait_for(lambda: serving(platform), timeout=120)
    assert first.json()["dyno"] == "web.1"
    curl = subprocess.run(["curl", "-sS", "-H", "Host: demo.localhost", router_url(platform) + "/"],
                          capture_output=True, text=True, timeout=30)
    assert json.loads(curl.stdout)["dyno"] == "web.1", curl.stderr

    # Forwarded headers; a request id is made up when absent and kept when sent.
    seen = get(platform).json()["headers"]
    assert seen["X-Forwarded-For"]  # the address the router saw the request come from
    assert seen["X-Forwarded-Proto"] == "http"
    assert seen["X-Forwarded-Port"] == platform.env["PAAS_ROUTER_PORT"]
    assert len(seen["X-Request-Id"]) == 32
    kept = get(platform, headers={"X-Request-Id": "req-0123456789", "X-Forwarded-For": "203.0.113.9"})
    assert kept.json()["headers"]["X-Request-Id"] == "req-0123456789"
    assert kept.json()["headers"]["X-Forwarded-For"].startswith("203.0.113.9, ")

    unknown = get(platform, "nosuch.localhost")
    assert unknown.status_code == 404 and "No such app" in unknown.text
    too_big = get(platform, headers={"X-Big": "a" * 9 * 1024})
    assert 400 <= too_big.status_code < 500

    started = time.monotonic()
    slow = get(platform, path="/slow", timeout=30)
    assert slow.status_code == 503 and "did not respond in time" in slow.text  # H12
    assert time.monotonic() - started < 4.5  # PAAS_ROUTER_TIMEOUT=2, not the app's 5 s

    assert paas(platform, "ps:scale", "web=3", "-a", "demo").returncode == 0
    dynos = set()
    wait_for(lambda: dynos.update(get(platform).json()["dyno"] for _ in range(12))
             or dynos == {"web.1", "web.2", "web.3"}, timeout=120)

    # Custom domains: routed, unique across apps, removable.
    added = paas(platform, "domains:add", "www.example.com", "-a", "demo")
    assert added.returncode == 0, added.stderr
    assert get(platform, "www.example.com").status_code == 200  # applied before the answer
    assert "www.example.com" in paas(platform, "domains", "-a", "demo").stdout
    with api(platform) as client:
        assert client.post("/apps", json={"name": "other"}).status_code == 201
        taken = client.post("/apps/other/domains", json={"hostname": "WWW.example.com."})
        assert taken.status_code == 409, taken.text
    # An app without a running web dyno: H14 (a new app is routed within the 2 s sync).
    wait_for(lambda: status_of(platform, "other.localhost") == 503, timeout=30)
    idle = get(platform, "other.localhost")
    assert idle.status_code == 503 and "No web processes" in idle.text
    assert paas(platform, "domains:remove", "www.example.com", "-a", "demo").returncode == 0
    assert get(platform, "www.example.com").status_code == 404

    # Maintenance: a 503 page while the dynos keep running, then back.
    assert paas(platform, "maintenance:on", "-a", "demo").returncode == 0
    offline = get(platform)
    assert offline.status_code == 503 and "maintenance" in offline.text
    assert paas(platform, "maintenance", "-a", "demo").stdout.strip() == "on"
    assert paas(platform, "maintenance:off", "-a", "demo").returncode == 0
    assert get(platform).status_code == 200

    assert paas(platform, "ps:scale", "web=0", "-a", "demo").returncode == 0
    wait_for(lambda: status_of(platform) == 503, timeout=60)
    assert "No web processes" in get(platform).text  # H14

    # One access line per request reaches the app's log stream.
    lines = wait_for(lambda: (text := router_lines(platform)) and "code=H14" in text and text,
                     timeout=10).splitlines()
    assert all(" platform[router]: " in line for line in lines)
    assert any("at=info method=GET path=/ host=demo.localhost dyno=web." in line
               and "status=200" in line and "request_id=req-0123456789" in line for line in lines)
    assert any('code=H12 desc="Request timeout"' in line and "path=/slow" in line for line in lines)
    assert any("code=H80" in line for line in lines)
    assert len(router_containers(engine, platform.instance)) == 1


def test_router_serves_while_the_control_plane_is_down_and_is_adopted(routed, engine):
    platform = routed
    wait_for(lambda: serving(platform), timeout=120)
    [router] = router_containers(engine, platform.instance)
    assert router.attrs["HostConfig"]["RestartPolicy"]["Name"] == "unless-stopped"

    assert get(platform, path="/before-the-kill").status_code == 200
    wait_for(lambda: "path=/before-the-kill " in router_lines(platform), timeout=10)
    platform.stop(signal.SIGKILL)
    for number in range(10):  # the data plane does not need the control plane
        assert get(platform, path=f"/while-down-{number}").status_code == 200
        time.sleep(0.3)

    platform.start()
    wait_for(lambda: "router adopted" in platform.output(), timeout=60)
    # The access lines of requests served meanwhile reach the log once; none twice.
    lines = wait_for(lambda: (text := router_lines(platform)) and "path=/while-down-9 " in text
                     and text, timeout=20)
    for path in ["/before-the-kill", *(f"/while-down-{n}" for n in range(10))]:
        assert lines.count(f"path={path} ") == 1, path
    assert [c.id for c in router_containers(engine, platform.instance)] == [router.id]
    router.reload()
    assert router.attrs["RestartCount"] == 0 and router.status == "running"
    assert get(platform).json()["dyno"] == "web.1"
    # Re-adopted, not rebuilt: the same table needs no reload after the restart.
    assert "router: demo ->" not in platform.output()
