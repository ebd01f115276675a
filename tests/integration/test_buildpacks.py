"""The built-in buildpacks (buildpacks/), run as the platform runs them: classic
buildpack API v2 steps in a container from the stack's build image, as uid 1000,
with the app at /app, a cache at /cache and config files in /env; the slug then
runs on the stack's run image through the dyno launcher.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from paas_platform.runtime.engine import EngineUnavailable, connect, instance_labels
from tests.conftest import require_real_part

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILDPACKS = REPO_ROOT / "buildpacks"
STACK = "bookworm"
LABELS = instance_labels("test-buildpacks")
UID = 1000
EXIT_MARK = "paas-test-exit-code:"

FLASK_APP = """from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello from paas\\n"
"""
# Serve the slug with gunicorn and fetch a page from it, all inside one dyno container.
SERVE_AND_FETCH = (
    "gunicorn --bind 127.0.0.1:5000 app:app & "
    "for i in $(seq 100); do curl -fsS 127.0.0.1:5000/ && exit 0; sleep 0.1; done; exit 1"
)


@dataclass
class Result:
    exit_code: int
    output: str


@pytest.fixture(scope="session")
def engine():
    try:
        client = connect()
    except EngineUnavailable as exc:
        require_real_part("Docker Engine", exc.message)
    yield client
    client.close()


@pytest.fixture(scope="session")
def stack(engine, tmp_path_factory):
    """The stack images, with the CA bundle pip needs here; ensure() is idempotent and
    costs a few inspections when they exist (their tags carry a digest of the settings)."""
    from paas_platform.builder.stack import StackBuilder
    from paas_platform.runtime.images import DockerImages

    ca = Path(os.environ.get("PAAS_EXTRA_CA_CERTS", "/etc/ssl/certs/ca-certificates.crt"))
    return StackBuilder(DockerImages(engine), STACK, tmp_path_factory.mktemp("stack"),
                        ca if ca.is_file() else None).ensure()


def run(engine, image: str, argv: list[str], mounts: dict[Path, tuple[str, str]],
        environment: dict[str, str] | None = None) -> Result:
    """Run argv in a throwaway (--rm) container as uid 1000 and return its output.

    An auto-removed container may be gone before its exit code can be asked for, so
    a wrapper prints the code as the last line of the output instead (stderr joins
    stdout in the container, so the two keep their order and the code comes last).
    """
    wrapped = ["bash", "-c", f'exec 2>&1; "$@"; echo "{EXIT_MARK}$?"', "step", *argv]
    container = engine.containers.create(
        image, wrapped, user=f"{UID}:{UID}", environment=environment or {}, labels=LABELS,
        volumes={str(host): {"bind": bind, "mode": mode} for host, (bind, mode) in mounts.items()},
        auto_remove=True,
    )
    stream = container.attach(stdout=True, stderr=True, stream=True, logs=True)
    container.start()
    text = b"".join(stream).decode(errors="replace")
    output, mark, code = text.rstrip("\n").rpartition(EXIT_MARK)
    assert mark, f"the container ended without an exit code:\n{text}"
    return Result(int(code), output)


def give_to_builder(*paths: Path) -> None:
    """Make host paths writable by the build user (uid 1000) inside containers."""
    for top in paths:
        for path in [top, *top.rglob("*")]:
            if os.geteuid() == 0:
                os.lchown(path, UID, UID)
            elif not path.is_symlink():
                path.chmod(0o777 if path.is_dir() else 0o666)


class Builder:
    """One app's build environment: a cache and config that persist across builds,
    and a fresh source tree per build, as the platform provides them."""

    def __init__(self, engine, images, root: Path) -> None:
        self.engine, self.images, self.root = engine, images, root
        self.cache, self.env = root / "cache", root / "env"
        self.cache.mkdir()
        self.env.mkdir()
        give_to_builder(self.cache, self.env)
        self.builds = 0

    def source(self, files: dict[str, str]) -> Path:
        self.builds += 1
        app = self.root / f"app{self.builds}"
        for name, text in files.items():
            (app / name).parent.mkdir(parents=True, exist_ok=True)
            (app / name).write_text(text)
        app.mkdir(exist_ok=True)
        return app

    def set_config(self, **config: str) -> None:
        for key, value in config.items():
            (self.env / key).write_text(value)
        give_to_builder(self.env)

    def step(self, app: Path, buildpack: str, step: str) -> Result:
        give_to_builder(app)
        args = ["/app", "/cache", "/env"] if step == "compile" else ["/app"]
        return run(self.engine, self.images.build, [f"/buildpacks/{buildpack}/bin/{step}", *args], {
            app: ("/app", "rw"), self.cache: ("/cache", "rw"), self.env: ("/env", "rw"),
            BUILDPACKS: ("/buildpacks", "ro"),
        }, {"STACK": STACK, "HOME": "/app"})

    def compile(self, app: Path, buildpack: str = "python") -> Result:
        result = self.step(app, buildpack, "compile")
        assert result.exit_code == 0, result.output
        return result

    def in_dyno(self, app: Path, command: str) -> Result:
        """The slug on the run image, started the way dynos start."""
        return run(self.engine, self.images.run, ["paas-launcher", command], {app: ("/app", "rw")})


@pytest.fixture
def builder(engine, stack, tmp_path):
    return Builder(engine, stack, tmp_path)


def stack_python(builder: Builder) -> str:
    result = run(builder.engine, builder.images.build,
                 ["python3", "-c", "import platform; print(platform.python_version())"], {})
    return result.output.strip()


# --- procfile ----------------------------------------------------------------------

def test_procfile_buildpack_detects_only_apps_with_a_procfile(builder):
    with_procfile = builder.source({"Procfile": "web: ./serve\n", "serve": "#!/bin/sh\n"})
    without = builder.source({"index.html": "<p>hi</p>\n"})

    found = builder.step(with_procfile, "procfile", "detect")
    assert (found.exit_code, found.output.strip()) == (0, "Procfile")
    assert builder.step(without, "procfile", "detect").exit_code != 0


def test_procfile_buildpack_installs_nothing_and_releases_no_defaults(builder):
    app = builder.source({"Procfile": "web: ./serve\n"})

    compiled = builder.compile(app, "procfile")
    released = builder.step(app, "procfile", "release")

    assert compiled.output.strip() == "-----> No build step; the Procfile runs as is"
    assert sorted(p.name for p in app.iterdir()) == ["Procfile"]
    assert released.exit_code == 0
    assert yaml.safe_load(released.output) == {"default_process_types": {}}


# --- python: detect and release ----------------------------------------------------

@pytest.mark.parametrize("marker", ["requirements.txt", "pyproject.toml", "setup.py"])
def test_python_buildpack_detects_each_dependency_file(builder, marker):
    app = builder.source({marker: "", "app.py": ""})

    found = builder.step(app, "python", "detect")

    assert (found.exit_code, found.output.strip()) == (0, "Python")


def test_python_buildpack_does_not_detect_other_apps(builder):
    app = builder.source({"Procfile": "web: python app.py\n", "app.py": "", "main.py": ""})

    assert builder.step(app, "python", "detect").exit_code != 0


def test_python_release_leaves_process_types_to_the_procfile(builder):
    app = builder.source({"requirements.txt": "", "manage.py": ""})

    released = builder.step(app, "python", "release")

    assert released.exit_code == 0
    assert yaml.safe_load(released.output) == {"default_process_types": {}}


# --- python: requirements.txt, the slug on the run image, the venv cache ------------

@pytest.fixture(scope="module")
def flask_build(engine, stack, tmp_path_factory):
    """A Flask app with requirements.txt, compiled once from a cold cache."""
    builder = Builder(engine, stack, tmp_path_factory.mktemp("flask"))
    files = {"requirements.txt": "flask\ngunicorn\n", "app.py": FLASK_APP,
             "Procfile": "web: gunicorn app:app\n"}
    app = builder.source(files)
    return builder, files, app, builder.compile(app)


def test_requirements_are_installed_with_pip_heroku_style(flask_build):
    builder, _, _, compiled = flask_build
    lines = compiled.output.splitlines()

    assert lines[:2] == ["-----> Python app detected",
                         f"-----> Using Python {stack_python(builder)}"]
    assert "-----> Installing requirements with pip" in lines
    assert any(line.startswith("       Successfully installed") and "flask" in line.lower()
               for line in lines)
    assert "Reusing cached dependencies" not in compiled.output


def test_slug_serves_on_the_run_image_through_the_launcher(flask_build):
    builder, _, app, _ = flask_build

    served = builder.in_dyno(app, SERVE_AND_FETCH)

    assert served.exit_code == 0, served.output
    assert "hello from paas" in served.output


def test_profile_puts_the_venv_first_and_the_build_leaves_no_home_cache(flask_build):
    builder, _, app, _ = flask_build

    env = builder.in_dyno(app, 'echo "$VIRTUAL_ENV|$PYTHONUNBUFFERED|${PYTHONHOME-unset}"; '
                               'command -v python')

    assert env.output.split() == ["/app/.venv|1|unset", "/app/.venv/bin/python"]
    assert not (app / ".cache").exists()


def test_code_only_change_reuses_the_cached_venv(flask_build):
    builder, files, _, _ = flask_build
    app = builder.source({**files, "app.py": FLASK_APP.replace("hello from", "changed on")})

    compiled = builder.compile(app)

    assert "-----> Reusing cached dependencies" in compiled.output
    assert "Installing requirements" not in compiled.output
    served = builder.in_dyno(app, SERVE_AND_FETCH)
    assert "changed on paas" in served.output, served.output


def test_changed_requirements_reinstall_and_refresh_the_cache(flask_build):
    builder, files, _, _ = flask_build
    changed = {**files, "requirements.txt": "flask\ngunicorn\nsix\n"}

    first = builder.compile(builder.source(changed))
    app = builder.source(changed)
    again = builder.compile(app)

    assert "Reusing cached dependencies" not in first.output
    assert "-----> Installing requirements with pip" in first.output
    assert "-----> Reusing cached dependencies" in again.output
    imported = builder.in_dyno(app, "python -c 'import six, flask'")
    assert imported.exit_code == 0, imported.output


# --- python: pyproject.toml, uv.lock and setup.py -----------------------------------

PYPROJECT = """[project]
name = "tiny"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["itsdangerous"]

[dependency-groups]
dev = ["six"]
"""


def test_uv_lock_installs_locked_dependencies_without_dev_or_uv_in_the_slug(builder):
    if shutil.which("uv") is None:
        # Fails under CI=true, where scripts/setup-host.sh has installed uv.
        require_real_part("uv", "not on this host's PATH (needed to write uv.lock)")
    app = builder.source({"pyproject.toml": PYPROJECT, "Procfile": "web: python -m tiny\n"})
    locked = subprocess.run(["uv", "lock", "--directory", str(app)], capture_output=True, text=True,
                            check=False)
    assert locked.returncode == 0, locked.stderr

    compiled = builder.compile(app)

    assert "-----> Installing dependencies with uv (uv.lock)" in compiled.output
    assert "itsdangerous" in compiled.output
    checked = builder.in_dyno(app, "python -c 'import itsdangerous'; "
                                   "python -c 'import six' 2>/dev/null && echo dev-installed; "
                                   "ls .venv/bin")
    assert checked.exit_code == 0, checked.output
    assert "dev-installed" not in checked.output
    assert "uv" not in checked.output.split()


def test_pyproject_without_a_lock_installs_its_dependencies_with_the_cached_uv(builder):
    app = builder.source({"pyproject.toml": PYPROJECT})
    compiled = builder.compile(app)
    more = builder.source({"pyproject.toml": PYPROJECT.replace('["itsdangerous"]',
                                                               '["itsdangerous", "six"]')})

    recompiled = builder.compile(more)

    assert "-----> Installing uv" in compiled.output
    assert "-----> Installing dependencies from pyproject.toml with uv" in recompiled.output
    assert "Installing uv" not in recompiled.output
    assert builder.in_dyno(more, "python -c 'import itsdangerous, six'").exit_code == 0


SETUP_PY = """from setuptools import setup

setup(name="greeter", version="1.0", py_modules=["greeter"], install_requires=["itsdangerous"])
"""


def test_setup_py_app_is_reinstalled_over_its_cached_dependencies(builder):
    first = builder.source({"setup.py": SETUP_PY, "greeter.py": "WORD = 'first'\n"})
    builder.compile(first)
    second = builder.source({"setup.py": SETUP_PY, "greeter.py": "WORD = 'second'\n"})

    compiled = builder.compile(second)

    assert "-----> Reusing cached dependencies" in compiled.output
    assert "-----> Installing the app with pip (setup.py)" in compiled.output
    # From /tmp, so the import comes from the venv, not from the source tree in /app.
    word = builder.in_dyno(second, "cd /tmp && python -c 'import greeter, itsdangerous; "
                                   "print(greeter.WORD)'")
    assert word.output.strip().splitlines()[-1] == "second", word.output


# --- python: version requests --------------------------------------------------------

def test_satisfiable_python_requests_are_honoured(builder):
    version = stack_python(builder)
    for name, text in [(".python-version", version.rsplit(".", 1)[0] + "\n"),
                       (".python-version", f"# pinned\n{version}\n"),
                       ("runtime.txt", f"python-{version}\n")]:
        app = builder.source({"requirements.txt": "", name: text})

        compiled = builder.step(app, "python", "compile")

        assert compiled.exit_code == 0, compiled.output
        assert f"-----> Using Python {version}" in compiled.output


@pytest.mark.parametrize("name, text, shown", [
    (".python-version", "3.12\n", "3.12"),
    ("runtime.txt", "python-{major_minor}.99\n", "{major_minor}.99"),
])
def test_unsatisfiable_python_request_fails_naming_both_versions(builder, name, text, shown):
    version = stack_python(builder)
    major_minor = version.rsplit(".", 1)[0]
    app = builder.source({"requirements.txt": "flask\n", name: text.format(major_minor=major_minor)})

    compiled = builder.step(app, "python", "compile")

    assert compiled.exit_code == 1
    assert (f" !     Requested Python {shown.format(major_minor=major_minor)} (from {name}), "
            f"but this stack provides Python {version} only.") in compiled.output.splitlines()
    assert not (app / ".venv").exists()


def test_unreadable_python_request_fails_clearly(builder):
    app = builder.source({"requirements.txt": "", ".python-version": "pypy3.10\n"})

    compiled = builder.step(app, "python", "compile")

    assert compiled.exit_code == 1
    assert ' !     Could not read a Python version from .python-version ("pypy3.10")' in compiled.output


# --- python: config vars -----------------------------------------------------------

def test_index_config_is_honoured_and_no_config_value_is_printed(builder):
    builder.set_config(PIP_INDEX_URL="http://builder:index-s3cret@127.0.0.1:9/simple/",
                       API_KEY="another-s3cret-value")
    app = builder.source({"requirements.txt": "flask\n"})

    compiled = builder.step(app, "python", "compile")

    # The index is unreachable, so honouring it makes the install fail.
    assert compiled.exit_code != 0
    assert "-----> Using PIP_INDEX_URL from the app's config" in compiled.output
    assert " !     pip could not install requirements.txt (see above)." in compiled.output
    assert "s3cret" not in compiled.output


def test_other_config_vars_do_not_reach_the_build_environment(builder):
    builder.set_config(LEAKED_VAR="should-stay-in-env-dir")
    reader = ("import os, pathlib; pathlib.Path('/app/seen.txt')"
              ".write_text(os.environ.get('LEAKED_VAR', 'absent'))")
    setup = f"{reader}\nfrom setuptools import setup\nsetup(name='probe', version='1', py_modules=[])\n"
    app = builder.source({"setup.py": setup})

    compiled = builder.compile(app)

    assert (app / "seen.txt").read_text() == "absent", compiled.output


# --- python: the dependency inspector (lib/depinfo.py), run on the host -------------

def depinfo(*args: str) -> str:
    script = BUILDPACKS / "python" / "lib" / "depinfo.py"
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                          check=True).stdout


def test_cache_key_follows_included_requirement_files_inside_the_app(tmp_path):
    (tmp_path / "reqs").mkdir()
    (tmp_path / "requirements.txt").write_text("-r reqs/base.txt  # shared\n--constraint=c.txt\n")
    (tmp_path / "reqs" / "base.txt").write_text("flask\n-r ../../outside.txt\n")
    (tmp_path / "c.txt").write_text("flask<4\n")

    listed = depinfo("key-files", str(tmp_path), "pip-requirements").split()

    assert sorted(listed) == ["c.txt", "reqs/base.txt", "requirements.txt"]


@pytest.mark.parametrize("requirements, own", [
    ("flask\ngunicorn==23.0\n", "no"),
    ("flask\n-e .\n", "yes"),
    ("./libs/shared\n", "yes"),
    ("shared @ file:///app/libs/shared\n", "yes"),
])
def test_local_path_requirements_count_as_the_apps_own_code(tmp_path, requirements, own):
    (tmp_path / "requirements.txt").write_text(requirements)

    assert depinfo("own-package", str(tmp_path), "pip-requirements").strip() == own
