"""What should run for an app: the release's image and commands times the formation."""

from __future__ import annotations

from dataclasses import dataclass

from paas_platform.domain.formation import (
    DEFAULT_SIZE, initial_quantity, runnable_types, size_limits,
)
from paas_platform.domain.releases import Release
from paas_platform.runtime.dynos import DynoSpec
from paas_platform.settings import Settings

DOCKERFILE_BUILDPACK = "dockerfile"


@dataclass(frozen=True)
class AppTarget:
    app: str
    release: Release
    image: str
    slug_image: bool
    commands: dict[str, str]
    formation: dict[str, int]
    sizes: dict[str, str]
    health_check_path: str | None = None

    def slots(self, process_type: str | None = None) -> list[tuple[str, int]]:
        return [
            (ptype, n)
            for ptype, quantity in self.formation.items()
            if process_type is None or ptype == process_type
            for n in range(1, quantity + 1)
        ]

    def spec(self, process_type: str, number: int, network: str, settings: Settings) -> DynoSpec:
        size = self.sizes.get(process_type, DEFAULT_SIZE)
        memory, pids = size_limits(size, settings.dyno_memory)
        return DynoSpec(
            app=self.app, process_type=process_type, number=number,
            release_version=self.release.version, image=self.image,
            command=self.commands[process_type], slug_image=self.slug_image,
            config=self.release.config, network=network, memory_bytes=memory, pids_limit=pids,
            extra_labels={"size": size},
        )


def quantities(process_types: dict[str, str], stored: dict[str, int]) -> dict[str, int]:
    """The formation for these process types: stored quantities, else the defaults."""
    return {ptype: stored.get(ptype, initial_quantity(ptype)) for ptype in runnable_types(process_types)}


def target_for(tx, app_name: str, release: Release | None = None) -> AppTarget | None:
    """The target for `release` (default: the current one); None if nothing can run."""
    app = tx.apps.find(app_name)
    if app is None:
        return None
    release = release or tx.releases.current(app.id)
    if release is None or release.build_id is None:
        return None
    build = tx.builds.get(app.id, release.build_id)
    if build is None or build.image_id is None:
        return None
    commands = runnable_types(build.process_types)
    return AppTarget(
        app=app_name, release=release, image=build.image_id,
        slug_image=build.buildpack != DOCKERFILE_BUILDPACK, commands=commands,
        formation=quantities(build.process_types, tx.formation.get(app.id)),
        sizes=tx.formation.sizes(app.id),
        health_check_path=app.health_check_path,
    )
