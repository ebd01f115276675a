"""Removing what an app left on the engine once the app is destroyed: its dynos,
network, build cache volume and images (all found by the instance and app labels)."""

from __future__ import annotations

import logging

import docker

from paas_platform.runtime.engine import INSTANCE_LABEL, LABEL_PREFIX

log = logging.getLogger("paas.cleanup")


def remove_app_objects(client: docker.DockerClient, instance: str, app: str) -> int:
    """Best effort: returns how many objects were removed; failures are logged."""
    selector = {"label": [f"{INSTANCE_LABEL}={instance}", f"{LABEL_PREFIX}.app={app}"]}
    removed = 0
    kinds = (
        (lambda: client.containers.list(all=True, filters=selector), lambda c: c.remove(force=True)),
        (lambda: client.networks.list(filters=selector), lambda n: n.remove()),
        (lambda: client.volumes.list(filters=selector), lambda v: v.remove(force=True)),
        (lambda: client.images.list(filters=selector), lambda i: client.images.remove(i.id, force=True)),
    )
    for find, remove in kinds:
        try:
            items = find()
        except docker.errors.DockerException as exc:
            log.warning("cleanup of %s: %s", app, exc)
            continue
        for item in items:
            try:
                remove(item)
                removed += 1
            except docker.errors.DockerException as exc:
                log.warning("cleanup of %s: %s", app, exc)
    return removed
