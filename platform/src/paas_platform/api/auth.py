"""Bearer-token authentication, as a FastAPI dependency every router but /healthz uses."""

from __future__ import annotations

from fastapi import Request

from paas_platform.domain.errors import Unauthorized
from paas_platform.store.tokens import TokenRecord


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def require_token(request: Request) -> TokenRecord:
    """Authenticate the request; stash the caller on request.state for handlers."""
    if request.headers.get("authorization") and bearer_token(request) is None:
        raise Unauthorized("unsupported Authorization scheme: send Authorization: Bearer TOKEN")
    record = request.app.state.services.tokens.authenticate(bearer_token(request))
    request.state.caller = record
    return record
