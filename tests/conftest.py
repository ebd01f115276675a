"""Shared fixtures: a store on each backend, an API client, and the rule that
under CI=true a missing real part (PostgreSQL, Docker) fails instead of skipping."""

from __future__ import annotations

import os
import uuid
from typing import Iterator

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_URL_ENV = "PAAS_TEST_POSTGRES_URL"
ADMIN_TOKEN = "test-admin-token-0123456789abcdef"


def require_real_part(what: str, why_missing: str) -> None:
    """Skip on a developer machine without `what`; fail under CI, where it must exist."""
    message = f"{what} is not available: {why_missing}"
    if IN_CI:
        pytest.fail(message + " (CI=true: real parts are required)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[tuple[str, dict]]:
    """(DATABASE_URL, connect_args) for a fresh, empty database on each backend.

    PostgreSQL tests each get their own schema (via search_path), so they can run
    side by side on one server and leave nothing behind.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'paas.db'}", {}
        return
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        require_real_part("PostgreSQL", f"{POSTGRES_URL_ENV} is not set (make test sets it)")
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        require_real_part("PostgreSQL", str(exc.orig).splitlines()[0])
    try:
        yield url, {"options": f"-csearch_path={schema}"}
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def store(database_url):
    from paas_platform.store import open_store

    url, connect_args = database_url
    store = open_store(url, **connect_args)
    yield store
    store.close()


@pytest.fixture
def settings(tmp_path):
    from paas_platform.settings import Settings

    return Settings(data_dir=tmp_path, instance=f"test-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def api(settings, store):
    """A TestClient on the real app and store, authenticated as the bootstrap admin."""
    from fastapi.testclient import TestClient

    from paas_platform.api import create_app
    from paas_platform.services.tokens import TokenService

    TokenService(store).bootstrap(ADMIN_TOKEN)
    with TestClient(create_app(settings, store)) as client:
        client.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
        yield client
