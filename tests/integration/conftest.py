"""Integration fixtures: a real control-plane process on each store backend."""

from __future__ import annotations

import pytest

from tests.integration.platform_process import PlatformProcess

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
