"""The HTTP client for the control plane's Heroku-style API.

This is the one place that knows about HTTP: it builds URLs (every path segment
URL-encoded), sends the token, and turns error answers into ApiError and transport failures
into ApiUnreachable, so commands deal only in plain dicts and lists.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import httpx

from paas_cli.errors import ApiError, ApiUnreachable, CliError

RELEASE_VERSION_HEADER = "Paas-Release-Version"
SOURCE_VERSION_HEADER = "Paas-Source-Version"


class ApiClient:
    """One authenticated connection to the API; methods map 1:1 to endpoints."""

    def __init__(
        self,
        base_url: str,
        token: str,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url
        # Uploads and build output take minutes: those requests keep this limit for
        # connecting and writing but wait for data as long as the server needs.
        self._slow = httpx.Timeout(timeout, read=None)
        self._http = httpx.Client(
            base_url=base_url,
            transport=transport,
            timeout=timeout,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "ApiClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- account and apps ---------------------------------------------------------------

    def account(self) -> dict:
        return self._json("GET", "account")

    def list_apps(self) -> list[dict]:
        return self._json("GET", "apps")

    def create_app(self, name: str | None) -> dict:
        # An empty body asks the server to pick a name.
        return self._json("POST", "apps", body={"name": name} if name else {})

    def get_app(self, app: str) -> dict:
        return self._json("GET", "apps", app)

    def destroy_app(self, app: str) -> dict:
        return self._json("DELETE", "apps", app)

    def update_app(self, app: str, changes: dict[str, Any]) -> dict:
        """PATCH app settings, e.g. `{"buildpack": None}`."""
        return self._json("PATCH", "apps", app, body=changes)

    # -- config vars ----------------------------------------------------------------------

    def config_vars(self, app: str) -> dict[str, str]:
        return self._json("GET", "apps", app, "config-vars")

    def update_config_vars(
        self, app: str, changes: dict[str, str | None]
    ) -> tuple[dict[str, str], int | None]:
        """PATCH config (None deletes a key); returns the new map and the new release version."""
        response = self._send("PATCH", "apps", app, "config-vars", body=changes)
        return _decode(response), _release_version(response)

    # -- releases -------------------------------------------------------------------------

    def list_releases(self, app: str) -> list[dict]:
        return self._json("GET", "apps", app, "releases")

    def get_release(self, app: str, version: int) -> dict:
        return self._json("GET", "apps", app, "releases", str(version))

    def release_config_vars(self, app: str, version: int) -> dict[str, str]:
        return self._json("GET", "apps", app, "releases", str(version), "config-vars")

    def rollback(self, app: str, version: int) -> dict:
        """Create a new release that copies release `version`."""
        return self._json("POST", "apps", app, "releases", body={"release": version})

    # -- builds ---------------------------------------------------------------------------

    def list_builds(self, app: str) -> list[dict]:
        """All builds, oldest first."""
        return self._json("GET", "apps", app, "builds")

    def get_build(self, app: str, build_id: str) -> dict:
        return self._json("GET", "apps", app, "builds", build_id)

    def create_build(
        self, app: str, tarball: Iterable[bytes], size: int, source_version: str | None
    ) -> dict:
        """Upload a gzipped source tarball, streamed from `tarball` in chunks."""
        # A known Content-Length (rather than chunked encoding) lets the server refuse an
        # oversized upload before reading it.
        headers = {"Content-Type": "application/gzip", "Content-Length": str(size)}
        if source_version:
            headers[SOURCE_VERSION_HEADER] = source_version
        response = self._send(
            "POST", "apps", app, "builds", content=tarball, headers=headers, timeout=self._slow
        )
        return _decode(response)

    def purge_build_cache(self, app: str) -> None:
        self._send("DELETE", "apps", app, "build-cache")

    # -- formation and dynos --------------------------------------------------------------

    def formation(self, app: str) -> list[dict]:
        return self._json("GET", "apps", app, "formation")

    def scale(self, app: str, updates: list[dict]) -> list[dict]:
        """PATCH quantities (an int sets, "+N"/"-N" adds or removes); returns the formation."""
        return self._json("PATCH", "apps", app, "formation", body={"updates": updates})

    def list_dynos(self, app: str) -> list[dict]:
        return self._json("GET", "apps", app, "dynos")

    def restart_dynos(self, app: str, target: str | None = None) -> None:
        """Restart one dyno (`web.1`), every dyno of a type (`web`), or all (None)."""
        self._send("DELETE", "apps", app, "dynos", *([target] if target is not None else []))

    def stop_dynos(self, app: str, target: str) -> None:
        """Stop one dyno (`web.1`) or every dyno of a type (`web`)."""
        self._send("POST", "apps", app, "dynos", target, "actions", "stop")

    def create_dyno(
        self, app: str, command: str, attach: bool, tty: bool, env: dict[str, str]
    ) -> dict:
        """Start a one-off dyno (`paas run`); an attached one comes with its attach_url."""
        body = {"command": command, "attach": attach, "tty": tty, "env": env}
        return self._json("POST", "apps", app, "dynos", body=body)

    def stream_text(self, url: str) -> Iterator[str]:
        """The text at `url` (a path the API gave us), chunk by chunk as it arrives."""
        with self._streaming(self._own_url(url)) as response:
            yield from response.iter_text()

    # -- logs -------------------------------------------------------------------------------

    def log_lines(self, app: str, params: dict[str, str]) -> Iterator[str]:
        """The app's log lines (no newline) as the API sends them; with tail=true the
        stream stays open until the caller stops reading. Empty keep-alive lines are skipped."""
        with self._streaming(_path("apps", app, "log-stream"), params) as response:
            for line in response.iter_lines():
                if line:
                    yield line

    # -- domains ----------------------------------------------------------------------------

    def list_domains(self, app: str) -> list[dict]:
        """The default hostname (kind "default") first, then custom domains."""
        return self._json("GET", "apps", app, "domains")

    def add_domain(self, app: str, hostname: str) -> dict:
        return self._json("POST", "apps", app, "domains", body={"hostname": hostname})

    def remove_domain(self, app: str, hostname: str) -> dict:
        return self._json("DELETE", "apps", app, "domains", hostname)

    # -- add-ons ----------------------------------------------------------------------------

    def list_addons(self, app: str | None = None) -> list[dict]:
        """Add-ons attached to `app`, or every add-on."""
        return self._json("GET", "apps", app, "addons") if app else self._json("GET", "addons")

    def get_addon(self, name: str) -> dict:
        return self._json("GET", "addons", name)

    def create_addon(self, app: str, plan: str, name: str | None, as_name: str | None) -> dict:
        body: dict[str, Any] = {"plan": plan}
        if name:
            body["name"] = name
        if as_name:
            body["attachment"] = {"name": as_name}
        return self._json("POST", "apps", app, "addons", body=body)

    def attach_addon(self, addon: str, app: str, as_name: str | None) -> tuple[dict, int | None]:
        body = {"addon": addon, "app": app, **({"name": as_name} if as_name else {})}
        response = self._send("POST", "addon-attachments", body=body)
        return _decode(response), _release_version(response)

    def detach_addon(self, app: str, ref: str) -> tuple[dict, int | None]:
        """Detach by add-on name, attachment name or config var."""
        response = self._send("DELETE", "apps", app, "addon-attachments", ref)
        return _decode(response), _release_version(response)

    def destroy_addon(self, app: str, name: str, confirm: str, force: bool) -> dict:
        params = {"confirm": confirm, **({"force": "true"} if force else {})}
        return _decode(self._send("DELETE", "apps", app, "addons", name, params=params))

    # -- log drains -------------------------------------------------------------------------

    def list_drains(self, app: str) -> list[dict]:
        return self._json("GET", "apps", app, "log-drains")

    def add_drain(self, app: str, url: str) -> dict:
        return self._json("POST", "apps", app, "log-drains", body={"url": url})

    def remove_drain(self, app: str, drain: str) -> dict:
        """By URL, token or id (the URL is one encoded path segment)."""
        return self._json("DELETE", "apps", app, "log-drains", drain)

    # -- plumbing -------------------------------------------------------------------------

    def _json(self, method: str, *segments: str, body: Any = None) -> Any:
        return _decode(self._send(method, *segments, body=body))

    def _send(
        self, method: str, *segments: str, body: Any = None, **options: Any
    ) -> httpx.Response:
        with self._errors():
            response = self._http.request(method, _path(*segments), json=body, **options)
        if response.is_error:
            raise _api_error(response)
        return response

    @contextmanager
    def _streaming(self, url: str, params: dict[str, str] | None = None) -> Iterator[httpx.Response]:
        """A GET whose body is read as it arrives, for as long as the server sends it."""
        with self._errors():
            with self._http.stream("GET", url, params=params, timeout=self._slow) as response:
                if response.is_error:
                    response.read()
                    raise _api_error(response)
                yield response

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn httpx's failures into the CLI's, naming the API they concern."""
        try:
            yield
        except httpx.InvalidURL as error:
            message = f"PAAS_API_URL is not a valid URL: {self.base_url!r} ({error})"
            raise CliError(message) from error
        except httpx.TransportError as error:
            reason = str(error) or type(error).__name__
            message = f"cannot reach the paas API at {self.base_url}: {reason}"
            raise ApiUnreachable(message) from error

    def _own_url(self, url: str) -> str:
        """`url` if it points into this API; relative paths are relative to PAAS_API_URL.

        The token goes with every request, so a URL from an answer must not send it to
        some other host.
        """
        try:
            target = httpx.URL(url)
        except httpx.InvalidURL:
            raise CliError(f"the API returned an invalid URL: {url!r}") from None
        if target.is_relative_url:
            return url
        base = httpx.URL(self.base_url)
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            raise CliError(f"the API returned a URL outside {self.base_url}: {url}")
        return url


def _path(*segments: str) -> str:
    """`/apps/NAME/...` with every segment URL-encoded."""
    return "/" + "/".join(quote(segment, safe="") for segment in segments)


def _decode(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ApiError(
            "bad_response", f"invalid JSON from API ({response.status_code})", response.status_code
        ) from None


def _api_error(response: httpx.Response) -> ApiError:
    """The server's `{"id", "message"}` error, or a generic one for a non-JSON body."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return ApiError(str(body.get("id") or "error"), body["message"], status)
    return ApiError("http_error", f"{status} from API", status)


def _release_version(response: httpx.Response) -> int | None:
    value = response.headers.get(RELEASE_VERSION_HEADER)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
