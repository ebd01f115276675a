"""One bridge network per app: dynos of an app reach each other, never another app's.

The network is named `{instance}-{app}` and labelled with both, so a platform only
ever finds (and removes) its own networks.
"""

from __future__ import annotations

import docker

from paas_platform.domain.errors import NotFound
from paas_platform.runtime.engine import engine_errors, instance_labels


def app_network_name(instance: str, app: str) -> str:
    return f"{instance}-{app}"


def ensure_app_network(client: docker.DockerClient, instance: str, app: str) -> str:
    """Create the app's network if it is missing; return its name."""
    name = app_network_name(instance, app)
    try:
        with engine_errors(f"inspecting network {name}"):
            client.networks.get(name)
    except NotFound:
        with engine_errors(f"creating network {name}"):
            client.networks.create(name, driver="bridge", labels=instance_labels(instance, app=app),
                                   check_duplicate=True)
    return name


def remove_app_network(client: docker.DockerClient, instance: str, app: str) -> None:
    name = app_network_name(instance, app)
    try:
        with engine_errors(f"removing network {name}"):
            client.networks.get(name).remove()
    except NotFound:
        pass
