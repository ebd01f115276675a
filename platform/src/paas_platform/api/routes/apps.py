"""/apps: create, list, info, update (buildpack, maintenance), destroy."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from paas_platform.api.schemas import AppCreate, AppOut, AppPatch
from paas_platform.domain.errors import InvalidParams
from paas_platform.services.apps import AppSummary

router = APIRouter(tags=["apps"])


def app_out(request: Request, summary: AppSummary) -> AppOut:
    settings = request.app.state.settings
    app = summary.app
    port = "" if settings.router_port == 80 else f":{settings.router_port}"
    return AppOut(
        id=app.id,
        name=app.name,
        stack=app.stack,
        buildpack=app.buildpack,
        maintenance=app.maintenance,
        health_check_path=app.health_check_path,
        web_url=f"http://{app.name}.{settings.domain}{port}/",
        git_url=f"{str(request.base_url).rstrip('/')}/git/{app.name}.git",
        created_at=app.created_at,
        updated_at=app.updated_at,
        released_at=summary.current.created_at if summary.current else None,
        current_release=summary.current.version if summary.current else None,
    )


@router.get("/apps", response_model=list[AppOut])
def list_apps(request: Request) -> list[AppOut]:
    return [app_out(request, s) for s in request.app.state.services.apps.list()]


@router.post("/apps", response_model=AppOut, status_code=status.HTTP_201_CREATED)
def create_app(request: Request, body: AppCreate | None = None) -> AppOut:
    name = body.name if body else None
    summary = request.app.state.services.apps.create(name, request.state.caller.user)
    return app_out(request, summary)


@router.get("/apps/{app_name}", response_model=AppOut)
def app_info(request: Request, app_name: str) -> AppOut:
    return app_out(request, request.app.state.services.apps.get(app_name))


@router.patch("/apps/{app_name}", response_model=AppOut)
def update_app(request: Request, app_name: str, body: AppPatch) -> AppOut:
    services, user = request.app.state.services, request.state.caller.user
    sent = body.model_fields_set
    if not sent & {"buildpack", "maintenance", "health_check_path"}:
        raise InvalidParams("nothing to change: send buildpack, maintenance or health_check_path")
    if "maintenance" in sent and body.maintenance is None:
        raise InvalidParams("maintenance must be true or false")
    summary = services.apps.get(app_name)
    if "buildpack" in sent:
        summary = services.apps.set_buildpack(app_name, body.buildpack, user)
    if "maintenance" in sent:
        services.maintenance.set(app_name, body.maintenance, user)
        summary = services.apps.get(app_name)
    if "health_check_path" in sent:
        summary = services.apps.set_health_check(app_name, body.health_check_path, user)
    return app_out(request, summary)


@router.delete("/apps/{app_name}", response_model=AppOut)
def destroy_app(request: Request, app_name: str) -> AppOut:
    summary = request.app.state.services.apps.destroy(app_name, request.state.caller.user)
    return app_out(request, summary)
