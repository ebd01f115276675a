"""/apps/{app}/config-vars: get the config; PATCH merges (null unsets) into a new release."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request, Response

router = APIRouter(tags=["config-vars"])

RELEASE_HEADER = "Paas-Release-Version"


@router.get("/apps/{app_name}/config-vars", response_model=dict[str, str])
def get_config(request: Request, app_name: str) -> dict[str, str]:
    return request.app.state.services.config.get(app_name)


@router.patch("/apps/{app_name}/config-vars", response_model=dict[str, str])
def update_config(
    request: Request,
    response: Response,
    app_name: str,
    patch: Any = Body(..., description="KEY: value pairs; a null value unsets KEY"),
) -> dict[str, str]:
    # The body is checked by the domain (apply_patch), which rejects the whole
    # patch on the first bad key or value and never echoes a value back.
    config, version = request.app.state.services.config.update(
        app_name, patch, request.state.caller.user
    )
    if version is not None:
        response.headers[RELEASE_HEADER] = str(version)
    return config
