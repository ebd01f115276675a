"""Zero failed requests through the router while the app changes under load.

Four keep-alive clients send requests back to back through nginx while the app
(three web dynos) is redeployed with new code, given a config change, rolled
back and scaled down to one dyno. Every response must be a 200 and no request
may fail at the socket level; the answers themselves show that each change
really happened while the load was running.
"""

import time

import pytest

from tests.integration.build_helpers import api, tgz_of, upload_build, write_tree
from tests.integration.http_load import HttpLoad
from tests.integration.test_runner import paas, wait_for
from tests.integration.test_router import get, serving

pytestmark = pytest.mark.integration

WEB = ("import http.server, json, os\n"
       "CODE = {code!r}\n"
       "class H(http.server.BaseHTTPRequestHandler):\n"
       "    protocol_version = 'HTTP/1.1'\n"
       "    wbufsize = -1  # headers and body in one write (no Nagle delay between them)\n"
       "    def do_GET(self):\n"
       "        body = json.dumps({{'dyno': os.environ['DYNO'], 'code': CODE,\n"
       "                           'color': os.environ.get('COLOR')}}).encode()\n"
       "        self.send_response(200); self.send_header('Content-Length', str(len(body)))\n"
       "        self.end_headers(); self.wfile.write(body)\n"
       "    def log_message(self, *a): pass\n"
       "http.server.ThreadingHTTPServer(('', int(os.environ['PORT'])), H).serve_forever()\n")


def deploy(platform, tmp_path, code: str) -> dict:
    tree = write_tree(tmp_path / code, {"web.py": WEB.format(code=code),
                                        "Procfile": "web: python3 web.py\n"})
    build, output = upload_build(platform, "demo", tgz_of(tree))
    assert build["release"]["status"] == "succeeded", output
    return build["release"]


def answer(body: dict) -> tuple[str, str | None]:
    return body["code"], body["color"]


def settled(platform, expected, dynos: set[str] | None = None, checks: int = 12) -> bool:
    """Every one of `checks` direct requests gets `expected` (and only from `dynos`)."""
    bodies = [serving(platform) for _ in range(checks)]
    if any(body is None for body in bodies):
        return False
    bodies = [body.json() for body in bodies]
    return (all(answer(body) == expected for body in bodies)
            and (dynos is None or {body["dyno"] for body in bodies} <= dynos))


def web_dynos(platform) -> list[str]:
    with api(platform) as client:
        return sorted(d["name"] for d in client.get("/apps/demo/dynos").json()
                      if d["type"] == "web" and d["state"] == "up")


def test_no_request_fails_across_deploy_config_rollback_and_scale_down(deploy_platform, tmp_path):
    platform = deploy_platform
    with api(platform) as client:
        assert client.post("/apps", json={"name": "demo"}).status_code == 201
    first = deploy(platform, tmp_path, "one")
    assert paas(platform, "ps:scale", "web=3", "-a", "demo").returncode == 0
    wait_for(lambda: web_dynos(platform) == ["web.1", "web.2", "web.3"], timeout=120)
    wait_for(lambda: settled(platform, ("one", None)), timeout=60)
    # The router takes up new dynos on its next sync: wait until all three answer.
    wait_for(lambda: len({get(platform).json()["dyno"] for _ in range(30)}) == 3, timeout=30)

    port = int(platform.env["PAAS_ROUTER_PORT"])
    with HttpLoad(port, "demo.localhost", workers=4, seen_key=answer) as load:
        wait_for(lambda: load.total > 200, timeout=30)

        deploy(platform, tmp_path, "two")  # new code: web rolls out start-first
        wait_for(lambda: settled(platform, ("two", None)), timeout=120)

        changed = paas(platform, "config:set", "COLOR=blue", "-a", "demo")
        assert changed.returncode == 0, changed.stderr
        wait_for(lambda: settled(platform, ("two", "blue")), timeout=120)

        rolled = paas(platform, "rollback", f"v{first['version']}", "-a", "demo")
        assert rolled.returncode == 0, rolled.stderr
        wait_for(lambda: settled(platform, ("one", None)), timeout=120)

        assert paas(platform, "ps:scale", "web=1", "-a", "demo").returncode == 0
        wait_for(lambda: len(web_dynos(platform)) == 1, timeout=120)
        [last] = web_dynos(platform)
        wait_for(lambda: settled(platform, ("one", None), dynos={last}), timeout=60)
        before = load.total
        time.sleep(2)  # the load keeps going against the one remaining dyno
        assert load.total > before

    print(dict(load.statuses), dict(load.seen), load.errors[:5])
    assert load.errors == []
    assert set(load.statuses) == {200}
    # The load saw every state the app went through, in the order it went through them.
    assert set(load.seen) == {("one", None), ("two", None), ("two", "blue")}
    assert load.last_seen == ("one", None)
    assert sum(load.statuses.values()) > 1000
