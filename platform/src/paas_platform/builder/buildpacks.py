"""Getting buildpacks ready to copy into a build container: built-ins from the
buildpacks directory, third-party ones cloned from git (argv only, no prompts)."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path

from paas_platform.domain.buildpacks import BUILTIN_NAMES, BuildpackRef
from paas_platform.domain.errors import InvalidParams

CLONE_TIMEOUT = 300


class BuildpackUnavailable(InvalidParams):
    id = "buildpack_unavailable"


def builtin_dir(root: Path, name: str) -> Path:
    path = root / name
    if not (path / "bin" / "detect").is_file():
        raise BuildpackUnavailable(f"built-in buildpack {name} is missing from {root}")
    return path


def fetch(ref: BuildpackRef, builtins: Path, scratch: Path) -> tuple[str, Path]:
    """(name used inside the container, directory holding bin/)."""
    if ref.name:
        return ref.name, builtin_dir(builtins, ref.name)
    target = scratch / "buildpack"
    argv = ["git", "clone", "--quiet", "--depth", "1"]
    if ref.ref:
        argv += ["--branch", ref.ref]
    argv += ["--", ref.url, str(target)]
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true",
           # Only transports that fetch data; never ext:: or fd::.
           "GIT_ALLOW_PROTOCOL": "http:https:git:ssh:file"}
    try:
        result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=CLONE_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise BuildpackUnavailable(f"cloning buildpack {ref.url} timed out") from exc
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["git clone failed"])[-1]
        raise BuildpackUnavailable(f"could not fetch buildpack {ref.url}: {reason}")
    if not (target / "bin" / "compile").is_file() or not (target / "bin" / "detect").is_file():
        raise BuildpackUnavailable(f"{ref.url} is not a buildpack (no bin/detect and bin/compile)")
    return "custom", target


def auto_detect_order(builtins: Path) -> list[tuple[str, Path]]:
    return [(name, builtin_dir(builtins, name)) for name in BUILTIN_NAMES]


def pack_dirs(dirs: list[tuple[str, Path]]) -> io.BytesIO:
    """A tar of buildpack directories, each under its name, readable by the build user."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, path in dirs:
            tar.add(path, arcname=name, filter=_readable, recursive=True)
    buffer.seek(0)
    return buffer


def pack_env(config: dict[str, str]) -> io.BytesIO:
    """ENV_DIR: one file per config var, readable only by the build user."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for key, value in config.items():
            data = value.encode()
            info = tarfile.TarInfo(key)
            info.size, info.mode, info.uid, info.gid = len(data), 0o400, 1000, 1000
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


def _readable(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    if info.name.split("/")[-1] == ".git" or "/.git/" in f"/{info.name}/":
        return None
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mode = (info.mode | 0o444 | (0o111 if info.isdir() else 0)) & 0o755
    return info
