"""Every endpoint but /healthz needs a valid bearer token; failures are 401 JSON."""

import pytest

from tests.conftest import ADMIN_TOKEN

PUBLIC_PATHS = {"/healthz", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}


def test_healthz_needs_no_token(api):
    del api.headers["Authorization"]
    response = api.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic YWRtaW46eA==", "Bearer ", "token"])
def test_missing_or_wrong_token_is_401_json(api, header):
    del api.headers["Authorization"]
    headers = {"Authorization": header} if header else {}
    response = api.get("/apps", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["id"] == "unauthorized"
    assert body["message"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_every_route_requires_a_token(api):
    del api.headers["Authorization"]
    checked = 0
    for path, operations in api.get("/openapi.json").json()["paths"].items():
        if path in PUBLIC_PATHS:
            continue
        concrete = path.replace("{app_name}", "demo").replace("{version}", "1")
        for method in operations:
            response = api.request(method.upper(), concrete, headers={"Authorization": "Bearer nope"})
            assert response.status_code == 401, (method, path)
            checked += 1
    assert checked >= 10


def test_account_names_the_token_owner(api):
    response = api.get("/account")
    assert response.status_code == 200
    assert response.json()["user"] == "admin"


def test_tokens_are_stored_hashed(api, store):
    import sqlalchemy as sa

    with store.engine.connect() as conn:
        stored = [row[0] for row in conn.execute(sa.text("SELECT token_hash FROM tokens"))]
    assert len(stored) == 1
    assert ADMIN_TOKEN not in stored[0]
    assert len(stored[0]) == 64


def test_bootstrap_only_applies_to_an_empty_token_store(store):
    from paas_platform.services.tokens import TokenService

    tokens = TokenService(store)
    assert tokens.bootstrap("first-token-0123456789") is True
    assert tokens.bootstrap("second-token-0123456789") is False
    assert tokens.authenticate("first-token-0123456789").user == "admin"
    from paas_platform.domain.errors import Unauthorized

    with pytest.raises(Unauthorized):
        tokens.authenticate("second-token-0123456789")


def test_openapi_schema_is_served(api):
    schema = api.get("/openapi.json").json()
    assert "/apps/{app_name}/config-vars" in schema["paths"]
    assert api.get("/docs").status_code == 200
