"""The Docker Engine the runtime needs: installed and started by scripts/setup-host.sh.

Under CI=true a missing engine fails these tests; on a developer machine it skips them.
"""

import uuid

import pytest

from paas_platform.runtime.engine import INSTANCE_LABEL, EngineUnavailable, connect, engine_info, instance_labels

pytestmark = pytest.mark.integration


def test_engine_answers_with_its_version(engine):
    info = engine_info(engine)
    major = int(info.version.split(".")[0])
    assert major >= 20
    assert tuple(int(p) for p in info.api_version.split(".")) >= (1, 41)


def test_objects_are_found_by_instance_label_and_not_across_instances(engine):
    mine, other = f"test-{uuid.uuid4().hex[:8]}", f"test-{uuid.uuid4().hex[:8]}"
    network = engine.networks.create(f"{mine}-net", labels=instance_labels(mine, app="demo"))
    volume = engine.volumes.create(f"{other}-vol", labels=instance_labels(other, app="demo"))
    try:
        found = engine.networks.list(filters={"label": f"{INSTANCE_LABEL}={mine}"})
        assert [n.name for n in found] == [f"{mine}-net"]
        assert found[0].attrs["Labels"]["io.paas.app"] == "demo"
        assert engine.volumes.list(filters={"label": f"{INSTANCE_LABEL}={mine}"}) == []
    finally:
        network.remove()
        volume.remove()


def test_engine_errors_are_translated(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(EngineUnavailable, match="Docker Engine"):
        connect(timeout=2)
