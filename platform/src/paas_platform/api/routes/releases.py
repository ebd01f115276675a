"""/apps/{app}/releases: list, info, the config of a release, and rollback (POST)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from paas_platform.api.schemas import ReleaseOut, RollbackRequest, release_out

router = APIRouter(tags=["releases"])


@router.get("/apps/{app_name}/releases", response_model=list[ReleaseOut])
def list_releases(request: Request, app_name: str) -> list[ReleaseOut]:
    releases, current = request.app.state.services.releases.list(app_name)
    return [release_out(r, app_name, current) for r in releases]


@router.get("/apps/{app_name}/releases/{version}", response_model=ReleaseOut)
def release_info(request: Request, app_name: str, version: str) -> ReleaseOut:
    release, current = request.app.state.services.releases.get(app_name, version)
    return release_out(release, app_name, current)


@router.get("/apps/{app_name}/releases/{version}/config-vars", response_model=dict[str, str])
def release_config(request: Request, app_name: str, version: str) -> dict[str, str]:
    release, _ = request.app.state.services.releases.get(app_name, version)
    return release.config


@router.post(
    "/apps/{app_name}/releases", response_model=ReleaseOut, status_code=status.HTTP_201_CREATED
)
def rollback(request: Request, app_name: str, body: RollbackRequest) -> ReleaseOut:
    release = request.app.state.services.releases.rollback(
        app_name, body.release, request.state.caller.user
    )
    return release_out(release, app_name, release)
