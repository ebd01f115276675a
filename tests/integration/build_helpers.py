"""Helpers for build tests: make source trees, upload them, run a built image by hand."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import time
from pathlib import Path

import httpx

from tests.integration.conftest import TOKEN

FLASK_APP = {
    "app.py": (
        "import os\nfrom flask import Flask\napp = Flask(__name__)\n\n"
        "@app.get('/')\ndef index():\n    return f\"hello from {os.environ.get('DYNO')} "
        "{os.environ.get('GREETING', '')}\"\n"
    ),
    "requirements.txt": "flask==3.1.*\ngunicorn==23.*\n",
    "Procfile": "web: gunicorn --bind 0.0.0.0:$PORT app:app\nrelease: python -c \"print('release phase ran')\"\n",
}


def write_tree(root: Path, files: dict[str, str], executable: tuple[str, ...] = ()) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        if name in executable:
            path.chmod(0o755)
    return root


def tgz_of(root: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(root.rglob("*")):
            if ".git" not in path.relative_to(root).parts:
                tar.add(path, arcname=str(path.relative_to(root)), recursive=False)
    return buffer.getvalue()


def api(platform) -> httpx.Client:
    return httpx.Client(base_url=platform.url, headers={"Authorization": f"Bearer {TOKEN}"},
                        timeout=httpx.Timeout(30, read=900))


def upload_build(platform, app: str, body: bytes) -> tuple[dict, str]:
    """POST a source tarball, follow the output to the end; (final build, output)."""
    with api(platform) as client:
        response = client.post(f"/apps/{app}/builds", content=body,
                               headers={"Content-Type": "application/gzip"})
        assert response.status_code == 201, response.text
        build = response.json()
        output = client.get(build["output_stream_url"]).text
        return client.get(f"/apps/{app}/builds/{build['id']}").json(), output


def git(repo: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=900)


def commit_all(repo: Path, message: str = "deploy") -> None:
    if not (repo / ".git").exists():
        assert git(repo, "init", "-q", "-b", "main").returncode == 0
    git(repo, "add", "-A")
    result = git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q",
                 "-m", message)
    assert result.returncode == 0, result.stderr


def serve_image(engine, image: str, command: str, instance: str, env: dict | None = None):
    """Run the image's `command` like a web dyno; return (container, base URL)."""
    from paas_platform.runtime.engine import instance_labels

    container = engine.containers.run(
        image, [command], detach=True, environment={"PORT": "5000", "DYNO": "web.1", **(env or {})},
        ports={"5000/tcp": ("127.0.0.1", None)}, labels=instance_labels(instance, role="test"),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        container.reload()
        ports = container.attrs["NetworkSettings"]["Ports"].get("5000/tcp")
        if container.status == "exited":
            raise AssertionError(container.logs().decode())
        if ports:
            url = f"http://127.0.0.1:{ports[0]['HostPort']}"
            try:
                if httpx.get(url, timeout=2).status_code < 500:
                    return container, url
            except httpx.TransportError:
                pass
        time.sleep(0.3)
    raise AssertionError(f"image did not answer HTTP: {container.logs().decode()[-2000:]}")
