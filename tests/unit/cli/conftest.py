"""Fixtures for the CLI tests: a fake control plane behind httpx.MockTransport and a
runner that calls paas_cli.main.main() exactly as the console script does.

Nothing here touches the network: the Session handed to main() carries the mock transport,
and its environment is a plain dict rooted in tmp_path (HOME, netrc).
"""

import json
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from paas_cli.main import main
from paas_cli.session import Session

API_URL = "http://api.test:5000"
API_HOST = "api.test"
TOKEN = "test-token-123"


@dataclass
class RecordedRequest:
    method: str
    path: str  # raw, still percent-encoded
    body: Any  # decoded JSON, or None for other bodies
    headers: httpx.Headers
    content: bytes = b""


Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeApi:
    """Answers (method, path) with canned responses and records every request."""

    routes: dict[tuple[str, str], httpx.Response | Handler] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)

    def on(
        self,
        method: str,
        path: str,
        json_body: Any = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        text: str | None = None,
    ) -> None:
        if text is not None:
            response = httpx.Response(status, text=text, headers=headers)
        else:
            response = httpx.Response(status, json=json_body, headers=headers)
        self.routes[(method, path)] = response

    def on_request(self, method: str, path: str, handler: Handler) -> None:
        """Answer with `handler(request)`: for streamed bodies, made afresh on each call."""
        self.routes[(method, path)] = handler

    def handle(self, request: httpx.Request) -> httpx.Response:
        content = request.content
        is_json = request.headers.get("Content-Type", "").startswith("application/json")
        body = json.loads(content) if content and is_json else None
        path = request.url.raw_path.decode()
        self.requests.append(RecordedRequest(request.method, path, body, request.headers, content))
        response = self.routes.get((request.method, path))
        if response is None:
            return httpx.Response(
                404, json={"id": "not_found", "message": f"no route {request.method} {path}"}
            )
        return response if isinstance(response, httpx.Response) else response(request)

    @property
    def calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.requests]


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def fake_api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture
def environ(home: Path) -> dict[str, str]:
    """The environment main() sees; a token is set unless a test removes it."""
    return {"HOME": str(home), "PAAS_API_TOKEN": TOKEN}


@pytest.fixture
def workdir(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A current directory outside any git repository (so no remote names an app)."""
    directory = tmp_path / "work"
    directory.mkdir()
    monkeypatch.chdir(directory)
    # git must not read the developer's config either.
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return directory


@pytest.fixture
def run(fake_api: FakeApi, environ: dict[str, str], workdir: Path, capsys):
    """run("apps", "--json") -> Result, through main() with the fake API."""

    def run(*argv: str) -> Result:
        capsys.readouterr()  # drop anything printed before this call
        session = Session(
            api_url=API_URL, environ=environ, transport=httpx.MockTransport(fake_api.handle)
        )
        exit_code = main(list(argv), session=session)
        captured = capsys.readouterr()
        return Result(exit_code, captured.out, captured.err)

    return run


@pytest.fixture
def git_repo(workdir: Path) -> Path:
    """The current directory turned into a fresh git work tree."""
    subprocess.run(["git", "init", "-q", str(workdir)], check=True)
    return workdir


def git_remote_url(name: str) -> str | None:
    result = subprocess.run(["git", "remote", "get-url", name], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None


def app_json(name: str = "demo", **overrides: Any) -> dict:
    """An App as the API returns it."""
    app = {
        "id": "2f1a7c1e-0000-4000-8000-000000000001",
        "name": name,
        "created_at": "2026-11-20T10:00:00Z",
        "updated_at": "2026-11-23T23:50:01Z",
        "stack": "bookworm",
        "buildpack": None,
        "maintenance": False,
        "web_url": f"http://{name}.localhost:8080/",
        "git_url": f"http://127.0.0.1:5000/git/{name}.git",
        "released_at": "2026-11-23T23:50:01Z",
        "current_release": 3,
    }
    app.update(overrides)
    return app


def release_json(
    version: int,
    description: str,
    status: str = "succeeded",
    current: bool = False,
    build: str | None = "b-1",
    app: str = "demo",
) -> dict:
    """A Release as the API returns it."""
    return {
        "id": f"00000000-0000-4000-8000-{version:012d}",
        "version": version,
        "description": description,
        "status": status,
        "current": current,
        "created_at": f"2026-11-23T23:5{version}:01.123456+00:00",
        "user": "admin",
        "build": {"id": build} if build else None,
        "app": {"id": "2f1a7c1e-0000-4000-8000-000000000001", "name": app},
    }


def build_json(
    build_id: str = "0a1b2c3d-1111-4000-8000-000000000001",
    status: str = "succeeded",
    release_status: str | None = "succeeded",
    app: str = "demo",
    **overrides: Any,
) -> dict:
    """A Build as the API returns it; its release is v5 (None: the build made no release)."""
    release = None
    if release_status is not None:
        release = {"id": "r-5", "version": 5, "status": release_status}
    build = {
        "id": build_id,
        "app": {"id": "2f1a7c1e-0000-4000-8000-000000000001", "name": app},
        "status": status,
        "source_version": "4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70",
        "buildpack": "python",
        "process_types": {"web": "gunicorn app:app"},
        "image": {"id": "sha256:" + "ab" * 32, "size": 48213123},
        "release": release,
        "output_stream_url": f"/apps/{app}/builds/{build_id}/output",
        "created_at": "2026-11-23T23:50:01.123456+00:00",
        "updated_at": "2026-11-23T23:51:30.000000+00:00",
    }
    build.update(overrides)
    return build


def text_stream(chunks: Iterable[bytes]) -> httpx.Response:
    """A chunked `text/plain` answer; a generator's chunks are made as the client reads."""
    return httpx.Response(
        200, content=iter(chunks), headers={"Content-Type": "text/plain; charset=utf-8"}
    )
