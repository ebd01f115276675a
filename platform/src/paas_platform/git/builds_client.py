"""BuildsClient: the pre-receive hook's side of the builds API, over httpx.

It starts a build from a streamed tarball, relays the build's output line by line, and
reads the outcome. Every failure (an API error answer, an unreachable API) becomes a
PushRejected with one line for the pusher.
"""

from __future__ import annotations

import contextlib
import time
from typing import Callable, Iterable, Iterator

import httpx

from paas_platform.git.refs import PushRejected

# Builds take minutes and may print nothing for a long while (a quiet pip install).
TIMEOUT = httpx.Timeout(connect=10.0, read=1800.0, write=600.0, pool=10.0)
FINAL_STATES = ("succeeded", "failed")
POLL_SECONDS = 1.0
OUTCOME_WAIT_SECONDS = 1800.0


class BuildsClient:
    def __init__(self, http: httpx.Client, app: str,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._http = http
        self._app = app
        self._sleep = sleep

    def create(self, tarball: Iterable[bytes], source_version: str) -> dict:
        headers = {"Content-Type": "application/gzip", "Paas-Source-Version": source_version}
        with _api_errors(self._http, "could not start the build"):
            response = self._http.post(f"/apps/{self._app}/builds", content=tarball,
                                       headers=headers)
        return _json(response, "could not start the build")

    def output_lines(self, build: dict) -> Iterator[str]:
        url = str(build.get("output_stream_url") or "")
        if not url.startswith("/"):
            # The token goes with the request: only ever to the API we were given.
            raise PushRejected(f"the builds API gave no usable output URL ({url!r})")
        with _api_errors(self._http, "lost the build output"):
            with self._http.stream("GET", url) as response:
                if response.is_error:
                    response.read()
                    _json(response, "could not read the build output")
                yield from response.iter_lines()

    def outcome(self, build_id: str) -> dict:
        """The build once it and its release have settled (the output may end just before)."""
        deadline = time.monotonic() + OUTCOME_WAIT_SECONDS
        while True:
            with _api_errors(self._http, "could not read the build result"):
                response = self._http.get(f"/apps/{self._app}/builds/{build_id}")
            build = _json(response, "could not read the build result")
            if _settled(build) or time.monotonic() > deadline:
                return build
            self._sleep(POLL_SECONDS)


def _settled(build: dict) -> bool:
    release = build.get("release")
    release_pending = isinstance(release, dict) and release.get("status") == "pending"
    return build.get("status") in FINAL_STATES and not release_pending


def _json(response: httpx.Response, what: str) -> dict:
    """The JSON object of a successful answer, or PushRejected with the API's message."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.is_error:
        message = body.get("message") if isinstance(body, dict) else None
        raise PushRejected(f"{what}: {message or response.reason_phrase} "
                           f"(HTTP {response.status_code})")
    if not isinstance(body, dict):
        raise PushRejected(f"{what}: the API answered something other than a JSON object")
    return body


@contextlib.contextmanager
def _api_errors(http: httpx.Client, what: str) -> Iterator[None]:
    try:
        yield
    except httpx.TimeoutException:
        raise PushRejected(f"{what}: the paas API at {http.base_url} timed out") from None
    except httpx.TransportError as exc:
        reason = str(exc) or type(exc).__name__
        raise PushRejected(f"{what}: cannot reach the paas API at {http.base_url} ({reason})"
                           ) from None
