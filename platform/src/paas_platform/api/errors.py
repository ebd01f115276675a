"""The one place where errors become HTTP responses: JSON {"id", "message"}.

Validation messages name the offending field but never echo its value, since a
value may be a secret config var.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from paas_platform.domain import errors

log = logging.getLogger("paas.api")

STATUS_BY_ERROR: dict[type[errors.PaasError], int] = {
    errors.InvalidParams: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Unauthorized: 401,
    errors.Unavailable: 503,
}

_HTTP_IDS = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 413: "request_too_large"}


def error_response(status: int, error_id: str, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"id": error_id, "message": message}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> tuple[int, str, str]:
    first = exc.errors()[0] if exc.errors() else {}
    if first.get("type") == "json_invalid":
        return 400, "bad_request", "request body is not valid JSON"
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    what = first.get("msg", "invalid value")
    return 422, "invalid_params", f"{where}: {what}" if where else what


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.PaasError)
    async def _paas_error(_request: Request, exc: errors.PaasError) -> JSONResponse:
        # The most specific known class wins (SourceRejected is an InvalidParams: 422).
        status = next((STATUS_BY_ERROR[k] for k in type(exc).__mro__ if k in STATUS_BY_ERROR), 400)
        return error_response(status, exc.id, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(*_validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        error_id = _HTTP_IDS.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else error_id.replace("_", " ")
        return error_response(exc.status_code, error_id, message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal_error", "internal server error")
