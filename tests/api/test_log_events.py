"""Build output, release phase and scaling in an app's log stream (fake build pipeline)."""

from tests.api.test_builds import build, client, pipeline, wait_done  # noqa: F401 (fixtures)


def log_lines(client, **params):
    response = client.get("/apps/demo/log-stream", params={"num": 1000, **params})
    assert response.status_code == 200
    return [line.split(" ", 1)[1] for line in response.text.splitlines() if line]


def test_build_release_phase_and_scale_events(client, pipeline):
    pipeline.process_types = {"web": "python app.py", "worker": "python w.py",
                              "release": "python migrate.py"}
    wait_done(client, build(client, headers={"Paas-Source-Version": "abcdef123456"}).json()["id"])
    scaled = client.patch("/apps/demo/formation", json={"updates": [
        {"type": "web", "quantity": 3}, {"type": "worker", "quantity": 1, "size": "basic"}]})
    assert scaled.status_code == 200
    lines = log_lines(client)
    for expected in (
        "platform[api]: Build started by admin",
        "platform[build]: -----> Fake app detected",
        "platform[api]: Build succeeded (started by admin)",
        "platform[api]: Release v2 created by admin: Deploy abcdef1",
        "platform[build]: -----> Running release command: python migrate.py",
        "app[release.2]: ran python migrate.py",
        "platform[api]: Scaled to web=3:standard-1x worker=1:basic by admin",
    ):
        assert expected in lines, expected
    # In that order, and the release phase's output is the release dyno's, not the build's.
    positions = [lines.index(e) for e in (
        "platform[api]: Build started by admin", "platform[build]: -----> Fake app detected",
        "app[release.2]: ran python migrate.py",
        "platform[api]: Scaled to web=3:standard-1x worker=1:basic by admin")]
    assert positions == sorted(positions)
    assert not any(l.endswith("ran python migrate.py") and "build" in l for l in lines)
    assert log_lines(client, dyno="release") == ["app[release.2]: ran python migrate.py"]


def test_failed_build_event(client, pipeline):
    pipeline.fail_with = "no Procfile"
    wait_done(client, build(client).json()["id"])
    lines = log_lines(client, source="platform")
    assert "platform[build]:  !     no Procfile" in lines
    assert "platform[api]: Build failed (started by admin)" in lines
