"""Removing what a platform made on the engine, found by its labels: an app's dynos,
network, build cache volume and images once the app is destroyed, or (for tests and
benchmarks) everything a throwaway platform instance made."""

from __future__ import annotations

import logging

import docker

from paas_platform.runtime.engine import INSTANCE_LABEL, LABEL_PREFIX

log = logging.getLogger("paas.cleanup")


def remove_app_objects(client: docker.DockerClient, instance: str, app: str) -> int:
    return remove_labelled_objects(
        client, [f"{INSTANCE_LABEL}={instance}", f"{LABEL_PREFIX}.app={app}"]
    )


def remove_instance_objects(client: docker.DockerClient, instance: str) -> int:
    return remove_labelled_objects(client, [f"{INSTANCE_LABEL}={instance}"])


def remove_labelled_objects(client: docker.DockerClient, labels: list[str]) -> int:
    """Containers, then networks, volumes and images carrying all `labels`. Best effort:
    returns how many objects were removed; failures are logged."""
    selector = {"label": labels}
    removed = 0
    kinds = (
        (lambda: client.containers.list(all=True, filters=selector, ignore_removed=True), lambda c: c.remove(force=True)),
        (lambda: client.networks.list(filters=selector), lambda n: n.remove()),
        (lambda: client.volumes.list(filters=selector), lambda v: v.remove(force=True)),
        (lambda: client.images.list(filters=selector), lambda i: client.images.remove(i.id, force=True)),
    )
    for find, remove in kinds:
        try:
            items = find()
        except docker.errors.DockerException as exc:
            log.warning("cleanup of %s: %s", labels, exc)
            continue
        for item in items:
            try:
                remove(item)
                removed += 1
            except docker.errors.DockerException as exc:
                log.warning("cleanup of %s: %s", labels, exc)
    return removed
