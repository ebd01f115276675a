"""GET /account: who the token belongs to (`paas login` verifies tokens with it)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from paas_platform.api.schemas import AccountOut

router = APIRouter(tags=["account"])


@router.get("/account", response_model=AccountOut)
def account(request: Request) -> AccountOut:
    caller = request.state.caller
    return AccountOut(id=caller.id, user=caller.user)
