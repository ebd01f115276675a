"""/apps/{app}/builds: upload source (a gzipped tarball) to build, list, info, and
the live output stream; /apps/{app}/build-cache to purge the buildpack cache."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from paas_platform.api.schemas import BuildOut, build_out
from paas_platform.builder.source import SourceRejected

router = APIRouter(tags=["builds"])

SOURCE_VERSION_HEADER = "Paas-Source-Version"


@router.post(
    "/apps/{app_name}/builds", response_model=BuildOut, status_code=status.HTTP_201_CREATED,
    openapi_extra={"requestBody": {"content": {"application/gzip": {"schema": {"type": "string", "format": "binary"}}}}},
)
async def create_build(request: Request, app_name: str) -> BuildOut:
    builds = request.app.state.services.builds
    source_version = _checked_version(request.headers.get(SOURCE_VERSION_HEADER) or None)
    writer = await run_in_threadpool(builds.new_upload, app_name)
    try:
        # Streamed to disk under the size cap: a pack is never held in memory.
        async for chunk in request.stream():
            writer.write(chunk)
        upload = writer.close()
    except BaseException:  # refused, or the client went away mid-upload
        writer.discard()
        raise
    build = await run_in_threadpool(
        builds.start, app_name, upload, source_version, request.state.caller.user
    )
    return build_out(builds.get(app_name, build.id), app_name)


@router.get("/apps/{app_name}/builds", response_model=list[BuildOut])
def list_builds(request: Request, app_name: str) -> list[BuildOut]:
    return [build_out(view, app_name) for view in request.app.state.services.builds.list(app_name)]


@router.get("/apps/{app_name}/builds/{build_id}", response_model=BuildOut)
def build_info(request: Request, app_name: str, build_id: str) -> BuildOut:
    return build_out(request.app.state.services.builds.get(app_name, build_id), app_name)


@router.get("/apps/{app_name}/builds/{build_id}/output", response_class=StreamingResponse)
def build_output(request: Request, app_name: str, build_id: str) -> StreamingResponse:
    lines = request.app.state.services.builds.output(app_name, build_id)
    return StreamingResponse(lines, media_type="text/plain; charset=utf-8",
                             headers={"X-Accel-Buffering": "no", "Cache-Control": "no-cache"})


@router.delete("/apps/{app_name}/build-cache", status_code=status.HTTP_204_NO_CONTENT)
def purge_build_cache(request: Request, app_name: str) -> Response:
    request.app.state.services.builds.purge_cache(app_name, request.state.caller.user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _checked_version(value: str | None) -> str | None:
    """A commit id (hex, up to 64 chars) or nothing; anything else is refused."""
    if value is None:
        return None
    if not (1 <= len(value) <= 64) or any(c not in "0123456789abcdef" for c in value.lower()):
        raise SourceRejected(f"{SOURCE_VERSION_HEADER} must be a commit id (hex)")
    return value.lower()
