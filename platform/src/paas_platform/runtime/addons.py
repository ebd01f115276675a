"""Add-on servers on the Docker Engine: one container and one named volume per add-on.

The container `{instance}-addon-{name}` is labelled with the instance, role `addon`
and the add-on's name (never an app: it may serve several, and an app's cleanup must
not take it). It joins only the networks of the apps it is attached to, under a
network alias equal to the add-on's name, so attached dynos reach it as
`postgresql-curved-12345:5432` and nothing else can: it is never on the default
bridge. It runs as the server's own user with every capability dropped, with memory
and pids limits and log rotation, and restarts `unless-stopped`, so it is back after
a Docker daemon restart; the platform also re-ensures it when it starts.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

import docker

from paas_platform.domain.addons import Addon, AddonStatus
from paas_platform.domain.errors import NotFound, PaasError, Unavailable
from paas_platform.runtime.addon_images import DATA_DIR, ENTRYPOINT, SERVER_USER
from paas_platform.runtime.containers import ContainerSpec, create_kwargs
from paas_platform.runtime.engine import (
    INSTANCE_LABEL, LABEL_PREFIX, engine_errors, instance_labels,
)
from paas_platform.runtime.networks import app_network_name, ensure_app_network

log = logging.getLogger("paas.addons")

ADDON_LABEL = f"{LABEL_PREFIX}.addon"
MEMORY = {"postgresql": 512 * 1024**2, "redis": 256 * 1024**2}
PIDS_LIMIT = 256
READY_TIMEOUT = 60.0


class AddonNotReady(Unavailable):
    id = "addon_not_ready"


def container_name(instance: str, addon: str) -> str:
    return f"{instance}-addon-{addon}"


def _readiness_argv(addon: Addon) -> list[list[str]]:
    """Commands that succeed once the server accepts connections and answers."""
    c = addon.credentials
    if addon.kind == "redis":
        return [["redis-cli", "-h", "127.0.0.1", "PING"]]
    return [["pg_isready", "-q", "-h", "/tmp"],
            ["psql", "-h", "/tmp", "-U", c.user, "-d", c.database, "-tAc", "SELECT 1"]]


class DockerAddons:
    def __init__(self, client: docker.DockerClient, instance: str,
                 image: Callable[[str], str], ready_timeout: float = READY_TIMEOUT) -> None:
        self._client = client
        self._instance = instance
        self._image = image  # kind -> image ref (built on first use)
        self._ready_timeout = ready_timeout

    # -- lifecycle ------------------------------------------------------------------------

    def provision(self, addon: Addon, apps: list[str]) -> None:
        """Create the volume and the container on the apps' networks, start it and wait
        until it answers. Leaves nothing behind when it fails."""
        try:
            self._create(addon, apps)
            self.wait_ready(addon)
        except BaseException:
            self.remove(addon)
            raise

    def ensure(self, addon: Addon, apps: list[str]) -> bool:
        """Make the add-on's container exist, run and sit on exactly the `apps`' networks
        (the platform's start); True when something had to change."""
        container = self._find(addon)
        if container is None:
            log.info("add-on %s: container missing, starting a new one on its volume", addon.name)
            self._create(addon, apps)
            return True
        changed = self._sync_networks(container, apps)
        if container.status != "running":
            with engine_errors(f"starting add-on {addon.name}"):
                container.start()
            changed = True
        return changed

    def remove(self, addon: Addon) -> None:
        """The container and the volume with the data (best effort, idempotent)."""
        container = self._find(addon)
        if container is not None:
            with engine_errors(f"removing add-on {addon.name}"):
                container.remove(force=True)
        try:
            with engine_errors(f"removing volume {addon.volume}"):
                self._client.volumes.get(addon.volume).remove(force=True)
        except NotFound:
            pass

    def remove_unknown(self, known: Callable[[], set[str]]) -> int:
        """Remove this instance's add-on servers (and volumes) that have no add-on row:
        left by a destroy whose engine step failed, or an interrupted provision.
        `known()` is asked after listing: a provision running meanwhile inserted its
        row before it made its container, so its container is never taken for an orphan."""
        with engine_errors("listing add-ons"):
            containers = self._client.containers.list(all=True, filters={"label": [
                f"{INSTANCE_LABEL}={self._instance}", f"{LABEL_PREFIX}.role=addon"]})
            volumes = self._client.volumes.list(filters={"label": [
                f"{INSTANCE_LABEL}={self._instance}", f"{LABEL_PREFIX}.role=addon"]})
        known_names, removed = known(), 0
        for container in containers:
            if container.labels.get(ADDON_LABEL) not in known_names:
                with engine_errors(f"removing {container.name}"):
                    container.remove(force=True)
                removed += 1
        for volume in volumes:
            if (volume.attrs.get("Labels") or {}).get(ADDON_LABEL) not in known_names:
                with engine_errors(f"removing volume {volume.name}"):
                    volume.remove(force=True)
                removed += 1
        return removed

    # -- networks -------------------------------------------------------------------------

    def connect(self, addon: Addon, app: str) -> None:
        network = ensure_app_network(self._client, self._instance, app)
        container = self._get(addon)
        if network in self._networks(container):
            return
        with engine_errors(f"connecting add-on {addon.name} to {network}"):
            self._client.api.connect_container_to_network(container.id, network,
                                                          aliases=[addon.name])

    def disconnect(self, addon: Addon, app: str) -> None:
        network = app_network_name(self._instance, app)
        container = self._find(addon)
        if container is None or network not in self._networks(container):
            return
        try:
            with engine_errors(f"disconnecting add-on {addon.name} from {network}"):
                self._client.api.disconnect_container_from_network(container.id, network)
        except NotFound:
            pass

    # -- state ----------------------------------------------------------------------------

    def wait_ready(self, addon: Addon) -> None:
        deadline = time.monotonic() + self._ready_timeout
        last = "not started"
        while time.monotonic() < deadline:
            container = self._get(addon)
            if container.status in ("exited", "dead"):
                tail = container.logs(tail=5).decode("utf-8", "replace").strip().splitlines()
                raise AddonNotReady(f"add-on {addon.name} stopped while starting: "
                                    f"{tail[-1] if tail else 'no output'}")
            if container.status == "running":
                ok, last = self._answers(addon)
                if ok:
                    return
            time.sleep(0.3)
        raise AddonNotReady(f"add-on {addon.name} did not accept connections within "
                            f"{self._ready_timeout:.0f} s ({last})")

    def status(self, addon: Addon) -> AddonStatus:
        container = self._find(addon)
        if container is None:
            return AddonStatus("missing", None)
        size = None
        if container.status == "running":
            # `du` of the data directory inside the container: one exec, no engine-wide
            # `docker system df` scan.
            code, output = self._exec(container, ["du", "-sb", DATA_DIR])
            if code == 0 and output.split() and output.split()[0].isdigit():
                size = int(output.split()[0])
        return AddonStatus(container.status, size)

    # -- internals ------------------------------------------------------------------------

    def _create(self, addon: Addon, apps: list[str]) -> None:
        image = self._image(addon.kind)
        networks = [ensure_app_network(self._client, self._instance, app) for app in apps]
        labels = instance_labels(self._instance, role="addon", addon=addon.name)
        with engine_errors(f"creating volume {addon.volume}"):
            try:
                self._client.volumes.get(addon.volume)
            except docker.errors.NotFound:
                self._client.volumes.create(addon.volume, labels=labels)
        c = addon.credentials
        spec = ContainerSpec(
            image=image, name=container_name(self._instance, addon.name), labels=labels,
            entrypoint=[ENTRYPOINT], command=[], user=SERVER_USER[addon.kind], working_dir=None,
            env={"PAAS_ADDON_USER": c.user, "PAAS_ADDON_PASSWORD": c.password,
                 "PAAS_ADDON_DATABASE": c.database},
            volumes={addon.volume: DATA_DIR}, memory_bytes=MEMORY[addon.kind],
            pids_limit=PIDS_LIMIT, network=networks[0] if networks else "none",
        )
        kwargs = {**create_kwargs(spec), "restart_policy": {"Name": "unless-stopped"}}
        if networks:
            kwargs["networking_config"] = {
                networks[0]: self._client.api.create_endpoint_config(aliases=[addon.name])}
        with engine_errors(f"creating add-on {addon.name}"):
            container = self._client.containers.create(**kwargs)
        for network in networks[1:]:
            with engine_errors(f"connecting add-on {addon.name} to {network}"):
                self._client.api.connect_container_to_network(container.id, network,
                                                              aliases=[addon.name])
        with engine_errors(f"starting add-on {addon.name}"):
            container.start()

    def _sync_networks(self, container, apps: list[str]) -> bool:
        wanted = {app_network_name(self._instance, app): app for app in apps}
        current = self._networks(container)
        changed = False
        for network in current - set(wanted):
            with engine_errors(f"disconnecting {container.name} from {network}"):
                self._client.api.disconnect_container_from_network(container.id, network)
            changed = True
        for network, app in wanted.items():
            if network not in current:
                ensure_app_network(self._client, self._instance, app)
                with engine_errors(f"connecting {container.name} to {network}"):
                    self._client.api.connect_container_to_network(
                        container.id, network, aliases=[container.labels[ADDON_LABEL]])
                changed = True
        return changed

    @staticmethod
    def _networks(container) -> set[str]:
        networks = set((container.attrs.get("NetworkSettings") or {}).get("Networks") or {})
        return networks - {"none"}

    def _answers(self, addon: Addon) -> tuple[bool, str]:
        container = self._get(addon)
        for argv in _readiness_argv(addon):
            # redis-cli reads the password from the environment, never from argv.
            env = {"REDISCLI_AUTH": addon.credentials.password} if addon.kind == "redis" else None
            code, output = self._exec(container, argv, env=env)
            if code != 0 or (addon.kind == "redis" and output.strip() != "PONG"):
                return False, f"{argv[0]}: {output.strip()[:200] or f'exit {code}'}"
        return True, "ready"

    def _exec(self, container, argv: list[str],
              env: dict[str, str] | None = None) -> tuple[int, str]:
        api = self._client.api
        try:
            with engine_errors(f"checking {container.name}"):
                exec_id = api.exec_create(container.id, argv, environment=env or {})["Id"]
                output = api.exec_start(exec_id)
                code = api.exec_inspect(exec_id).get("ExitCode")
        except PaasError as exc:
            return 1, exc.message
        return (1 if code is None else int(code)), output.decode("utf-8", "replace")

    def _find(self, addon: Addon):
        name = container_name(self._instance, addon.name)
        try:
            with engine_errors(f"inspecting add-on {addon.name}"):
                container = self._client.containers.get(name)
        except NotFound:
            return None
        if container.labels.get(INSTANCE_LABEL) != self._instance:
            raise PaasError(f"a container named {name} exists that is not this platform's")
        return container

    def _get(self, addon: Addon):
        container = self._find(addon)
        if container is None:
            raise AddonNotReady(f"add-on {addon.name} has no container")
        return container
