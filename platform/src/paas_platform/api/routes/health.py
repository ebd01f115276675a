"""GET /healthz: 200 once the store answers; the one endpoint without a token."""

from __future__ import annotations

from fastapi import APIRouter, Request

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(request: Request) -> dict[str, str]:
    request.app.state.services.store.ping()
    return {"status": "ok"}
