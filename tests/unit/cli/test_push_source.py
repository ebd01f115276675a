"""paas push --source DIR: the uploaded tarball, the streamed output, the exit status."""

import io
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from paas_cli import source_archive
from paas_cli.source_archive import write_archive

from .conftest import build_json, text_stream

BUILD_ID = "0a1b2c3d-1111-4000-8000-000000000001"
OUTPUT = b"-----> Python app detected\n-----> Launching...\n       Released v5\n"


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    """An app directory with an executable, a symlink and git metadata (to be left out)."""
    directory = tmp_path / "src"
    (directory / "bin").mkdir(parents=True)
    (directory / "app.py").write_text("print('hi')\n")
    (directory / "Procfile").write_text("web: python app.py\n")
    (directory / "bin" / "start").write_text("#!/bin/sh\n")
    (directory / "bin" / "start").chmod(0o755)
    (directory / "main.py").symlink_to("app.py")
    (directory / "vendor" / "lib" / ".git").mkdir(parents=True)  # a vendored checkout
    (directory / "vendor" / "lib" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (directory / "vendor" / "lib" / "lib.py").write_text("")
    return directory


def deploy_answers(fake_api, final: dict) -> None:
    """The API's side of an upload: 201 pending, the output stream, then `final`."""
    pending = build_json(BUILD_ID, status="pending", release_status=None)
    fake_api.on("POST", "/apps/demo/builds", pending, status=201)
    fake_api.on_request(
        "GET", f"/apps/demo/builds/{BUILD_ID}/output", lambda request: text_stream([OUTPUT])
    )
    fake_api.on("GET", f"/apps/demo/builds/{BUILD_ID}", final)


def uploaded(fake_api) -> tarfile.TarFile:
    return tarfile.open(fileobj=io.BytesIO(fake_api.requests[0].content), mode="r:gz")


def test_upload_deploys_and_streams_output(run, fake_api, app_dir):
    deploy_answers(fake_api, build_json(BUILD_ID))

    result = run("push", "--source", str(app_dir), "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == OUTPUT.decode()
    assert fake_api.calls == [
        ("POST", "/apps/demo/builds"),
        ("GET", f"/apps/demo/builds/{BUILD_ID}/output"),
        ("GET", f"/apps/demo/builds/{BUILD_ID}"),
    ]
    assert result.stderr.startswith(f"Uploading {app_dir} to demo... done (")


def test_uploaded_tarball(run, fake_api, app_dir):
    deploy_answers(fake_api, build_json(BUILD_ID))

    run("push", "--source", str(app_dir), "-a", "demo")

    request = fake_api.requests[0]
    assert request.headers["Content-Type"] == "application/gzip"
    assert request.headers["Content-Length"] == str(len(request.content))
    members = {m.name: m for m in uploaded(fake_api).getmembers()}
    assert sorted(members) == [
        "Procfile", "app.py", "bin", "bin/start", "main.py", "vendor", "vendor/lib",
        "vendor/lib/lib.py",
    ]  # fmt: skip
    assert members["main.py"].issym() and members["main.py"].linkname == "app.py"
    assert members["bin/start"].mode & 0o777 == 0o755
    assert members["app.py"].mode & 0o111 == 0
    assert uploaded(fake_api).extractfile("Procfile").read() == b"web: python app.py\n"


def test_source_version_is_the_directorys_commit(run, fake_api, app_dir):
    identity = ["-c", "user.name=T", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", str(app_dir)], check=True)
    subprocess.run(["git", "-C", str(app_dir), "add", "app.py"], check=True)
    subprocess.run(["git", "-C", str(app_dir), *identity, "commit", "-qm", "x"], check=True)
    sha = subprocess.run(
        ["git", "-C", str(app_dir), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    deploy_answers(fake_api, build_json(BUILD_ID))

    run("push", "--source", str(app_dir), "-a", "demo")

    assert fake_api.requests[0].headers["Paas-Source-Version"] == sha
    assert not any(name.startswith(".git") for name in uploaded(fake_api).getnames())


def test_no_source_version_outside_git(run, fake_api, app_dir):
    deploy_answers(fake_api, build_json(BUILD_ID))

    run("push", "--source", str(app_dir), "-a", "demo")

    assert "Paas-Source-Version" not in fake_api.requests[0].headers


@pytest.mark.parametrize(
    ("final", "error"),
    [
        (build_json(BUILD_ID, status="failed", release_status=None), "Error: build failed\n"),
        (build_json(BUILD_ID, release_status="failed"), "Error: release v5 failed\n"),
    ],
)
def test_failed_deploy_exits_1_after_the_output(run, fake_api, app_dir, final, error):
    deploy_answers(fake_api, final)

    result = run("push", "--source", str(app_dir), "-a", "demo")

    assert result.exit_code == 1
    assert result.stdout == OUTPUT.decode()  # the output says why; it is shown in full
    assert result.stderr.endswith(error)
    assert result.stderr.count("Error:") == 1


def test_upload_refused_by_server(run, fake_api, app_dir):
    refusal = {"id": "invalid_source", "message": "tarball member ../x escapes the root"}
    fake_api.on("POST", "/apps/demo/builds", refusal, status=422)

    result = run("push", "--source", str(app_dir), "-a", "demo")

    assert (result.exit_code, result.stderr) == (1, f"Error: {refusal['message']}\n")
    assert fake_api.calls == [("POST", "/apps/demo/builds")]


def test_missing_directory_makes_no_request(run, fake_api, tmp_path):
    missing = tmp_path / "nope"

    result = run("push", "--source", str(missing), "-a", "demo")

    assert (result.exit_code, result.stderr) == (1, f"Error: {missing} is not a directory\n")
    assert fake_api.requests == []


@pytest.mark.parametrize("git_option", [["--force"], ["--branch", "main"]])
def test_source_with_git_options_is_refused(run, fake_api, app_dir, git_option):
    result = run("push", "--source", str(app_dir), "-a", "demo", *git_option)

    assert result.exit_code == 1
    assert "--force and --branch are for git pushes" in result.stderr
    assert fake_api.requests == []


def test_archive_leaves_out_special_files(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("")
    os.mkfifo(tmp_path / "src" / "pipe")
    archive = io.BytesIO()

    write_archive(tmp_path / "src", archive)

    archive.seek(0)
    assert tarfile.open(fileobj=archive, mode="r:gz").getnames() == ["app.py"]


def test_unreadable_file_is_a_clear_error(run, fake_api, app_dir, monkeypatch):
    secret = app_dir / "secret.txt"

    def unreadable(directory, fileobj):
        raise PermissionError(13, "Permission denied", str(secret))

    # Simulated: these tests may run as root, who can read every file.
    monkeypatch.setattr(source_archive, "write_archive", unreadable)

    result = run("push", "--source", str(app_dir), "-a", "demo")

    assert result.stderr == f"Error: cannot pack {secret}: Permission denied\n"
    assert fake_api.requests == []
