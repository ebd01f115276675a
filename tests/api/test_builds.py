"""Builds through the API with a fake pipeline: recording, releases, release phase,
refused uploads, output streaming. (The real pipeline is exercised in integration/.)"""

import io
import tarfile
import threading

import pytest
from fastapi.testclient import TestClient

from paas_platform.api import create_app
from paas_platform.builder.slug_build import BuildFailed
from paas_platform.domain.builds import BuildResult
from tests.conftest import ADMIN_TOKEN


class FakePipeline:
    """Builds instantly; what it returns and says is set per test."""

    def __init__(self, scratch_dir):
        self.scratch_dir = scratch_dir
        self.process_types = {"web": "python app.py"}
        self.fail_with = None
        self.release_exit = 0
        self.seen = []
        self.purged = []
        self.gate = None

    def build(self, app, build_id, source, config, buildpack, say):
        self.seen.append((app, sorted(source.top_level), dict(config), buildpack))
        say("-----> Fake app detected")
        if self.gate:
            self.gate.wait(10)
        if self.fail_with:
            raise BuildFailed(self.fail_with)
        return BuildResult("python", dict(self.process_types), "sha256:abc", f"x/{app}:b", 1234)

    def run_release_phase(self, app, version, image, command, config, slug_image, say):
        say(f"ran {command}")
        return self.release_exit, False

    def purge_cache(self, app):
        self.purged.append(app)
        return True


@pytest.fixture
def pipeline(tmp_path):
    return FakePipeline(tmp_path / "scratch")


@pytest.fixture
def client(settings, store, pipeline):
    from paas_platform.services.tokens import TokenService

    TokenService(store).bootstrap(ADMIN_TOKEN)
    with TestClient(create_app(settings, store, pipeline=pipeline)) as c:
        c.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
        assert c.post("/apps", json={"name": "demo"}).status_code == 201
        yield c


def tgz(files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


APP = tgz({"Procfile": b"web: python app.py\n", "app.py": b"print(1)\n"})


def build(client, body=APP, headers=None):
    response = client.post("/apps/demo/builds", content=body,
                           headers={"Content-Type": "application/gzip", **(headers or {})})
    return response


def wait_done(client, build_id):
    output = client.get(f"/apps/demo/builds/{build_id}/output").text
    return client.get(f"/apps/demo/builds/{build_id}").json(), output


def test_successful_build_records_image_and_releases(client, pipeline):
    response = build(client, headers={"Paas-Source-Version": "A1B2C3D4E5F6"})
    assert response.status_code == 201
    created = response.json()
    assert created["status"] in ("pending", "succeeded")
    info, output = wait_done(client, created["id"])
    assert info["status"] == "succeeded"
    assert info["image"] == {"id": "sha256:abc", "size": 1234}
    assert info["process_types"] == {"web": "python app.py"}
    assert info["source_version"] == "a1b2c3d4e5f6"
    assert info["release"]["version"] == 2 and info["release"]["status"] == "succeeded"
    assert "-----> Fake app detected" in output and "-----> Released v2" in output
    release = client.get("/apps/demo/releases/2").json()
    assert release["description"] == "Deploy a1b2c3d"
    assert release["build"] == {"id": created["id"]}
    assert pipeline.seen[0][1] == ["Procfile", "app.py"]
    # Output is kept after the build ends.
    assert client.get(f"/apps/demo/builds/{created['id']}/output").text == output


def test_config_change_after_deploy_keeps_the_build(client):
    created = build(client).json()
    wait_done(client, created["id"])
    client.patch("/apps/demo/config-vars", json={"A": "1"})
    assert client.get("/apps/demo/releases/3").json()["build"] == {"id": created["id"]}


def test_a_deployed_app_does_not_roll_back_to_before_its_first_deploy(client):
    created = build(client).json()
    wait_done(client, created["id"])
    before = client.get("/apps/demo/releases").json()
    refused = client.post("/apps/demo/releases", json={"release": "v1"})
    assert refused.status_code == 409, refused.text
    assert "no build" in refused.json()["message"]
    assert client.get("/apps/demo/releases").json() == before  # nothing appended


def test_failed_build_makes_no_release(client, pipeline):
    pipeline.fail_with = "compile failed (bin/compile exited 1)"
    info, output = wait_done(client, build(client).json()["id"])
    assert info["status"] == "failed" and info["release"] is None and info["image"] is None
    assert " !     compile failed (bin/compile exited 1)" in output
    assert [r["version"] for r in client.get("/apps/demo/releases").json()] == [1]


def test_failed_release_phase_marks_release_failed_and_keeps_current(client, pipeline):
    pipeline.process_types = {"web": "python app.py", "release": "python migrate.py"}
    first = wait_done(client, build(client).json()["id"])[0]
    assert first["release"]["status"] == "succeeded"
    pipeline.release_exit = 1
    info, output = wait_done(client, build(client).json()["id"])
    assert info["status"] == "succeeded"
    assert info["release"] == {"id": info["release"]["id"], "version": 3, "status": "failed"}
    assert "ran python migrate.py" in output and "v3 failed" in output
    assert client.get("/apps/demo").json()["current_release"] == 2


def test_config_reaches_the_builder(client, pipeline):
    client.patch("/apps/demo/config-vars", json={"SECRET": "s3cr3t"})
    client.patch("/apps/demo", json={"buildpack": "procfile"})
    wait_done(client, build(client).json()["id"])
    app, _, config, buildpack = pipeline.seen[0]
    assert config == {"SECRET": "s3cr3t"}
    assert buildpack.name == "procfile"


def test_buildpack_url_config_var_selects_the_buildpack(client, pipeline):
    client.patch("/apps/demo/config-vars", json={"BUILDPACK_URL": "https://example.com/bp.git#v3"})
    wait_done(client, build(client).json()["id"])
    buildpack = pipeline.seen[0][3]
    assert (buildpack.url, buildpack.ref) == ("https://example.com/bp.git", "v3")


@pytest.mark.parametrize("body,headers,message", [
    (b"", {}, "no source archive"),
    (b"not a tarball", {}, "not a readable tar"),
    (tgz({"../escape": b"x"}), {}, "'..'"),
    (APP, {"Paas-Source-Version": "not-hex!"}, "commit id"),
])
def test_refused_uploads_record_nothing(client, pipeline, body, headers, message):
    response = build(client, body, headers)
    assert response.status_code == 422
    assert response.json()["id"] == "invalid_source"
    assert message in response.json()["message"]
    assert client.get("/apps/demo/builds").json() == []
    assert pipeline.seen == []
    assert not any(pipeline.scratch_dir.iterdir()) if pipeline.scratch_dir.exists() else True


def test_upload_over_the_cap_is_refused(settings, store, pipeline):
    from dataclasses import replace

    from paas_platform.services.tokens import TokenService

    TokenService(store).bootstrap(ADMIN_TOKEN)
    small = replace(settings, max_source_bytes=1024)
    with TestClient(create_app(small, store, pipeline=pipeline)) as c:
        c.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
        c.post("/apps", json={"name": "demo"})
        response = build(c, b"\x1f\x8b" + b"x" * 5000)
    assert response.status_code == 422
    assert "upload limit" in response.json()["message"]


def test_one_build_at_a_time_per_app(client, pipeline):
    pipeline.gate = threading.Event()
    first = build(client).json()
    second = build(client)
    assert second.status_code == 409
    pipeline.gate.set()
    assert wait_done(client, first["id"])[0]["status"] == "succeeded"


def test_unknown_app_and_build(client):
    assert client.post("/apps/nosuch/builds", content=APP).status_code == 404
    assert client.get("/apps/demo/builds/nope").status_code == 404
    assert client.get("/apps/demo/builds/00000000-0000-4000-8000-000000000000").status_code == 404


@pytest.mark.parametrize("value,status", [
    ("python", 200), ("https://github.com/heroku/heroku-buildpack-python.git", 200),
    ("file:///srv/bp.git#v2", 200), ("ext::sh -c touch% /tmp/pwned", 422), ("ruby", 422),
    ("", 422), (None, 200),
])
def test_buildpack_setting(client, value, status):
    response = client.patch("/apps/demo", json={"buildpack": value})
    assert response.status_code == status, response.text
    if status == 200:
        assert client.get("/apps/demo").json()["buildpack"] == value


def test_cache_purge(client, pipeline):
    assert client.delete("/apps/demo/build-cache").status_code == 204
    assert pipeline.purged == ["demo"]
    assert client.delete("/apps/nosuch/build-cache").status_code == 404


def test_destroy_removes_builds(client):
    wait_done(client, build(client).json()["id"])
    assert client.delete("/apps/demo").status_code == 200
    assert client.post("/apps", json={"name": "demo"}).status_code == 201
    assert client.get("/apps/demo/builds").json() == []
