"""GitBackendResponse: answer one smart-HTTP request by running `git http-backend` as CGI.

Both directions stream: request body chunks go into the backend's stdin as they arrive,
and its stdout goes out as it is produced (a push's `remote:` build lines arrive live), so
no pack is ever held in memory. The backend runs in its own process group, killed with its
children (receive-pack, the hook) when the client goes away, and always reaped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from typing import AsyncIterator

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from paas_platform.git.cgi import MAX_HEADER_LINES, MalformedCgiHeaders, parse_header_lines

log = logging.getLogger("paas.git")

READ_CHUNK = 64 * 1024
STDERR_DRAIN_SECONDS = 5


class HttpBackendProcess:
    """One running `git http-backend` and the task that logs its stderr."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self._proc = proc
        self._killed = False
        self._stderr_logger = asyncio.create_task(_log_lines(proc.stderr))

    @classmethod
    async def start(cls, env: dict[str, str]) -> "HttpBackendProcess":
        proc = await asyncio.create_subprocess_exec(
            "git", "http-backend",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            # A group of its own, so one signal also reaches receive-pack and the hook.
            start_new_session=True,
        )
        return cls(proc)

    @property
    def stdin(self) -> asyncio.StreamWriter:
        return self._proc.stdin

    async def read_headers(self) -> tuple[int, list[tuple[bytes, bytes]]]:
        lines: list[bytes] = []
        while len(lines) <= MAX_HEADER_LINES:
            try:
                line = await self._proc.stdout.readline()
            except ValueError as exc:  # a line beyond the stream's limit
                raise MalformedCgiHeaders("CGI header line too long") from exc
            if not line:
                raise MalformedCgiHeaders("http-backend ended before the end of its headers")
            if line in (b"\r\n", b"\n"):
                return parse_header_lines(lines)
            lines.append(line)
        raise MalformedCgiHeaders("too many CGI header lines")

    async def body_chunks(self) -> AsyncIterator[bytes]:
        while chunk := await self._proc.stdout.read(READ_CHUNK):
            yield chunk

    def kill(self) -> None:
        if self._proc.returncode is not None:
            return  # reaped already: its group id may belong to someone else by now
        self._killed = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._proc.pid, signal.SIGKILL)

    async def finish(self, kill: bool) -> None:
        if kill:
            self.kill()
        code = await self._proc.wait()
        with contextlib.suppress(asyncio.TimeoutError):
            # A straggling grandchild could hold stderr open; don't let it hold the request.
            await asyncio.wait_for(self._stderr_logger, STDERR_DRAIN_SECONDS)
        if code != 0 and not self._killed:
            log.warning("git http-backend exited with status %d", code)


class GitBackendResponse(Response):
    """A Response that is the whole CGI exchange with one http-backend process.

    `failure` is sent instead when the backend gives no usable CGI headers (the API layer
    makes it, so this module needs no knowledge of the API's error format).
    """

    def __init__(self, env: dict[str, str], failure: Response) -> None:
        # Not Response.__init__: there is no body to render, only a process to run.
        self._env = env
        self._failure = failure
        self.background = None
        self.status_code = 200

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        backend = await HttpBackendProcess.start(self._env)
        pump = asyncio.create_task(_pump_request(receive, backend))
        completed = False
        try:
            try:
                self.status_code, headers = await backend.read_headers()
            except MalformedCgiHeaders as exc:
                log.error("git http-backend: %s", exc)
                await self._failure(scope, receive, send)
                return
            await send({"type": "http.response.start", "status": self.status_code,
                        "headers": headers})
            async for chunk in backend.body_chunks():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            completed = True
        finally:
            pump.cancel()
            await asyncio.gather(pump, return_exceptions=True)
            await backend.finish(kill=not completed)
        if self.background is not None:
            await self.background()


async def _pump_request(receive: Receive, backend: HttpBackendProcess) -> None:
    """Copy the request body into the backend's stdin, then kill it if the client leaves.

    This task is the only reader of `receive` (Starlette's StreamingResponse would also read
    it to watch for disconnects and could swallow body chunks meant for git).
    """
    try:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                backend.kill()
                return
            if chunk := message.get("body", b""):
                backend.stdin.write(chunk)
                await backend.stdin.drain()  # back-pressure: hold no more than a pipe's worth
            if not message.get("more_body", False):
                break
    except (BrokenPipeError, ConnectionResetError):
        pass  # the backend answered without reading it all (an error); that answer still goes out
    finally:
        backend.stdin.close()
    while (await receive())["type"] != "http.disconnect":
        pass
    backend.kill()


async def _log_lines(stream: asyncio.StreamReader) -> None:
    async for line in stream:
        log.warning("git http-backend: %s", line.decode("utf-8", "replace").rstrip())
