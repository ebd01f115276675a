"""The HTTP API: thin FastAPI routes over the services, shaped like Heroku's Platform API."""

from paas_platform.api.app import create_app

__all__ = ["create_app"]
