"""`paas-platform up`: migrate, bootstrap a token, then serve the API in the foreground.

uvicorn owns the event loop and the signals: SIGTERM or SIGINT stop accepting
connections, finish in-flight requests, run shutdown, and exit.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from datetime import datetime, timezone

import uvicorn

from paas_platform.api import create_app
from paas_platform.api.app import make_log_hub
from paas_platform.builder.pipeline import BuildPipeline
from paas_platform.domain.errors import PaasError
from paas_platform.runtime.addon_images import ensure_addon_image
from paas_platform.runtime.addons import DockerAddons
from paas_platform.runtime.cleanup import remove_app_objects
from paas_platform.runtime.dynos import DockerDynos
from paas_platform.runtime.engine import EngineHandle
from paas_platform.runtime.images import DockerImages
from paas_platform.runtime.networks import ensure_app_network
from paas_platform.runtime.router import DockerRouter, ensure_router_image
from paas_platform.services.addons import AddonService
from paas_platform.services.reconciler import FormationReconciler
from paas_platform.runtime.log_collector import LogCollector, connect_for_logs
from paas_platform.services.drains import DrainManager
from paas_platform.services.log_hub import NULL_LOGS, LogHub, LogSink
from paas_platform.services.rollout import Rollout
from paas_platform.services.routing import AccessLinesToLogs, RouterSync
from paas_platform.services.runner import DockerRunner
from paas_platform.services.tokens import TokenService
from paas_platform.settings import Settings
from paas_platform.store import open_store

log = logging.getLogger("paas.server")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _Server(uvicorn.Server):
    """uvicorn waits for open responses before it stops; ending the log followers
    first lets `paas logs --tail` streams finish instead of holding the shutdown."""

    def __init__(self, config: uvicorn.Config, logs: LogHub) -> None:
        super().__init__(config)
        self._logs = logs

    async def shutdown(self, sockets=None) -> None:
        self._logs.stop()
        await super().shutdown(sockets)


class _Terminated(Exception):
    """Raised by our SIGTERM handler, which uvicorn re-raises after its graceful shutdown."""


def _on_sigterm(_signum, _frame) -> None:
    raise _Terminated()


def configure_logging(level: str) -> None:
    logging.basicConfig(stream=sys.stdout, level=level.upper(), format=LOG_FORMAT, force=True)
    # Alembic announces every plugin it loads at INFO; only its warnings matter here.
    logging.getLogger("alembic").setLevel(logging.WARNING)


def docker_router(settings: Settings, store, engine: EngineHandle, pipeline: BuildPipeline,
                  logs: LogHub) -> RouterSync:
    """The router on the real engine: its image is made from the stack's run image; its
    access lines go to the apps' log streams."""
    def image() -> str:
        run_image = pipeline.ensure_stack().run
        return ensure_router_image(DockerImages(engine.client), run_image, settings.stack)

    def router() -> DockerRouter:
        return DockerRouter(engine.client, settings.instance, settings.router_log_dir)

    access = AccessLinesToLogs(logs)
    return RouterSync(store, router, image, settings, on_access=access,
                      start_position=access.start_position)


def docker_runner(settings: Settings, store, engine: EngineHandle,
                  router: RouterSync | None = None, logs: LogSink = NULL_LOGS,
                  collector: LogCollector | None = None):
    """The runner on the real engine: rollout plus the reconcile loop, sharing one client."""
    # A stopped dyno is removed only once the collector has read its last lines.
    before_remove = collector.before_remove if collector is not None else (lambda cid: None)

    def dynos() -> DockerDynos:
        return DockerDynos(engine.client, settings.instance, before_remove)

    def network(app: str) -> str:
        return ensure_app_network(engine.client, settings.instance, app)

    reconciler = FormationReconciler(store, dynos, network, settings, router=router, logs=logs)
    rollout = Rollout(store, dynos, network, settings, router=router, logs=logs)
    def forget(app: str) -> int:
        if router is not None:
            router.forget(app)  # the router leaves the app's network, so it can be removed
        return remove_app_objects(engine.client, settings.instance, app)

    def drain(app: str, container_ids: list[str]) -> None:
        if router is not None and container_ids:
            router.drain(app, container_ids)

    return (DockerRunner(dynos, rollout, reconciler, settings.stop_grace, forget, drain),
            reconciler)


def docker_addons(settings: Settings, engine: EngineHandle, pipeline: BuildPipeline) -> DockerAddons:
    """Add-on servers on the real engine; their images are made from the stack's run image."""
    def image(kind: str) -> str:
        run_image = pipeline.ensure_stack().run
        return ensure_addon_image(DockerImages(engine.client), run_image, settings.stack, kind)

    return DockerAddons(engine.client, settings.instance, image)


def _ensure_addons(addons: AddonService, started_at) -> None:
    """Like the runner's resume: every add-on's server back up, on its apps' networks."""
    try:
        changed = addons.ensure_all(started_at)
        if changed:
            log.info("add-ons: %d server(s) started or reconnected", changed)
    except PaasError as exc:
        log.error("add-ons could not be ensured: %s", exc.message)


def _prepare_stack(pipeline: BuildPipeline) -> None:
    try:
        pipeline.ensure_stack(progress=log.info)
    except PaasError as exc:
        log.error("stack images could not be made: %s", exc.message)


def fail_unfinished_builds(store) -> int:
    with store.transaction(write=True) as tx:
        return tx.builds.fail_unfinished(
            " !     The platform stopped during this build\n", datetime.now(timezone.utc)
        )


def _prune_logs(logs: LogHub) -> None:
    """Apply the log caps to every app once at start (quiet apps are not pruned by writes)."""
    try:
        removed = logs.prune_all()
        if removed:
            log.info("log retention removed %d old line(s)", removed)
    except PaasError as exc:
        log.warning("log retention not applied: %s", exc.message)


def _report_engine() -> bool:
    """Say whether the Docker Engine the runtime needs is reachable (the API works without it)."""
    from paas_platform.runtime.engine import EngineUnavailable, connect, engine_info

    try:
        client = connect()
        info = engine_info(client)
        client.close()
        log.info("Docker Engine %s reachable (API %s)", info.version, info.api_version)
        return True
    except EngineUnavailable as exc:
        log.warning("%s; builds and dynos need it (scripts/setup-host.sh starts one)", exc.message)
        return False


def _start_collector(settings: Settings, logs: LogHub) -> LogCollector | None:
    """Every dyno's output into the log hub, resumed from the stored cursors."""
    collector = LogCollector(connect_for_logs, settings.instance, logs)
    try:
        collector.start()
    except Exception as exc:  # noqa: BLE001 - the API still serves; dynos' lines wait in Docker
        log.error("log collector not started: %s", exc)
        return None
    return collector


def _start_drains(drains: DrainManager) -> None:
    try:
        started = drains.start()
    except PaasError as exc:
        log.error("log drains not started: %s", exc.message)
        return
    if started:
        log.info("%d log drain(s) started", started)


def serve(settings: Settings) -> None:
    configure_logging(settings.log_level)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(settings.resolved_database_url)
    log.info("store ready (%s), schema migrated", store.backend)
    if TokenService(store).bootstrap(settings.bootstrap_token):
        log.info("PAAS_BOOTSTRAP_TOKEN installed as the admin token")
    elif settings.bootstrap_token:
        log.info("PAAS_BOOTSTRAP_TOKEN ignored: the store already has tokens")
    failed = fail_unfinished_builds(store)
    if failed:
        log.warning("%d build(s) left unfinished by the last run marked failed", failed)
    logs = make_log_hub(settings, store)
    threading.Thread(target=_prune_logs, args=(logs,), name="log-prune", daemon=True).start()
    engine = EngineHandle()
    pipeline = BuildPipeline(settings, engine)
    runner, reconciler, router, addon_runtime, collector = None, None, None, None, None
    started_at = datetime.now(timezone.utc)
    drain_manager = DrainManager(store, logs, settings.drain_ca_certs)
    _start_drains(drain_manager)
    if _report_engine():
        collector = _start_collector(settings, logs)
        # In the background: the API answers at once; builds wait for the stack.
        threading.Thread(target=_prepare_stack, args=(pipeline,), name="stack", daemon=True).start()
        router = docker_router(settings, store, engine, pipeline, logs)
        runner, reconciler = docker_runner(settings, store, engine, router, logs, collector)
        runner.resume(store)
        reconciler.start()
        router.start()  # starts or adopts the router once the stack is there
        addon_runtime = docker_addons(settings, engine, pipeline)
    app = create_app(settings, store, pipeline=pipeline, runner=runner, router=router,
                     addon_runtime=addon_runtime, log_hub=logs, drain_runner=drain_manager)
    if addon_runtime is not None:
        threading.Thread(target=_ensure_addons, args=(app.state.services.addons, started_at),
                         name="addons", daemon=True).start()
    app.state.services.oneoff.start()  # `paas run` rendezvous listener
    config = uvicorn.Config(
        app,
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,  # keep our stdout logging format
        access_log=True,
        server_header=False,
    )
    log.info("paas API on http://%s:%d (instance %s)", settings.api_host, settings.api_port,
             settings.instance)
    # uvicorn handles SIGTERM itself (graceful shutdown), then re-raises it to the
    # handler that was installed before: ours, so the process exits 0, not by signal.
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        _Server(config, logs).run()
    except _Terminated:
        pass
    finally:
        app.state.services.oneoff.stop()
        if collector is not None:
            collector.stop()
        drain_manager.stop()
        logs.stop()
        if reconciler is not None:
            reconciler.stop()
        if router is not None:
            router.stop()  # the router container keeps serving without us
        store.close()
        log.info("paas API stopped")
