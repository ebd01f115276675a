"""POST /apps/{app}/dynos: start a one-off dyno (`paas run`, `paas run:detached`).

The answer's `attach_url` (attached runs only) names the rendezvous listener on the
host the client reached the API at, plus a one-time secret (runtime/rendezvous.py).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from paas_platform.api.schemas import AppRef
from paas_platform.services.oneoff_dynos import DEFAULT_TTL, OneOffDyno, RunRequest

router = APIRouter(tags=["dynos"])


class DynoCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: StrictStr = Field(description="command line, run by bash -c (slug images)")
    attach: StrictBool = Field(default=True, description="false: paas run:detached")
    tty: StrictBool = Field(default=False, description="allocate a terminal (attached only)")
    env: dict[StrictStr, StrictStr] = Field(default_factory=dict,
                                            description="extra env, e.g. COLUMNS and LINES")
    time_to_live: StrictInt = Field(default=DEFAULT_TTL,
                                    description="seconds until the dyno is killed (max 24 h)")


class ReleaseVersionRef(BaseModel):
    id: str
    version: int


class OneOffDynoOut(BaseModel):
    name: str
    type: str
    state: str
    command: str
    attach_url: str | None
    time_to_live: int
    release: ReleaseVersionRef
    app: AppRef
    created_at: datetime


@router.post("/apps/{app_name}/dynos", response_model=OneOffDynoOut,
             status_code=status.HTTP_201_CREATED)
def create_dyno(request: Request, app_name: str, body: DynoCreate) -> OneOffDynoOut:
    service = request.app.state.services.oneoff
    dyno = service.run(app_name, RunRequest(**body.model_dump()), request.state.caller.user)
    url = _attach_url(request, service.rendezvous.port, dyno.attach_secret)
    return _dyno_out(dyno, url)


def _attach_url(request: Request, port: int, secret: str | None) -> str | None:
    if secret is None:
        return None
    host = request.url.hostname or "127.0.0.1"
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    return f"rendezvous://{host}:{port}/{secret}"


def _dyno_out(dyno: OneOffDyno, attach_url: str | None) -> OneOffDynoOut:
    return OneOffDynoOut(
        name=dyno.name, type=dyno.type, state=dyno.state, command=dyno.command,
        attach_url=attach_url, time_to_live=dyno.time_to_live,
        release=ReleaseVersionRef(id=dyno.release_id, version=dyno.release_version),
        app=AppRef(id=dyno.app_id, name=dyno.app_name), created_at=dyno.created_at,
    )
