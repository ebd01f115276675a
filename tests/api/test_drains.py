"""/apps/{app}/log-drains through the API, and drains that really send: the manager
wired into the app forwards published lines to a local syslog receiver."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import ADMIN_TOKEN
from tests.syslog_receiver import SyslogReceiver


@pytest.fixture
def demo(api):
    for name in ("demo", "other"):
        assert api.post("/apps", json={"name": name}).status_code == 201


def urls(api, app="demo"):
    return [d["url"] for d in api.get(f"/apps/{app}/log-drains").json()]


def test_add_list_remove_by_url_token_or_id(api, demo):
    assert urls(api) == []
    added = api.post("/apps/demo/log-drains", json={"url": "syslog+tls://logs.example.com:6514"})
    assert added.status_code == 201, added.text
    drain = added.json()
    assert drain["token"].startswith("d.") and drain["app"] == {"name": "demo"}
    https = api.post("/apps/demo/log-drains", json={"url": "https://u:p@logs.example.com/in?k=1"}).json()
    syslog = api.post("/apps/demo/log-drains", json={"url": "syslog://10.1.2.3:1514"}).json()
    assert urls(api) == ["syslog+tls://logs.example.com:6514", "https://u:p@logs.example.com/in?k=1",
                         "syslog://10.1.2.3:1514"]
    assert urls(api, "other") == []
    by_url = api.delete("/apps/demo/log-drains/" + quote(https["url"], safe=""))
    assert by_url.status_code == 200 and by_url.json()["id"] == https["id"]
    assert api.delete(f"/apps/demo/log-drains/{syslog['token']}").status_code == 200
    assert api.delete(f"/apps/demo/log-drains/{drain['id']}").status_code == 200
    missing = api.delete(f"/apps/demo/log-drains/{drain['id']}")
    assert missing.status_code == 404 and missing.json()["id"] == "not_found"
    assert urls(api) == []


def test_a_url_is_drained_once_per_app(api, demo):
    url = {"url": "syslog://logs.example.com:514"}
    assert api.post("/apps/demo/log-drains", json=url).status_code == 201
    again = api.post("/apps/demo/log-drains", json=url)
    assert again.status_code == 409 and again.json()["id"] == "conflict"
    assert api.post("/apps/other/log-drains", json=url).status_code == 201
    assert urls(api) == ["syslog://logs.example.com:514"]


def test_at_most_five_drains(api, demo):
    for n in range(5):
        assert api.post("/apps/demo/log-drains",
                        json={"url": f"syslog://logs.example.com:{1000 + n}"}).status_code == 201
    sixth = api.post("/apps/demo/log-drains", json={"url": "syslog://logs.example.com:2000"})
    assert sixth.status_code == 422 and "5 drains" in sixth.json()["message"]
    assert len(urls(api)) == 5


@pytest.mark.parametrize("body", [
    {"url": "ftp://logs.example.com"}, {"url": "syslog://logs.example.com:514/path"},
    {"url": ""}, {"url": 5}, {}, {"url": "https://" + "a" * 3000},
])
def test_bad_urls_are_422_and_change_nothing(api, demo, body):
    answer = api.post("/apps/demo/log-drains", json=body)
    assert answer.status_code == 422, answer.text
    assert set(answer.json()) == {"id", "message"}
    assert urls(api) == []


def test_credentials_in_a_refused_url_are_not_echoed(api, demo):
    answer = api.post("/apps/demo/log-drains", json={"url": "ftp://user:hunter2@logs.example.com"})
    assert answer.status_code == 422 and "hunter2" not in answer.text


def test_unknown_app_is_404(api):
    assert api.get("/apps/nope/log-drains").status_code == 404
    assert api.post("/apps/nope/log-drains", json={"url": "syslog://h:1"}).status_code == 404


def test_adding_and_removing_a_drain_shows_in_the_stream(api, demo):
    added = api.post("/apps/demo/log-drains", json={"url": "https://u:secret@logs.example.com/x"})
    api.delete(f"/apps/demo/log-drains/{added.json()['id']}")
    stream = api.get("/apps/demo/log-stream", params={"source": "platform"}).text
    assert f"Add drain {added.json()['token']} (https://logs.example.com)" in stream
    assert "Remove drain" in stream and "secret" not in stream


def test_drains_send_published_lines_from_startup_and_as_added(settings, store):
    from datetime import datetime, timezone

    from fastapi.testclient import TestClient

    from paas_platform.api import create_app
    from paas_platform.api.app import make_log_hub
    from paas_platform.domain.logs import LogLine
    from paas_platform.services.drains import DrainManager
    from paas_platform.services.tokens import TokenService

    TokenService(store).bootstrap(ADMIN_TOKEN)
    hub = make_log_hub(settings, store)
    early, late = SyslogReceiver(), SyslogReceiver()
    manager = DrainManager(store, hub)
    app = create_app(settings, store, log_hub=hub, drain_runner=manager)
    try:
        with TestClient(app) as client:
            client.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
            assert client.post("/apps", json={"name": "demo"}).status_code == 201
            with store.transaction(write=True) as tx:  # stored before the platform (re)started
                tx.logs.add_drain("demo", f"syslog://127.0.0.1:{early.port}",
                                  datetime.now(timezone.utc))
            assert manager.start() == 1
            added = client.post("/apps/demo/log-drains",
                                json={"url": f"syslog://127.0.0.1:{late.port}"})
            assert added.status_code == 201
            now = datetime.now(timezone.utc)
            hub.publish([LogLine("demo", now, "app", "web.1", "hello drains")])
            assert b"app web.1 - - hello drains" in early.wait_for(b"hello drains")
            assert b"app web.1 - - hello drains" in late.wait_for(b"hello drains")
            client.delete(f"/apps/demo/log-drains/{added.json()['id']}")
            assert [d.url for d in manager.running()] == [f"syslog://127.0.0.1:{early.port}"]
            assert client.delete("/apps/demo").status_code == 200  # its drains go with it
            assert manager.sync() == 0  # (the manager also does this every 10 s)
            assert manager.running() == []
    finally:
        manager.stop()
        hub.stop()
        early.close()
        late.close()
