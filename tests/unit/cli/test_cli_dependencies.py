"""Installing ./cli alone must not drag in the control plane's heavy dependencies."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
CLI_DIR = REPO_ROOT / "cli"
FORBIDDEN = ["docker", "fastapi", "sqlalchemy", "uvicorn"]


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _reachable_from(lock: dict, root: str) -> set[str]:
    """Every package `root` needs, transitively, according to uv.lock (extras included)."""
    packages = {_normalise(p["name"]): p for p in lock["package"]}
    seen: set[str] = set()
    pending = [_normalise(root)]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        package = packages[name]
        dependencies = list(package.get("dependencies", []))
        for extra in package.get("optional-dependencies", {}).values():
            dependencies += extra
        pending += [_normalise(d["name"]) for d in dependencies]
    return seen


def test_lock_file_closure_of_paas_cli_excludes_platform_dependencies():
    lock = tomllib.loads((REPO_ROOT / "uv.lock").read_text())

    reachable = _reachable_from(lock, "paas-cli")

    assert {"typer", "httpx", "rich"} <= reachable  # the walk really followed the graph
    assert reachable.isdisjoint(FORBIDDEN), reachable & set(FORBIDDEN)


@pytest.mark.integration
def test_installing_cli_alone_gives_working_paas_without_platform_dependencies(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run(["uv", "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        ["uv", "pip", "install", "--quiet", "--python", str(python), str(CLI_DIR)], check=True
    )

    probe = (
        "import importlib.util as u, sys; print(sorted(n for n in sys.argv[1:] if u.find_spec(n)))"
    )
    found = subprocess.run(
        [str(python), "-c", probe, *FORBIDDEN], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == "[]"
    version = subprocess.run(
        [str(venv / "bin" / "paas"), "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("paas-cli ")
