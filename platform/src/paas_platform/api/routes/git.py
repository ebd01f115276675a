"""/git/{app}.git/...: git's smart HTTP protocol over the app's bare repo, with HTTP Basic auth.

The password is an API token (any username), so the ~/.netrc that `paas login` writes makes
`git push` work without prompts. Only the three smart-protocol endpoints exist; the dumb
protocol (plain file fetches) is not served. This router does its own auth because git
speaks Basic, not Bearer, and must be told so in a 401's WWW-Authenticate.
"""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from paas_platform.api.errors import error_response
from paas_platform.domain.errors import NotFound, Unauthorized
from paas_platform.git.cgi import GitRequest, cgi_environment
from paas_platform.git.http_backend import GitBackendResponse
from paas_platform.git.repos import BareRepos

router = APIRouter(prefix="/git", tags=["git"], include_in_schema=False)

GIT_SERVICES = ("git-upload-pack", "git-receive-pack")
BASIC_CHALLENGE = 'Basic realm="paas"'


def basic_password(header: str | None) -> str | None:
    """The password of an `Authorization: Basic ...` header, or None when there is none."""
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _user, sep, password = decoded.partition(":")
    return password if sep and password else None


@router.get("/{app_name}.git/info/refs")
async def info_refs(request: Request, app_name: str, service: str = "") -> Response:
    if service not in GIT_SERVICES:
        raise NotFound("only git's smart HTTP protocol is served (git 1.6.6 or later)")
    return await _serve(request, app_name, "info/refs", f"service={service}")


@router.post("/{app_name}.git/git-upload-pack")
async def upload_pack(request: Request, app_name: str) -> Response:
    return await _serve(request, app_name, "git-upload-pack")


@router.post("/{app_name}.git/git-receive-pack")
async def receive_pack(request: Request, app_name: str) -> Response:
    return await _serve(request, app_name, "git-receive-pack")


async def _serve(request: Request, app_name: str, tail: str, query: str = "") -> Response:
    token = basic_password(request.headers.get("authorization"))
    try:
        # Blocking work (store, `git init`) off the event loop.
        user, repos = await run_in_threadpool(_open_repo, request, token, app_name)
    except Unauthorized as exc:
        response = error_response(401, exc.id, exc.message)
        response.headers["WWW-Authenticate"] = BASIC_CHALLENGE
        return response
    settings = request.app.state.settings
    git_request = GitRequest(
        app=app_name,
        tail=tail,
        method=request.method,
        query_string=query,
        content_type=request.headers.get("content-type", ""),
        content_encoding=request.headers.get("content-encoding", ""),
        content_length=request.headers.get("content-length"),
        remote_user=user,
        remote_addr=request.client.host if request.client else "",
        token=token or "",
    )
    api_url = f"http://127.0.0.1:{settings.api_port}"
    failure = error_response(502, "git_backend_failed", "git http-backend failed")
    return GitBackendResponse(cgi_environment(git_request, repos.root, api_url), failure)


def _open_repo(request: Request, token: str | None, app_name: str) -> tuple[str, BareRepos]:
    """Authenticate, check the app exists, and make sure its repo and hook are in place."""
    services = request.app.state.services
    if token is None:
        raise Unauthorized("git needs an API token as its HTTP password: run `paas login`, "
                           "which writes it to ~/.netrc")
    caller = services.tokens.authenticate(token)
    repos = BareRepos.for_data_dir(request.app.state.settings.data_dir)
    repos.path(app_name)  # validates the name before the store sees it
    services.apps.get(app_name)
    repos.ensure(app_name)
    return caller.user, repos
