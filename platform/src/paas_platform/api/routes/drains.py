"""/apps/{app}/log-drains: where an app's log stream is forwarded (list, add, remove),
shaped like Heroku's Log Drain API."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field

from paas_platform.domain.drains import MAX_URL_LENGTH
from paas_platform.domain.logs import LogDrain

router = APIRouter(tags=["log-drains"])


class LogDrainCreate(BaseModel):
    url: str = Field(description="syslog://host:port, syslog+tls://host:port or https://host/path",
                     max_length=MAX_URL_LENGTH)


class LogDrainOut(BaseModel):
    id: str
    url: str
    token: str = Field(description="d.<uuid>: the syslog hostname of every line this drain sends")
    app: dict
    addon: None = None
    created_at: datetime


def _out(drain: LogDrain) -> LogDrainOut:
    return LogDrainOut(id=drain.id, url=drain.url, token=drain.token, app={"name": drain.app},
                       created_at=drain.created_at)


@router.get("/apps/{app_name}/log-drains", response_model=list[LogDrainOut])
def list_drains(request: Request, app_name: str) -> list[LogDrainOut]:
    return [_out(d) for d in request.app.state.services.drains.list(app_name)]


@router.post("/apps/{app_name}/log-drains", response_model=LogDrainOut,
             status_code=status.HTTP_201_CREATED)
def add_drain(request: Request, app_name: str, body: LogDrainCreate) -> LogDrainOut:
    drain = request.app.state.services.drains.add(app_name, body.url, request.state.caller.user)
    return _out(drain)


@router.delete("/apps/{app_name}/log-drains/{id_or_url:path}", response_model=LogDrainOut)
def remove_drain(request: Request, app_name: str, id_or_url: str) -> LogDrainOut:
    """By id, token or URL (URL-encoded)."""
    drain = request.app.state.services.drains.remove(app_name, id_or_url,
                                                     request.state.caller.user)
    return _out(drain)
