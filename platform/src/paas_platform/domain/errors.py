"""The project's own exceptions. Adapters translate foreign errors into these;
the API maps them to HTTP statuses in one place (api/errors.py)."""

from __future__ import annotations


class PaasError(Exception):
    """Base class: `id` is the machine-readable error id, the message is for people."""

    id = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidParams(PaasError):
    id = "invalid_params"


class NotFound(PaasError):
    id = "not_found"


class Conflict(PaasError):
    id = "conflict"


class Unauthorized(PaasError):
    id = "unauthorized"


class SettingsError(PaasError):
    id = "settings"


class Unavailable(PaasError):
    """A part the platform depends on (database, Docker Engine, ...) is not there: 503."""

    id = "unavailable"


class StoreUnavailable(Unavailable):
    id = "store_unavailable"
