"""/apps/{app}/log-stream: an app's recent log lines as text/plain, one rendered
line per line; with tail=true it stays open and sends live lines as they come."""

from __future__ import annotations

import asyncio
from typing import AsyncIterator

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from paas_platform.services.log_hub import Subscription
from paas_platform.services.log_reader import LogRequest

router = APIRouter(tags=["logs"])

# An idle follower gets an empty line this often, so a client that went away is
# noticed (the write fails) and proxies keep the connection open. Rendered lines
# are never empty, so clients skip empty ones.
KEEPALIVE_SECONDS = 10.0


@router.get("/apps/{app_name}/log-stream", response_class=StreamingResponse)
async def log_stream(
    request: Request,
    app_name: str,
    num: int | None = Query(None, description="How many recent lines (default 100)"),
    dyno: str | None = Query(None, description="web.1, or web for every web dyno"),
    source: str | None = Query(None, description="app or platform"),
    since: str | None = Query(None, description="ISO 8601 time or an age: 30s, 10m, 2h, 3d"),
    until: str | None = Query(None, description="ISO 8601 time or an age"),
    tail: bool = Query(False, description="Keep following new lines"),
) -> StreamingResponse:
    reader = request.app.state.services.log_reader
    wanted = LogRequest(num, dyno, source, since, until, tail)
    # Checked before the response starts, so bad parameters are a JSON 4xx.
    view = await run_in_threadpool(reader.open, app_name, wanted)
    keepalive = getattr(request.app.state, "log_keepalive_seconds", KEEPALIVE_SECONDS)

    async def body() -> AsyncIterator[str]:
        if view.history:
            yield "".join(f"{line.render()}\n" for line in view.history)
        if view.live is not None:
            async for chunk in _follow(view.live, keepalive):
                yield chunk

    return StreamingResponse(body(), media_type="text/plain; charset=utf-8",
                             headers={"X-Accel-Buffering": "no", "Cache-Control": "no-cache"})


async def _follow(live: Subscription, keepalive: float) -> AsyncIterator[str]:
    """Live lines until the hub stops or the client goes (cancellation closes `live`)."""
    loop = asyncio.get_running_loop()
    ready = asyncio.Event()
    live.on_ready(lambda: loop.call_soon_threadsafe(ready.set))
    try:
        while True:
            ready.clear()
            batch = live.get(timeout=0)
            if batch:
                yield "".join(f"{line.render()}\n" for line in batch)
                continue
            if live.closed:
                return
            try:
                await asyncio.wait_for(ready.wait(), keepalive)
            except asyncio.TimeoutError:
                yield "\n"
    finally:
        live.close()
