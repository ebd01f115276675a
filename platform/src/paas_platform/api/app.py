"""create_app(): the one function that wires settings, store and services into the API.

Nothing connects at import time; the caller passes an open Store (tests pass one
on a temporary database).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, FastAPI

from paas_platform import __version__
from paas_platform.api.auth import require_token
from paas_platform.api.errors import install_error_handlers
from paas_platform.api.routes import (
    account, addons, apps, builds, config_vars, domains, drains, formation, git, health, logs,
    oneoff, releases,
)
from paas_platform.builder.pipeline import BuildPipeline
from paas_platform.builder.source import SourceLimits
from paas_platform.git.repos import BareRepos
from paas_platform.services.addons import AddonRuntime, AddonService, NoAddonRuntime
from paas_platform.services.apps import AppService
from paas_platform.services.build_output import BuildOutputs
from paas_platform.services.builds import BuildService, Pipeline
from paas_platform.services.clock import Clock, utc_now
from paas_platform.services.config_vars import ConfigService
from paas_platform.services.domains import DomainService
from paas_platform.services.drains import DrainRunner, DrainService
from paas_platform.services.formation import FormationService
from paas_platform.services.log_hub import LogHub
from paas_platform.services.log_reader import LogReader
from paas_platform.services.maintenance import MaintenanceService
from paas_platform.services.oneoff_dynos import OneOffDynoService, oneoff_service
from paas_platform.services.releases import ReleaseService
from paas_platform.services.routing import NullRouterSync, RoutingSeam
from paas_platform.services.runner import NullRunner, Runner
from paas_platform.services.tokens import TokenService
from paas_platform.settings import Settings
from paas_platform.store import Store


@dataclass(frozen=True)
class Services:
    store: Store
    tokens: TokenService
    apps: AppService
    config: ConfigService
    releases: ReleaseService
    builds: BuildService
    formation: FormationService
    runner: Runner
    oneoff: OneOffDynoService
    domains: DomainService
    maintenance: MaintenanceService
    router: RoutingSeam
    addons: AddonService
    logs: LogHub
    log_reader: LogReader
    drains: DrainService


def make_log_hub(settings: Settings, store: Store, clock: Clock = utc_now) -> LogHub:
    """One per process: every writer and reader of the log stream shares it."""
    return LogHub(store, settings.log_max_lines, settings.log_max_age, clock)


def build_services(settings: Settings, store: Store, clock: Clock = utc_now,
                   pipeline: Pipeline | None = None, runner: Runner | None = None,
                   router: RoutingSeam | None = None,
                   addon_runtime: AddonRuntime | None = None, log_hub: LogHub | None = None,
                   drain_runner: DrainRunner | None = None) -> Services:
    limits = SourceLimits(settings.max_source_bytes, settings.max_unpacked_bytes)
    # Without a runner (API tests, no engine) releases succeed at once and nothing runs.
    runner = runner or NullRunner(store, clock)
    router = router or NullRouterSync()
    log_hub = log_hub or make_log_hub(settings, store, clock)
    config = ConfigService(store, runner, clock, log_hub)
    # Without an engine add-ons can be listed but not provisioned (503).
    addons = AddonService(store, config, addon_runtime or NoAddonRuntime(), settings.instance,
                          clock)
    return Services(
        store=store,
        tokens=TokenService(store, clock),
        apps=AppService(store, settings.stack, clock,
                        repos=BareRepos.for_data_dir(settings.data_dir), runner=runner,
                        addons=addons, logs=log_hub),
        config=config,
        releases=ReleaseService(store, runner, clock, log_hub),
        builds=BuildService(store, pipeline or BuildPipeline(settings), BuildOutputs(), limits,
                            runner, clock, log_hub),
        formation=FormationService(store, runner, clock, log_hub),
        runner=runner,
        oneoff=oneoff_service(settings, store, clock, log_hub),
        domains=DomainService(store, settings.domain, router.apply, clock, log_hub),
        maintenance=MaintenanceService(store, router.apply, clock, log_hub),
        router=router,
        addons=addons,
        logs=log_hub,
        log_reader=LogReader(store, log_hub, clock),
        # Without a drain runner (API tests) drains are stored but nothing is sent.
        drains=DrainService(store, drain_runner, log_hub, clock),
    )


def create_app(settings: Settings, store: Store, clock: Clock = utc_now,
               pipeline: Pipeline | None = None, runner: Runner | None = None,
               router: RoutingSeam | None = None,
               addon_runtime: AddonRuntime | None = None, log_hub: LogHub | None = None,
               drain_runner: DrainRunner | None = None) -> FastAPI:
    app = FastAPI(
        title="paas",
        version=__version__,
        description="A Heroku-style platform for twelve-factor apps.",
    )
    app.state.settings = settings
    app.state.services = build_services(settings, store, clock, pipeline, runner, router,
                                        addon_runtime, log_hub, drain_runner)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(git.router)  # authenticates itself: git speaks Basic, not Bearer
    authenticated = [Depends(require_token)]
    for module in (account, addons, apps, builds, config_vars, domains, drains, formation, logs,
                   oneoff, releases):
        app.include_router(module.router, dependencies=authenticated)
    return app
