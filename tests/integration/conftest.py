"""Integration fixtures: a real control-plane process on each store backend."""

from __future__ import annotations

import pytest

from tests.integration.platform_process import PlatformProcess, free_port

TOKEN = "integration-token-0123456789abcdef"


def _postgres_url_for(database_url: tuple[str, dict]) -> str:
    """Fold the per-test schema into DATABASE_URL, as an operator would write it."""
    url, connect_args = database_url
    if "options" not in connect_args:
        return url
    from urllib.parse import quote

    return f"{url}?options={quote(connect_args['options'])}"


@pytest.fixture
def platform(tmp_path, database_url):
    process = PlatformProcess(tmp_path / "data", {
        "DATABASE_URL": _postgres_url_for(database_url),
        "PAAS_BOOTSTRAP_TOKEN": TOKEN,
    })
    process.start()
    yield process
    process.stop()
    _remove_objects_if_engine(process.instance)


def _remove_objects_if_engine(instance: str) -> None:
    """What a control-plane test's platform made on the engine (its router, say), if
    there is an engine: these tests do not need one."""
    from paas_platform.runtime.engine import EngineUnavailable, connect

    try:
        client = connect()
    except EngineUnavailable:
        return
    try:
        remove_instance_objects(client, instance)
    finally:
        client.close()


HOST_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def docker_client():
    """The real engine, or a skip (a failure under CI=true) when there is none."""
    from paas_platform.runtime.engine import EngineUnavailable, connect
    from tests.conftest import require_real_part

    try:
        return connect()
    except EngineUnavailable as exc:
        require_real_part("Docker Engine", exc.message)


def _platform_env() -> dict[str, str]:
    import os

    env = {}
    if "PAAS_EXTRA_CA_CERTS" not in os.environ and os.path.exists(HOST_CA_BUNDLE):
        env["PAAS_EXTRA_CA_CERTS"] = HOST_CA_BUNDLE
    return env


@pytest.fixture
def engine():
    client = docker_client()
    yield client
    client.close()


@pytest.fixture(scope="session")
def stack_images(tmp_path_factory):
    """Build (or find) the stack images once per run, via the operator's command."""
    client = docker_client()
    client.close()
    process = PlatformProcess(tmp_path_factory.mktemp("stack"), _platform_env())
    result = process.admin("stack:build")
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


def remove_instance_objects(client, instance: str) -> None:
    """Everything a test platform made on the shared engine, found by its label."""
    from paas_platform.runtime.cleanup import remove_instance_objects as remove

    remove(client, instance)


@pytest.fixture
def deploy_platform(tmp_path, stack_images):
    """A real control plane (SQLite) that builds with the real engine, under its own
    instance label; everything it made is removed afterwards."""
    import uuid

    instance = f"t{uuid.uuid4().hex[:10]}"
    process = PlatformProcess(tmp_path / "data", {
        "PAAS_BOOTSTRAP_TOKEN": TOKEN, "PAAS_INSTANCE": instance, **_platform_env(),
        # Failing rollouts are part of the tests: don't wait the default minute for them.
        "PAAS_BOOT_TIMEOUT": "20",
        "PAAS_ROUTER_PORT": str(free_port()),  # each platform's router on its own port
    })
    process.start()
    yield process
    process.stop()
    client = docker_client()
    remove_instance_objects(client, instance)
    client.close()
