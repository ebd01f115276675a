"""Builds with the real Docker Engine, through the builds API (git pushes: test_git_deploy)."""

import pytest

from tests.integration.build_helpers import (
    FLASK_APP, api, commit_all, serve_image, tgz_of, upload_build, write_tree,
)

pytestmark = pytest.mark.integration


def create_app(platform, name="demo"):
    with api(platform) as client:
        assert client.post("/apps", json={"name": name}).status_code == 201


def test_flask_app_builds_releases_and_serves(deploy_platform, engine, tmp_path):
    create_app(deploy_platform)
    build, output = upload_build(deploy_platform, "demo", tgz_of(write_tree(tmp_path / "src", FLASK_APP)))
    assert build["status"] == "succeeded", output
    assert "-----> Python app detected" in output
    assert "release phase ran" in output
    assert build["release"]["status"] == "succeeded" and build["release"]["version"] == 2
    assert build["buildpack"] == "python"
    assert build["process_types"]["web"].startswith("gunicorn")
    assert build["image"]["size"] > 0
    image = engine.images.get(build["image"]["id"])
    assert image.labels["io.paas.instance"] == deploy_platform.instance
    assert image.attrs["Config"]["User"] == "1000:1000"
    _, url = serve_image(engine, build["image"]["id"], build["process_types"]["web"],
                         deploy_platform.instance, {"GREETING": "hi"})
    import httpx

    assert httpx.get(url).text == "hello from web.1 hi"
    # The buildpack cache is a labelled per-app volume; purging removes it.
    volume = f"{deploy_platform.instance}-demo-build-cache"
    assert engine.volumes.get(volume).attrs["Labels"]["io.paas.app"] == "demo"
    with api(deploy_platform) as client:
        assert client.delete("/apps/demo/build-cache").status_code == 204
    assert volume not in [v.name for v in engine.volumes.list()]


def test_procfile_error_fails_the_build_naming_the_line(deploy_platform, tmp_path):
    create_app(deploy_platform)
    src = write_tree(tmp_path / "src", {"Procfile": "web: ./run\nweb: ./other\n", "run": "x"})
    build, output = upload_build(deploy_platform, "demo", tgz_of(src))
    assert build["status"] == "failed"
    assert "Procfile line 2: duplicate process type web" in output
    with api(deploy_platform) as client:
        assert [r["version"] for r in client.get("/apps/demo/releases").json()] == [1]


def test_failed_compile_and_failed_release_phase_keep_the_current_release(deploy_platform, tmp_path):
    create_app(deploy_platform)
    good = write_tree(tmp_path / "good", {"Procfile": "web: python3 -m http.server $PORT\n"})
    assert upload_build(deploy_platform, "demo", tgz_of(good))[0]["release"]["version"] == 2
    broken = write_tree(tmp_path / "broken", {"requirements.txt": "no-such-package-paas-xyz==9.9\n",
                                              "Procfile": "web: python app.py\n"})
    build, output = upload_build(deploy_platform, "demo", tgz_of(broken))
    assert build["status"] == "failed" and build["release"] is None
    assert "compile failed" in output
    failing = write_tree(tmp_path / "failing", {"Procfile": "web: python3 -m http.server\nrelease: exit 1\n"})
    build, output = upload_build(deploy_platform, "demo", tgz_of(failing))
    assert build["release"]["status"] == "failed"
    with api(deploy_platform) as client:
        assert client.get("/apps/demo").json()["current_release"] == 2
        statuses = [(r["version"], r["status"]) for r in client.get("/apps/demo/releases").json()]
    assert statuses == [(1, "succeeded"), (2, "succeeded"), (3, "failed")]


def test_dockerfile_build(deploy_platform, engine, tmp_path, stack_images):
    create_app(deploy_platform)
    run_image = stack_images.split("run image ")[1].strip()
    src = write_tree(tmp_path / "src", {
        "Dockerfile": f"FROM {run_image}\nCOPY index.html /srv/\nCMD [\"python3\", \"-m\", \"http.server\", \"5000\", \"-d\", \"/srv\"]\n",
        "index.html": "from a Dockerfile",
    })
    build, output = upload_build(deploy_platform, "demo", tgz_of(src))
    assert build["status"] == "succeeded", output
    assert build["buildpack"] == "dockerfile"
    assert build["process_types"] == {"web": ""}
    container = engine.containers.run(build["image"]["id"], detach=True,
                                      ports={"5000/tcp": ("127.0.0.1", None)},
                                      labels={"io.paas.instance": deploy_platform.instance})
    import time

    import httpx

    for _ in range(100):
        container.reload()
        ports = container.attrs["NetworkSettings"]["Ports"].get("5000/tcp")
        try:
            if ports and httpx.get(f"http://127.0.0.1:{ports[0]['HostPort']}/index.html").text == "from a Dockerfile":
                break
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    else:
        pytest.fail("the Dockerfile image did not serve its file")


def test_third_party_buildpack_from_a_local_git_url(deploy_platform, tmp_path):
    """A classic buildpack as Heroku would run it: detect, compile with ENV_DIR, release YAML."""
    bp = write_tree(tmp_path / "bp", {
        "bin/detect": "#!/bin/sh\n[ -f \"$1/hello.txt\" ] && echo Hello || exit 1\n",
        "bin/compile": "#!/bin/sh\nset -e\necho \"-----> Hello buildpack compiling\"\n"
                       "printf '%s' \"$(cat \"$3/GREETING\")\" > \"$1/greeting.out\"\n"
                       "mkdir -p \"$1/.profile.d\"\necho 'export HELLO_READY=1' > \"$1/.profile.d/hello.sh\"\n",
        "bin/release": "#!/bin/sh\ncat <<YAML\n---\ndefault_process_types:\n  web: cat greeting.out\nYAML\n",
    }, executable=("bin/detect", "bin/compile", "bin/release"))
    commit_all(bp)
    create_app(deploy_platform)
    with api(deploy_platform) as client:
        client.patch("/apps/demo/config-vars", json={"GREETING": "bonjour"})
        assert client.patch("/apps/demo", json={"buildpack": f"file://{bp}"}).status_code == 200
    build, output = upload_build(deploy_platform, "demo", tgz_of(write_tree(tmp_path / "src", {"hello.txt": "x"})))
    assert build["status"] == "succeeded", output
    assert "-----> Hello app detected" in output and "Hello buildpack compiling" in output
    assert build["process_types"] == {"web": "cat greeting.out"}
    assert "bonjour" not in output  # config values never reach build output


def test_build_time_limit_kills_the_build(tmp_path, stack_images, engine):
    from tests.integration.conftest import TOKEN, _platform_env, remove_instance_objects
    from tests.integration.platform_process import PlatformProcess

    bp = write_tree(tmp_path / "bp", {
        "bin/detect": "#!/bin/sh\necho Slow\n",
        "bin/compile": "#!/bin/sh\necho starting; sleep 600\n",
        "bin/release": "#!/bin/sh\necho '--- {}'\n",
    }, executable=("bin/detect", "bin/compile", "bin/release"))
    commit_all(bp)
    process = PlatformProcess(tmp_path / "data", {
        "PAAS_BOOTSTRAP_TOKEN": TOKEN, "PAAS_INSTANCE": "tslowbuild", "PAAS_BUILD_TIMEOUT": "5",
        **_platform_env(),
    }).start()
    try:
        create_app(process)
        with api(process) as client:
            client.patch("/apps/demo", json={"buildpack": f"file://{bp}"})
        build, output = upload_build(process, "demo", tgz_of(write_tree(tmp_path / "src", {"a": "b"})))
        assert build["status"] == "failed"
        assert "timed out" in output
        # The build container is gone (the platform's router container stays, of course).
        assert engine.containers.list(all=True, filters={"label": [
            "io.paas.instance=tslowbuild", "io.paas.role=build"]}) == []
    finally:
        process.stop()
        remove_instance_objects(engine, "tslowbuild")


def test_path_traversal_upload_writes_nothing_outside(deploy_platform, tmp_path):
    import io
    import tarfile

    target = tmp_path / "escaped.txt"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("../" * 12 + str(target).lstrip("/"))
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    create_app(deploy_platform)
    with api(deploy_platform) as client:
        response = client.post("/apps/demo/builds", content=buffer.getvalue(),
                               headers={"Content-Type": "application/gzip"})
        assert response.status_code == 422
        assert client.get("/apps/demo/builds").json() == []
    assert not target.exists()
