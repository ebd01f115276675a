"""What bin/compile needs to know about an app's dependency files, read without
running anything of the app's. Run with the stack's python3 (tomllib is stdlib).

    depinfo.py key-files BUILD_DIR INSTALLER    files whose contents key the venv cache
    depinfo.py own-package BUILD_DIR INSTALLER  "yes" when the install includes the app's
                                                own code (so a cached venv is stale), or "no"
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

# -r/-c (and long forms) pull in further files, which must key the cache too.
INCLUDE = re.compile(r"^(?:-r|-c|--requirement|--constraint)\s*=?\s*(\S+)")
EDITABLE = re.compile(r"^(?:-e|--editable)\s*=?\s*")
LOCAL_PREFIXES = (".", "/", "~", "file:")


def requirement_lines(path: Path):
    """Logical lines: comments dropped, backslash continuations joined."""
    text = re.sub(r"\\\n", " ", path.read_text(errors="replace"))
    for line in text.splitlines():
        line = re.sub(r"(^|\s)#.*", "", line).strip()
        if line:
            yield line


def requirement_files(build_dir: Path, name: str) -> list[Path]:
    """requirements.txt and every file it includes that lies inside the app."""
    seen: list[Path] = []
    pending = [build_dir / name]
    while pending:
        path = pending.pop().resolve()
        if path in seen or not path.is_file() or not path.is_relative_to(build_dir):
            continue
        seen.append(path)
        for line in requirement_lines(path):
            include = INCLUDE.match(line)
            if include:
                pending.append(path.parent / include.group(1))
    return seen


def installs_local_path(files: list[Path]) -> bool:
    for path in files:
        for line in requirement_lines(path):
            target = EDITABLE.sub("", line)
            if target.startswith(LOCAL_PREFIXES) or " @ file:" in target:
                return True
    return False


def is_package(build_dir: Path) -> bool:
    """A pyproject.toml with a build backend is installed itself, not just its deps."""
    try:
        data = tomllib.loads((build_dir / "pyproject.toml").read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return "build-system" in data


def key_files(build_dir: Path, installer: str) -> list[Path]:
    if installer == "pip-requirements":
        return requirement_files(build_dir, "requirements.txt")
    names = {"uv-lock": ["pyproject.toml", "uv.lock"], "uv-pyproject": ["pyproject.toml"],
             "pip-setup": ["setup.py", "setup.cfg", "pyproject.toml"]}[installer]
    return [build_dir / n for n in names if (build_dir / n).is_file()]


def own_package(build_dir: Path, installer: str) -> bool:
    if installer == "pip-setup":
        return True
    if installer == "pip-requirements":
        return installs_local_path(key_files(build_dir, installer))
    return is_package(build_dir)


def main(argv: list[str]) -> int:
    command, build_dir, installer = argv[1], Path(argv[2]).resolve(), argv[3]
    if command == "key-files":
        for path in key_files(build_dir, installer):
            print(path.relative_to(build_dir))
        return 0
    if command == "own-package":
        print("yes" if own_package(build_dir, installer) else "no")
        return 0
    print(f"depinfo.py: unknown command {command}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
