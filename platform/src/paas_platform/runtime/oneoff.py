"""One-off containers from a release's image: the release phase, and `paas run` dynos.

The release phase runs to completion (OneOffRunner). A `paas run` dyno (OneOffDynos)
is created stopped: an attached one starts once its client has reached the rendezvous
listener, so no output is lost, and is bridged to it (OneOffContainer.attach); a
detached one starts at once and its output goes to the log. Either is killed when its
time-to-live runs out and removed once it has exited and its status was reported.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Callable

from docker.utils.socket import STDERR, frames_iter

from paas_platform.domain.errors import PaasError
from paas_platform.runtime.containers import (
    ContainerSpec, DockerContainers, LineBuffer, create_kwargs, start_watchdog,
)
from paas_platform.runtime.engine import (
    INSTANCE_LABEL, LABEL_PREFIX, EngineHandle, engine_errors, instance_labels,
)
from paas_platform.runtime.networks import ensure_app_network
from paas_platform.runtime.rendezvous import WINDOW_SIZE, Frame, FrameConnection

log = logging.getLogger("paas.oneoff")
output_log = logging.getLogger("paas.oneoff.output")

LAUNCHER = "/usr/local/bin/paas-launcher"
ONEOFF_MEMORY = 512 * 1024**2
ONEOFF_ROLE = "oneoff"
RUN_TYPE = "run"
EXPIRES_LABEL = f"{LABEL_PREFIX}.expires_at"
ATTACHED_LABEL = f"{LABEL_PREFIX}.attached"
KILLED_STATUS = 137  # what a SIGKILLed process reports; also ours when the engine is lost


def command_for(command: str, slug_image: bool) -> tuple[list[str] | None, list[str]]:
    """(entrypoint, cmd) that run a Procfile-style command line in the image.

    Slug images start through the launcher (profile scripts, then bash -c); images
    built from a Dockerfile have no launcher, so their shell runs the line.
    """
    if slug_image:
        return [LAUNCHER], [command]
    return ["/bin/sh", "-c"], [command]


def oneoff_spec(instance: str, app: str, dyno: str, image: str, command: str,
                env: dict[str, str], slug_image: bool, memory_bytes: int,
                release_version: int | None = None, network: str | None = None,
                **labels: str) -> ContainerSpec:
    """The hardened spec of a one-off container (release phase or `paas run`)."""
    entrypoint, cmd = command_for(command, slug_image)
    all_labels = instance_labels(instance, app=app, process_type=dyno.split(".", 1)[0],
                                 dyno=dyno, role=ONEOFF_ROLE, **labels)
    if release_version is not None:
        all_labels[f"{LABEL_PREFIX}.release"] = str(release_version)
    return ContainerSpec(
        image=image,
        name=f"{instance}-{app}-{dyno}-{uuid.uuid4().hex[:6]}",
        labels=all_labels,
        entrypoint=entrypoint,
        command=cmd,
        env={**env, "DYNO": dyno, "PS": dyno},
        user="1000:1000" if slug_image else "",
        working_dir="/app" if slug_image else None,
        memory_bytes=memory_bytes,
        network=network,
    )


class OneOffRunner:
    def __init__(self, containers: DockerContainers, instance: str) -> None:
        self._containers = containers
        self._instance = instance

    def run(self, app: str, image: str, command: str, env: dict[str, str], dyno: str,
            slug_image: bool, say: Callable[[str], None], timeout: float,
            release_version: int | None = None, network: str | None = None,
            ) -> tuple[int, bool]:
        """Run to completion with the release's config; (exit code, timed out)."""
        spec = oneoff_spec(self._instance, app, dyno, image, command, env, slug_image,
                           ONEOFF_MEMORY, release_version, network)
        return self._containers.run(spec, say, timeout)


@dataclass(frozen=True)
class RunPlan:
    """A `paas run` dyno, as the service decided it."""

    app: str
    dyno: str  # run.4711
    image: str
    command: str
    env: dict[str, str]
    slug_image: bool
    release_version: int
    attach: bool
    tty: bool
    time_to_live: int  # seconds
    memory_bytes: int = ONEOFF_MEMORY


OutputSink = Callable[[str, str, str], None]  # (app, dyno, line)


def log_output(app: str, dyno: str, line: str) -> None:
    """Where detached output goes until logs are aggregated: the platform's log."""
    output_log.info("%s app[%s]: %s", app, dyno, line)


class OneOffDynos:
    """`paas run` containers on the engine: create, and find leftovers after a restart."""

    def __init__(self, engine: EngineHandle, instance: str, on_output: OutputSink = log_output,
                 clock: Callable[[], float] = time.time,
                 on_exit: OutputSink | None = None) -> None:
        self._engine = engine
        self._instance = instance
        self._on_output = on_output
        # The platform's own line about a detached dyno's end (default: with its output).
        self._on_exit = on_exit or on_output
        self._clock = clock

    def _filters(self, app: str | None = None) -> dict:
        labels = [f"{INSTANCE_LABEL}={self._instance}", f"{LABEL_PREFIX}.role={ONEOFF_ROLE}",
                  f"{LABEL_PREFIX}.process_type={RUN_TYPE}"]
        if app:
            labels.append(f"{LABEL_PREFIX}.app={app}")
        return {"label": labels}

    def taken_names(self, app: str) -> set[str]:
        """Names (run.N) of the app's one-off dynos that exist now."""
        with engine_errors(f"listing one-off dynos of {app}"):
            containers = self._engine.client.containers.list(all=True, filters=self._filters(app),
                                                                ignore_removed=True)
        return {c.labels.get(f"{LABEL_PREFIX}.dyno", "") for c in containers}

    def create(self, plan: RunPlan) -> "OneOffContainer":
        """The container on the app's network, hardened, created but not started."""
        client = self._engine.client
        network = ensure_app_network(client, self._instance, plan.app)
        expires = int(self._clock()) + plan.time_to_live
        spec = oneoff_spec(
            self._instance, plan.app, plan.dyno, plan.image, plan.command, plan.env,
            plan.slug_image, plan.memory_bytes, plan.release_version, network,
            expires_at=str(expires), attached=str(plan.attach).lower(),
        )
        # detach=False with stdin_open sets StdinOnce: when the client's stdin ends, the
        # command's does too (docker run -i). A detached dyno gets no stdin at all.
        kwargs = {**create_kwargs(spec), "detach": not plan.attach, "stdin_open": plan.attach,
                  "tty": plan.tty and plan.attach}
        with engine_errors(f"creating one-off dyno {plan.dyno} of {plan.app}"):
            container = client.containers.create(**kwargs)
        return OneOffContainer(container, plan.app, plan.dyno, plan.tty,
                               float(plan.time_to_live), self._on_output, self._on_exit)

    def recover(self) -> int:
        """After a restart: remove finished or never-attached leftovers, end attached ones
        (their client is gone with the old process), and watch detached ones again with
        what is left of their time-to-live. Returns how many were still running."""
        with engine_errors("listing one-off dynos"):
            containers = self._engine.client.containers.list(all=True, filters=self._filters(),
                                                                ignore_removed=True)
        watched = 0
        for container in containers:
            labels = container.labels
            handle = OneOffContainer(
                container, labels.get(f"{LABEL_PREFIX}.app", "?"),
                labels.get(f"{LABEL_PREFIX}.dyno", "run.?"), False,
                _remaining(labels.get(EXPIRES_LABEL), self._clock()), self._on_output,
                self._on_exit,
            )
            if container.status == "running" and labels.get(ATTACHED_LABEL) == "false":
                handle.watch(since=int(self._clock()))
                watched += 1
            else:
                handle.discard()
        return watched


def _remaining(expires_at: str | None, now: float) -> float:
    try:
        return max(0.0, float(expires_at or 0) - now)
    except ValueError:
        return 0.0


def _quietly(action: Callable[[], object], what: str) -> None:
    """Best-effort engine call (kill, remove): the container may already be gone."""
    try:
        with engine_errors(what):
            action()
    except PaasError as exc:
        log.debug("%s: %s", what, exc.message)


class OneOffContainer:
    """One `paas run` container: the rendezvous AttachTarget, or a detached run."""

    def __init__(self, container, app: str, dyno: str, tty: bool, time_to_live: float,
                 on_output: OutputSink, on_exit: OutputSink | None = None) -> None:
        self._container = container
        self.app = app
        self.dyno = dyno
        self._tty = tty
        self._ttl = time_to_live
        self._on_output = on_output
        self._on_exit = on_exit or on_output
        self._finished = threading.Event()

    # -- attached (`paas run`) -----------------------------------------------------------

    def attach(self, conn: FrameConnection) -> None:
        """Bridge `conn` to the container until it exits, then report and remove it."""
        try:
            with engine_errors(f"starting {self.dyno} of {self.app}"):
                sock = self._container.attach_socket(
                    params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
                self._container.start()
        except PaasError as exc:
            conn.send_error(f"{self.dyno} could not start: {exc.message}")
            conn.close()
            self.discard()
            return
        raw = getattr(sock, "_sock", sock)  # writable socket under docker-py's SocketIO
        raw.settimeout(None)  # silence is normal; the time-to-live bounds the session
        watchdog = start_watchdog(self._container, self._ttl)
        threading.Thread(target=self._forward_input, args=(conn, raw), daemon=True,
                         name=f"stdin-{self.dyno}").start()
        try:
            self._forward_output(sock, conn)
            status = self._wait()
        finally:
            self._finished.set()
            watchdog.cancel()
            _close(raw)
        # Removed before the status is reported: when `paas run` returns, the dyno is gone.
        self.discard()
        if watchdog.fired:
            conn.send_error(f"{self.dyno} was stopped: its time-to-live of "
                            f"{int(self._ttl)}s ran out")
        conn.send_exit(status)
        conn.close()
        why = " (time-to-live ran out)" if watchdog.fired else ""
        log.info("%s of %s exited with status %d%s", self.dyno, self.app, status, why)

    def _forward_output(self, sock, conn: FrameConnection) -> None:
        try:
            for stream, data in frames_iter(sock, self._tty):
                kind = Frame.STDERR if stream == STDERR else Frame.STDOUT
                if data and not conn.send(kind, data):
                    self._kill("its client went away")
                    return
        except OSError:
            pass  # the engine closed the stream: the container has exited (or was killed)

    def _forward_input(self, conn: FrameConnection, raw: socket.socket) -> None:
        while (frame := conn.read_frame()) is not None:
            kind, payload = frame
            try:
                if kind == Frame.STDIN:
                    raw.sendall(payload)
                elif kind == Frame.STDIN_EOF:
                    raw.shutdown(socket.SHUT_WR)  # the engine closes the command's stdin
                elif kind == Frame.RESIZE and self._tty and len(payload) == WINDOW_SIZE.size:
                    rows, cols = WINDOW_SIZE.unpack(payload)
                    _quietly(partial(self._container.resize, height=rows, width=cols),
                             f"resizing the terminal of {self.dyno}")
            except OSError:
                pass  # the command closed its stdin or exited; keep reading for the end
        if not self._finished.is_set():
            self._kill("its client went away")

    # -- detached (`paas run:detached`) --------------------------------------------------

    def run_detached(self) -> None:
        with engine_errors(f"starting {self.dyno} of {self.app}"):
            self._container.start()
        self.watch()

    def watch(self, since: int | None = None) -> None:
        """In the background: log its output and exit status, enforce the TTL, remove it."""
        threading.Thread(target=self._follow, args=(since,), daemon=True,
                         name=f"oneoff-{self.dyno}").start()

    def _follow(self, since: int | None) -> None:
        watchdog = start_watchdog(self._container, self._ttl)
        buffer = LineBuffer(lambda line: self._on_output(self.app, self.dyno, line))
        try:
            with engine_errors(f"following {self.dyno} of {self.app}"):
                for chunk in self._container.logs(stream=True, follow=True, stdout=True,
                                                  stderr=True, since=since):
                    buffer.feed(chunk)
            buffer.close()
            status = self._wait()
        except PaasError as exc:
            log.warning("lost track of %s of %s: %s", self.dyno, self.app, exc.message)
            status = KILLED_STATUS
        finally:
            watchdog.cancel()
        why = " (time-to-live ran out)" if watchdog.fired else ""
        self._on_exit(self.app, self.dyno, f"Process exited with status {status}{why}")
        log.info("%s of %s exited with status %d%s", self.dyno, self.app, status, why)
        self.discard()

    # -- either -----------------------------------------------------------------------

    def discard(self) -> None:
        _quietly(lambda: self._container.remove(force=True), f"removing {self.dyno}")

    def _wait(self) -> int:
        try:
            with engine_errors(f"waiting for {self.dyno} of {self.app}"):
                return int(self._container.wait().get("StatusCode", KILLED_STATUS))
        except PaasError as exc:
            log.warning("%s", exc.message)
            return KILLED_STATUS

    def _kill(self, why: str) -> None:
        log.info("killing %s of %s: %s", self.dyno, self.app, why)
        _quietly(self._container.kill, f"killing {self.dyno}")


def _close(raw) -> None:
    try:
        raw.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    raw.close()
