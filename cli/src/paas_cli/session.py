"""The outside world a command runs against: API URL, environment, HTTP transport.

main() creates one Session per run and hands it to the typer app as the context object;
tests build their own with an `httpx.MockTransport`, which is the seam that keeps the unit
tests off the network.
"""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import typer

from paas_cli import app_context, credentials
from paas_cli.client import ApiClient

DEFAULT_API_URL = "http://127.0.0.1:5000"


@dataclass
class Session:
    api_url: str = DEFAULT_API_URL
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    transport: httpx.BaseTransport | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> "Session":
        environ = os.environ if environ is None else environ
        api_url = environ.get("PAAS_API_URL") or DEFAULT_API_URL
        return cls(api_url=api_url.rstrip("/"), environ=environ)

    def client(self, token: str | None = None) -> ApiClient:
        """A client using `token`, or the stored one (NotLoggedIn if there is none)."""
        if token is None:
            token = credentials.find_token(self.api_url, self.environ)
        return ApiClient(self.api_url, token, transport=self.transport)

    def resolve_app(self, explicit: str | None) -> str:
        return app_context.resolve_app(explicit, self.environ)


def session_of(ctx: typer.Context) -> Session:
    """The Session of the running command (main() passes it in as the context object)."""
    session = ctx.find_object(Session)
    return session if session is not None else Session.from_environment()


@contextmanager
def app_api(ctx: typer.Context, app_option: str | None) -> Iterator[tuple[str, ApiClient]]:
    """`with app_api(ctx, app) as (name, api):` - the app a command acts on, and a client.

    The app is resolved before the token is looked up, so "no app specified" wins over
    "not logged in" (the more useful message when both apply).
    """
    session = session_of(ctx)
    name = session.resolve_app(app_option)
    with session.client() as api:
        yield name, api
