"""/apps/{app}/log-stream through the API: history, filters, errors, and a live tail."""

import threading

import pytest

from paas_platform.domain.logs import LogLine, LogQuery


@pytest.fixture
def demo(api):
    assert api.post("/apps", json={"name": "demo"}).status_code == 201
    return api.app.state.services.logs


def stream(api, **params):
    response = api.get("/apps/demo/log-stream", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return [line for line in response.text.split("\n") if line]


def test_platform_events_without_values(api, demo):
    canary = "canary-value-5d41402abc4b2a76"
    assert api.patch("/apps/demo/config-vars", json={"FOO": canary, "BAR": "x"}).status_code == 200
    assert api.patch("/apps/demo/config-vars", json={"BAR": None}).status_code == 200
    lines = stream(api)
    assert any(" platform[api]: App demo created by admin" in l for l in lines)
    assert any(l.endswith("platform[api]: Set FOO, BAR config vars by admin") for l in lines)
    assert any(l.endswith("platform[api]: Release v2 created by admin: Set FOO, BAR config vars")
               for l in lines)
    assert any(l.endswith("platform[api]: Unset BAR config var by admin") for l in lines)
    assert not any(canary in l for l in lines)


def test_num_dyno_and_source_filters(api, demo):
    from datetime import datetime, timedelta, timezone

    base = datetime.now(timezone.utc) - timedelta(minutes=30)
    demo.publish([LogLine("demo", base + timedelta(seconds=i), "app", f"web.{i % 2 + 1}", f"n{i}")
                  for i in range(6)])
    assert [l.split(": ", 1)[1] for l in stream(api, num=2, source="app")] == ["n4", "n5"]
    assert [l.split(": ", 1)[1] for l in stream(api, dyno="web.2")] == ["n1", "n3", "n5"]
    assert all("app[web." in l for l in stream(api, dyno="web"))
    assert all(" platform[" in l for l in stream(api, source="platform"))
    assert stream(api, source="app", since="10m") == []
    assert len(stream(api, source="app", until="10m")) == 6


@pytest.mark.parametrize("params", [
    {"num": "0"}, {"num": "many"}, {"source": "router"}, {"dyno": "WEB 1"},
    {"since": "yesterday"}, {"until": "5x"}, {"since": "1m", "until": "1h"}, {"tail": "maybe"},
])
def test_bad_parameters_are_422(api, demo, params):
    response = api.get("/apps/demo/log-stream", params=params)
    assert response.status_code == 422
    assert response.json()["id"] == "invalid_params" and response.json()["message"]


def test_unknown_app_is_404(api):
    response = api.get("/apps/nope/log-stream")
    assert response.status_code == 404 and response.json()["id"] == "not_found"


def test_needs_a_token(api, demo):
    response = api.get("/apps/demo/log-stream", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401


def test_tail_sends_history_then_live_lines(api, demo):
    from datetime import datetime, timezone

    demo.publish([LogLine("demo", datetime.now(timezone.utc), "app", "web.1", "before")])

    def then_publish():
        # Once the tail has subscribed, a live line arrives, then the hub stops (the
        # test client returns only when the stream ends).
        while not demo.reader_count("demo"):
            threading.Event().wait(0.01)
        demo.publish([LogLine("demo", datetime.now(timezone.utc), "app", "worker.1", "live")])
        demo.stop()

    helper = threading.Thread(target=then_publish)
    helper.start()
    lines = stream(api, tail="true", source="app")
    helper.join()
    assert [l.split(" ", 1)[1] for l in lines] == ["app[web.1]: before", "app[worker.1]: live"]


def test_destroying_an_app_drops_its_lines(api, demo):
    assert api.delete("/apps/demo").status_code == 200
    assert api.post("/apps", json={"name": "demo"}).status_code == 201
    lines = stream(api)
    assert all("Release v1 created" in l or "App demo created" in l for l in lines)
    assert len(demo.history("demo", LogQuery())) == len(lines) == 2


def test_more_platform_events(api, demo):
    assert api.patch("/apps/demo", json={"maintenance": True}).status_code == 200
    assert api.patch("/apps/demo", json={"maintenance": False}).status_code == 200
    assert api.post("/apps/demo/domains", json={"hostname": "www.example.com"}).status_code == 201
    assert api.delete("/apps/demo/domains/www.example.com").status_code == 200
    assert api.post("/apps/demo/releases", json={"release": "v1"}).status_code == 201
    events = [l.split(" platform[api]: ", 1)[1] for l in stream(api, source="platform")]
    assert events[-5:] == [
        "Maintenance mode on by admin", "Maintenance mode off by admin",
        "Domain www.example.com added by admin", "Domain www.example.com removed by admin",
        "Release v2 created by admin: Rollback to v1",
    ]
