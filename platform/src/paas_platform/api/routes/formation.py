"""/apps/{app}/formation (scale) and /apps/{app}/dynos (observe, restart, stop)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request, Response, status

from paas_platform.api.schemas import DynoOut, FormationOut, dyno_out

router = APIRouter(tags=["formation"])


def _formation(entries) -> list[FormationOut]:
    return [FormationOut(type=e.process_type, quantity=e.quantity, command=e.command,
                         size=e.size) for e in entries]


@router.get("/apps/{app_name}/formation", response_model=list[FormationOut])
def get_formation(request: Request, app_name: str) -> list[FormationOut]:
    return _formation(request.app.state.services.formation.get(app_name))


@router.patch("/apps/{app_name}/formation", response_model=list[FormationOut])
def scale(request: Request, app_name: str,
          body: Any = Body(..., description='{"updates": [{"type": "web", "quantity": 3 | "+1"}]}')
          ) -> list[FormationOut]:
    updates = body.get("updates") if isinstance(body, dict) else None
    entries = request.app.state.services.formation.update(
        app_name, updates, request.state.caller.user
    )
    return _formation(entries)


@router.get("/apps/{app_name}/dynos", response_model=list[DynoOut])
def list_dynos(request: Request, app_name: str) -> list[DynoOut]:
    services = request.app.state.services
    services.apps.get(app_name)  # 404 for unknown apps
    views = sorted(services.runner.dynos(app_name),
                   key=lambda v: (v.dyno.process_type, v.dyno.number))
    return [dyno_out(v.dyno, v.restarts) for v in views]


@router.delete("/apps/{app_name}/dynos", status_code=status.HTTP_202_ACCEPTED)
def restart_all(request: Request, app_name: str) -> Response:
    request.app.state.services.apps.get(app_name)
    request.app.state.services.runner.restart(app_name, None)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.delete("/apps/{app_name}/dynos/{target}", status_code=status.HTTP_202_ACCEPTED)
def restart_dynos(request: Request, app_name: str, target: str) -> Response:
    request.app.state.services.apps.get(app_name)
    request.app.state.services.runner.restart(app_name, target)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post("/apps/{app_name}/dynos/{target}/actions/stop", status_code=status.HTTP_202_ACCEPTED)
def stop_dynos(request: Request, app_name: str, target: str) -> Response:
    request.app.state.services.apps.get(app_name)
    request.app.state.services.runner.stop(app_name, target)
    return Response(status_code=status.HTTP_202_ACCEPTED)
