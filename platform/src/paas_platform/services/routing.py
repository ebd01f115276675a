"""RouterSync: keeps the router's configuration equal to desired state.

The table is computed from the store (apps, their current and pending releases,
formations, custom domains, maintenance) and the engine (running web dynos and
their addresses), keeping only dynos that accept TCP on their port. It is
rendered (domain/router_config.py) as nginx.conf, reloaded only when hosts,
maintenance or settings changed, and as the dyno table, which the router takes up
without a reload; nothing is sent when nothing changed, so `apply()` is cheap to
call often: by the runner around rollouts and reconcile
passes, by API calls that change hosts, and every couple of seconds by a safety-net
loop. `drain()` takes dynos out of rotation before they are stopped.

nginx appends one access line per request to a file in a host directory mounted
into the router (settings.router_log_dir); a thread reads it in large reads
(runtime/file_tail.py, which also rotates it) and hands the lines, in batches, to
`on_access([(app, text), ...], position)`; `start_position()` says where the last
run stopped, so lines written while the control plane was down are not lost.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Protocol

from paas_platform.domain.errors import PaasError
from paas_platform.domain.logs import LogCursor, app_lines
from paas_platform.domain.releases import ReleaseStatus
from paas_platform.domain.router_config import (
    ACCESS_LOG_NAME, render_backends, render_nginx_config,
)
from paas_platform.domain.routing import (
    AccessLine, AppRoute, RouterOptions, RoutingTable, ServingRelease, WebEndpoint, default_hostname,
    parse_access_line, serving_endpoints,
)
from paas_platform.runtime.dynos import DYNO_PORT, _accepts
from paas_platform.runtime.file_tail import RotatingFileTail, TailPosition
from paas_platform.services.clock import utc_now
from paas_platform.services.desired_state import AppTarget, target_for
from paas_platform.services.log_hub import LogHub
from paas_platform.settings import Settings
from paas_platform.store import Store

log = logging.getLogger("paas.router")

# access lines and the position in the access log after them
AccessSink = Callable[[list[AccessLine], TailPosition | None], None]
ACCESS_LOG_POLL = 0.25  # seconds; nginx flushes its buffers every 250 ms


class Router(Protocol):
    """The runtime side (runtime/router.py: DockerRouter)."""

    def ensure(self, image: str, host_port: int, config: str, backends: str) -> bool: ...
    def app_networks(self) -> dict[str, str]: ...
    def connected_networks(self) -> set[str]: ...
    def connect(self, network: str) -> None: ...
    def disconnect(self, network: str) -> None: ...
    def web_endpoints(self) -> list[WebEndpoint]: ...
    def current_config(self) -> str | None: ...
    def current_backends(self) -> str | None: ...
    def load_config(self, text: str) -> None: ...
    def load_backends(self, text: str) -> None: ...
    def reopen_logs(self) -> None: ...


class RoutingSeam(Protocol):
    """What the runner and the API call (RouterSync, or NullRouterSync without an engine)."""

    def apply(self) -> bool: ...
    def drain(self, app: str, container_ids: Iterable[str]) -> bool: ...
    def forget(self, app: str) -> None: ...


def log_access_lines(entries: list[AccessLine], position: TailPosition | None = None) -> None:
    """Without a log store: access lines on the platform's stdout, one record per batch
    (a record per line costs more CPU than nginx spends per request)."""
    if entries:
            log.info("%s", "\n".join(f"{e.app} platform[router]: {e.text}" for e in entries))


ACCESS_LOG_CURSOR = "router:access.log"  # the access log's position among the log cursors


class AccessLinesToLogs:
    """Access lines into the apps' log streams as `platform[router]`, stored together
    with the access log's position, so a restarted platform resumes exactly there."""

    def __init__(self, logs: LogHub, clock: Callable[[], datetime] = utc_now) -> None:
        self._logs = logs
        self._clock = clock

    def __call__(self, entries: list[AccessLine], position: TailPosition | None) -> None:
        now = self._clock()
        lines = [line for e in entries if e.app != "-"  # no app: nobody's stream
                 for line in app_lines(e.app, e.at or now, "platform", "router", e.text)]
        cursors = [LogCursor(ACCESS_LOG_CURSOR, position.encode(), 0)] if position else []
        self._logs.publish(lines, cursors)

    def start_position(self) -> TailPosition | None:
        cursor = self._logs.cursor(ACCESS_LOG_CURSOR)
        return TailPosition.decode(cursor.timestamp) if cursor is not None else None


def end_of_access_log(path) -> Callable[[], TailPosition | None]:
    """Where a platform without a log store starts reading: what is new from now on."""
    def position() -> TailPosition | None:
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        return TailPosition(stat.st_ino, stat.st_size)
    return position


@dataclass(frozen=True)
class _AppPlan:
    """What the store says about one app; the engine supplies the dynos."""

    app: str
    hosts: tuple[str, ...]
    maintenance: bool
    current: ServingRelease | None
    pending: ServingRelease | None


def _serving(target: AppTarget | None) -> ServingRelease | None:
    if target is None:
        return None
    return ServingRelease(target.release.version, target.formation.get("web", 0))


class RouterSync:
    def __init__(self, store: Store, router: Callable[[], Router], image: Callable[[], str],
                 settings: Settings, probe: Callable[[str, int], bool] = _accepts,
                 on_access: AccessSink = log_access_lines,
                 start_position: Callable[[], TailPosition | None] | None = None) -> None:
        self._store = store
        self._router = router
        self._image = image
        self._settings = settings
        self._probe = probe
        self._on_access = on_access
        self._access_log = settings.router_log_dir / ACCESS_LOG_NAME
        self._start_position = start_position or end_of_access_log(self._access_log)
        self._options = RouterOptions(public_port=settings.router_port,
                                      timeout=settings.router_timeout, dyno_port=DYNO_PORT)
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._up = False
        self._image_ref: str | None = None
        self._applied_config: str | None = None
        self._applied_backends: str | None = None
        self._drained: set[str] = set()
        self._served: dict[str, str] = {}
        self._last_error = ""
        self._threads: list[threading.Thread] = []

    # -- the seam for the runner and the API ------------------------------------------------

    def apply(self) -> bool:
        """Recompute the table; reload nginx if the configuration changed (True then)."""
        with self._lock:
            if not self._up:
                return False
            router = self._router()
            plans = self._plans()
            endpoints = router.web_endpoints()
            self._drained &= {e.container_id for e in endpoints}  # forget dynos that are gone
            self._sync_networks(router, {plan.app for plan in plans})
            table = RoutingTable(tuple(self._route(plan, endpoints) for plan in plans), self._options)
            # Hosts first (a new app's server block), then its dynos.
            config, backends = render_nginx_config(table), render_backends(table)
            if config == self._applied_config and backends == self._applied_backends:
                return False
            if config != self._applied_config:
                router.load_config(config)
                self._applied_config = config
            if backends != self._applied_backends:
                router.load_backends(backends)
                self._applied_backends = backends
            self._report(table)
            return True

    def drain(self, app: str, container_ids: Iterable[str]) -> bool:
        """Stop routing to these dynos of `app` (before they are stopped); they stay out
        of rotation until they are gone from the engine."""
        with self._lock:
            self._drained.update(container_ids)
            return self.apply()

    def forget(self, app: str) -> None:
        """A destroyed app: leave its network, so the network can be removed. Never
        fails the destroy: a router in trouble catches up on its next sync."""
        with self._lock:
            if not self._up:
                return
            try:
                router = self._router()
                connected = router.connected_networks()
                for network, owner in router.app_networks().items():
                    if owner == app and network in connected:
                        router.disconnect(network)
                self.apply()
            except PaasError as exc:
                log.warning("router: could not leave %s's network yet: %s", app, exc.message)

    # -- the background loop ----------------------------------------------------------------

    def start(self) -> None:
        """Start or adopt the router and keep it in sync, in the background."""
        thread = threading.Thread(target=self._loop, name="router-sync", daemon=True)
        self._threads.append(thread)
        thread.start()

    def stop(self) -> None:
        """Stop syncing; the router itself keeps serving (it does not need us)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)

    def _loop(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                if not self._up:
                    self._bring_up()
                self.apply()
                self._last_error, failures = "", 0
            except PaasError as exc:
                self._up = False  # gone, stopped or broken: ensure() sorts it out next time
                failures += 1
                if exc.message != self._last_error:  # say it once, not every time
                    log.warning("router: %s", exc.message)
                    self._last_error = exc.message
            except Exception:
                self._up = False
                failures += 1
                log.exception("router sync crashed")
            # After failures (say the port is taken), try again less and less often.
            pause = self._settings.router_sync_interval * 2 ** min(failures, 5)
            self._stop.wait(pause if failures else self._settings.router_sync_interval)

    def _bring_up(self) -> None:
        with self._lock:
            if self._image_ref is None:
                self._image_ref = self._image()
            router = self._router()
            # A new router starts with the empty table (404 for every host) and gets the
            # real one at once; one adopted with the same table changes nothing, as
            # what it holds counts as applied.
            empty = RoutingTable((), self._options)
            adopted = router.ensure(self._image_ref, self._settings.router_port,
                                    render_nginx_config(empty), render_backends(empty))
            self._applied_config = router.current_config()
            self._applied_backends = router.current_backends()
            self._up = True
            log.info("router %s on port %d", "adopted" if adopted else "started",
                     self._settings.router_port)
            if not any(t.name == "router-log" for t in self._threads):
                follower = threading.Thread(target=self._follow_access_log, name="router-log",
                                            daemon=True)
                self._threads.append(follower)
                follower.start()

    def _follow_access_log(self) -> None:
        tail, last_error = None, ""
        while not self._stop.wait(ACCESS_LOG_POLL):
            try:
                if tail is None:
                    tail = RotatingFileTail(self._access_log, self._start_position(),
                                            reopen=lambda: self._router().reopen_logs())
                lines, position = tail.poll()
                if lines:
                    entries = [e for e in map(parse_access_line, lines) if e is not None]
                    self._on_access(entries, position)
                last_error = ""
            except Exception as exc:  # noqa: BLE001 - the file, the router or the store
                # Start again from the last position the sink stored: nothing is lost.
                if tail is not None:
                    tail.close()
                tail = None
                if str(exc) != last_error:  # say it once, not four times a second
                    log.warning("router: forwarding access lines: %s", exc)
                    last_error = str(exc)
        if tail is not None:
            tail.close()

    # -- the table ----------------------------------------------------------------------------

    def _plans(self) -> list[_AppPlan]:
        plans = []
        with self._store.transaction() as tx:
            hostnames = tx.domains.hostnames_by_app()
            for app in tx.apps.list():
                current = target_for(tx, app.name)
                live = tx.releases.latest_live(app.id)
                pending = None
                if (live is not None and live.status is ReleaseStatus.PENDING
                        and (current is None or live.version > current.release.version)):
                    pending = target_for(tx, app.name, live)
                hosts = (default_hostname(app.name, self._settings.domain),
                         *hostnames.get(app.id, []))
                plans.append(_AppPlan(app.name, hosts, app.maintenance, _serving(current),
                                      _serving(pending)))
        return plans

    def _route(self, plan: _AppPlan, endpoints: list[WebEndpoint]) -> AppRoute:
        mine = [e for e in endpoints if e.app == plan.app]
        releases = [r for r in (plan.current, plan.pending) if r is not None]
        candidates = [e for e in mine if e.container_id not in self._drained and any(
            e.release_version == r.version and e.number <= r.web_quantity for r in releases)]
        ready = self._ready(candidates) if candidates and not plan.maintenance else set()
        serving = serving_endpoints(mine, plan.current, plan.pending, ready, self._drained)
        return AppRoute(plan.app, plan.hosts, tuple(serving), plan.maintenance)

    def _ready(self, candidates: list[WebEndpoint]) -> set[str]:
        """The candidates that accept TCP on their port (probed side by side)."""
        def probe(e: WebEndpoint) -> bool:
            return self._probe(e.address, DYNO_PORT)

        if len(candidates) == 1:
            results = [probe(candidates[0])]
        else:
            with ThreadPoolExecutor(max_workers=min(16, len(candidates))) as pool:
                results = list(pool.map(probe, candidates))
        return {e.container_id for e, ok in zip(candidates, results) if ok}

    def _sync_networks(self, router: Router, apps: set[str]) -> None:
        """On every network of an app that exists; off those of destroyed apps."""
        connected = router.connected_networks()
        for network, app in router.app_networks().items():
            if app in apps and network not in connected:
                router.connect(network)
            elif app not in apps and network in connected:
                router.disconnect(network)

    def _report(self, table: RoutingTable) -> None:
        """One log line per app whose routing changed."""
        served = {}
        for route in table.routes:
            if route.maintenance:
                served[route.app] = "maintenance mode (H80)"
            elif not route.endpoints:
                served[route.app] = "no web dynos (H14)"
            else:
                versions = sorted({e.release_version for e in route.endpoints})
                served[route.app] = (", ".join(e.dyno for e in route.endpoints)
                                     + " (" + ", ".join(f"v{v}" for v in versions) + ")")
        for app, what in sorted(served.items()):
            if self._served.get(app) != what:
                log.info("router: %s -> %s", app, what)
        self._served = served


class NullRouterSync:
    """No engine (API tests, a platform started without Docker): nothing to route."""

    def apply(self) -> bool:
        return False

    def drain(self, app: str, container_ids: Iterable[str]) -> bool:
        return False

    def forget(self, app: str) -> None:
        pass
