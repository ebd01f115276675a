"""OneOffDynoService: `paas run` and `paas run:detached`, as Heroku's POST /apps/{app}/dynos.

A one-off dyno runs a command in a new container from the current release's image,
with the release's config (plus the caller's extra env, then DYNO/PS). An attached
one waits, created but stopped, for its client at the rendezvous listener; a
detached one starts at once. The request is checked completely before anything is
created, so a refused request starts nothing.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Mapping, Protocol

from paas_platform.domain.config import MAX_CONFIG_BYTES, config_size, validate_config_key
from paas_platform.domain.errors import InvalidParams, PaasError, Unavailable
from paas_platform.runtime.engine import EngineHandle
from paas_platform.runtime.oneoff import RUN_TYPE, OneOffDynos, RunPlan
from paas_platform.runtime.rendezvous import AttachTarget, RendezvousServer
from paas_platform.services.clock import Clock, utc_now
from paas_platform.services.log_hub import NULL_LOGS, LogSink
from paas_platform.settings import Settings
from paas_platform.store import Store

log = logging.getLogger("paas.oneoff")

DEFAULT_TTL = 3600
MAX_TTL = 24 * 3600
MAX_COMMAND_BYTES = 16 * 1024
DOCKERFILE_BUILDPACK = "dockerfile"


class NoRelease(InvalidParams):
    id = "no_release"


class RendezvousUnavailable(Unavailable):
    id = "rendezvous_unavailable"


@dataclass(frozen=True)
class RunRequest:
    command: str
    attach: bool = True
    tty: bool = False
    env: Mapping[str, str] = field(default_factory=dict)
    time_to_live: int = DEFAULT_TTL


def check_request(request: RunRequest) -> RunRequest:
    """The request, or InvalidParams naming what is wrong (never echoing an env value)."""
    if not request.command.strip():
        raise InvalidParams("command must not be empty")
    if len(request.command.encode()) > MAX_COMMAND_BYTES:
        raise InvalidParams(f"command must be at most {MAX_COMMAND_BYTES} bytes")
    if "\x00" in request.command:
        raise InvalidParams("command must not contain NUL bytes")
    if not 1 <= request.time_to_live <= MAX_TTL:
        raise InvalidParams(f"time_to_live must be between 1 and {MAX_TTL} seconds")
    for key, value in request.env.items():
        validate_config_key(key)
        if "\x00" in value:
            raise InvalidParams(f"value of env var {key} must not contain NUL bytes")
    if config_size(request.env) > MAX_CONFIG_BYTES:
        raise InvalidParams(f"env must be at most {MAX_CONFIG_BYTES} bytes")
    return request


class Handle(AttachTarget, Protocol):
    def run_detached(self) -> None: ...


class Runtime(Protocol):
    def taken_names(self, app: str) -> set[str]: ...

    def create(self, plan: RunPlan) -> Handle: ...

    def recover(self) -> int: ...


class Rendezvous(Protocol):
    @property
    def listening(self) -> bool: ...

    @property
    def port(self) -> int: ...

    def issue(self, target: AttachTarget) -> str: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class OneOffDyno:
    """What POST /apps/{app}/dynos answers with."""

    name: str
    command: str
    app_id: str
    app_name: str
    release_id: str
    release_version: int
    attach_secret: str | None
    time_to_live: int
    created_at: datetime
    state: str = "starting"
    type: str = RUN_TYPE


def random_number(taken: set[str]) -> int:
    """A free 4-digit dyno number, like Heroku's run.4711."""
    while True:
        number = random.randint(1000, 9999)
        if f"{RUN_TYPE}.{number}" not in taken:
            return number


class OneOffDynoService:
    def __init__(self, store: Store, runtime: Runtime, rendezvous: Rendezvous,
                 memory_bytes: int, clock: Clock = utc_now,
                 number: Callable[[set[str]], int] = random_number,
                 logs: LogSink = NULL_LOGS) -> None:
        self._store = store
        self._logs = logs
        self._runtime = runtime
        self.rendezvous = rendezvous
        self._memory = memory_bytes
        self._clock = clock
        self._number = number

    def run(self, app_name: str, request: RunRequest, user: str) -> OneOffDyno:
        request = check_request(request)
        with self._store.transaction() as tx:
            app = tx.apps.get(app_name)
            release = tx.releases.current(app.id)
            build_id = release.build_id if release else None
            build = tx.builds.get(app.id, build_id) if build_id else None
        if release is None or build is None or not build.image_id:
            raise NoRelease(f"{app_name} has no release with a build yet; deploy it first "
                            "(paas push or git push paas main)")
        if request.attach and not self.rendezvous.listening:
            raise RendezvousUnavailable(
                "the rendezvous listener is not running, so dynos cannot be attached; "
                "use paas run:detached or ask the operator to check PAAS_RENDEZVOUS_PORT")
        dyno = f"{RUN_TYPE}.{self._number(self._runtime.taken_names(app_name))}"
        plan = RunPlan(
            app=app_name, dyno=dyno, image=build.image_id, command=request.command,
            env={**release.config, **request.env},
            slug_image=build.buildpack != DOCKERFILE_BUILDPACK,
            release_version=release.version, attach=request.attach,
            tty=request.tty and request.attach, time_to_live=request.time_to_live,
            memory_bytes=self._memory,
        )
        handle = self._runtime.create(plan)
        secret = None
        try:
            if request.attach:
                secret = self.rendezvous.issue(handle)
            else:
                handle.run_detached()
        except BaseException:
            handle.discard()
            raise
        # The command is left out on purpose: it may carry secrets typed on the command line.
        log.info("%s of %s (v%d) created by %s, %s", dyno, app_name, release.version, user,
                 "attached" if request.attach else "detached")
        self._logs.event(app_name, f"Starting {'attached' if request.attach else 'detached'} "
                                   f"one-off dyno {dyno} (v{release.version}) by {user}", dyno)
        return OneOffDyno(
            name=dyno, command=request.command, app_id=app.id, app_name=app.name,
            release_id=release.id, release_version=release.version, attach_secret=secret,
            time_to_live=request.time_to_live, created_at=self._clock(),
        )

    def start(self) -> None:
        """Listen for attaching clients, after tidying what an earlier run left behind.

        Call it before the API serves (a dyno created meanwhile would look left over).
        Neither failure stops the control plane: without an engine or the port, the
        rest of the API still works and `paas run` says why it cannot.
        """
        try:
            watched = self._runtime.recover()
            if watched:
                log.info("watching %d detached one-off dyno(s) left running", watched)
        except PaasError as exc:
            log.warning("one-off dynos left by an earlier run not checked: %s", exc.message)
        try:
            self.rendezvous.start()
        except OSError as exc:
            log.warning("rendezvous listener could not start (%s); paas run cannot attach", exc)

    def stop(self) -> None:
        if self.rendezvous.listening:
            self.rendezvous.stop()


def oneoff_service(settings: Settings, store: Store, clock: Clock = utc_now,
                   logs: LogSink = NULL_LOGS) -> OneOffDynoService:
    """The service on the real engine and listener; neither is touched until used or started.
    A detached dyno's output goes to the app's log stream as its own (app) lines, and its
    exit status as the platform's."""
    def on_output(app: str, dyno: str, line: str) -> None:
        logs.write(app, "app", dyno, line)

    def on_exit(app: str, dyno: str, line: str) -> None:
        logs.event(app, line, dyno)

    return OneOffDynoService(
        store, OneOffDynos(EngineHandle(), settings.instance, on_output, on_exit=on_exit),
        RendezvousServer(settings.api_host, settings.rendezvous_port),
        settings.dyno_memory, clock, logs=logs,
    )
