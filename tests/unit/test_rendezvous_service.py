"""OneOffDynoService with a fake runtime and listener: what it decides, and that a
refused request creates nothing."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from paas_platform.domain.builds import BuildResult
from paas_platform.domain.errors import InvalidParams, NotFound
from paas_platform.domain.releases import NewRelease
from paas_platform.services.oneoff_dynos import (
    MAX_TTL, NoRelease, OneOffDynoService, RendezvousUnavailable, RunRequest, check_request,
    random_number,
)

NOW = datetime(2026, 11, 24, tzinfo=timezone.utc)


class FakeHandle:
    def __init__(self, plan) -> None:
        self.plan = plan
        self.detached = self.discarded = False

    def run_detached(self) -> None:
        self.detached = True

    def attach(self, conn) -> None:
        raise AssertionError("not in these tests")

    def discard(self) -> None:
        self.discarded = True


class FakeRuntime:
    def __init__(self) -> None:
        self.created: list[FakeHandle] = []

    def taken_names(self, app: str) -> set[str]:
        return {"run.1000"}

    def create(self, plan) -> FakeHandle:
        self.created.append(FakeHandle(plan))
        return self.created[-1]

    def recover(self) -> int:
        return 0


class FakeListener:
    listening = True
    port = 5001

    def __init__(self) -> None:
        self.issued = []

    def issue(self, target) -> str:
        self.issued.append(target)
        return "s3cret"

    def start(self) -> None: ...

    def stop(self) -> None: ...


@pytest.fixture
def store(tmp_path):
    """SQLite only: these tests are about the service, the store has its own on both backends."""
    from paas_platform.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'paas.db'}")
    yield store
    store.close()


@pytest.fixture
def runtime():
    return FakeRuntime()


@pytest.fixture
def listener():
    return FakeListener()


@pytest.fixture
def service(store, runtime, listener):
    return OneOffDynoService(store, runtime, listener, memory_bytes=256 * 1024**2,
                             clock=lambda: NOW, number=lambda taken: 4711)


def deploy(store, name: str = "demo", buildpack: str = "procfile") -> None:
    with store.transaction(write=True) as tx:
        app = tx.apps.insert(name, "bookworm", NOW)
        tx.apps.set_config(app.id, {"FOO": "bar", "SHARED": "app"}, NOW)
        build = tx.builds.insert(app.id, None, "admin", NOW)
        tx.builds.finish(build.id, BuildResult(buildpack, {"web": "x"}, "sha256:abc", "t", 1), "",
                         NOW)
        tx.releases.append(app.id, NewRelease("Deploy", {"FOO": "bar", "SHARED": "app"}, "admin",
                                              build.id), NOW)


def test_attached_run_gets_a_secret_and_a_stopped_container(service, store, runtime, listener):
    deploy(store)

    dyno = service.run("demo", RunRequest("python -c 1", tty=True, env={"SHARED": "run"}), "admin")

    assert (dyno.name, dyno.type, dyno.state, dyno.attach_secret) == ("run.4711", "run",
                                                                      "starting", "s3cret")
    [handle] = runtime.created
    plan = handle.plan
    assert (plan.app, plan.dyno, plan.image, plan.command) == ("demo", "run.4711", "sha256:abc",
                                                               "python -c 1")
    assert plan.env == {"FOO": "bar", "SHARED": "run"}  # the caller's env wins over config
    assert plan.slug_image and plan.attach and plan.tty and plan.time_to_live == 3600
    assert plan.memory_bytes == 256 * 1024**2
    assert listener.issued == [handle] and not handle.detached


def test_detached_run_starts_at_once_without_tty_or_secret(service, store, runtime, listener):
    deploy(store, buildpack="dockerfile")

    dyno = service.run("demo", RunRequest("rake jobs", attach=False, tty=True), "admin")

    [handle] = runtime.created
    assert dyno.attach_secret is None and handle.detached and listener.issued == []
    assert not handle.plan.tty and not handle.plan.slug_image


@pytest.mark.parametrize("request_, error", [
    (RunRequest(""), InvalidParams),
    (RunRequest("  \t"), InvalidParams),
    (RunRequest("a\x00b"), InvalidParams),
    (RunRequest("x" * 20000), InvalidParams),
    (RunRequest("true", time_to_live=0), InvalidParams),
    (RunRequest("true", time_to_live=MAX_TTL + 1), InvalidParams),
    (RunRequest("true", env={"BAD-KEY": "x"}), InvalidParams),
    (RunRequest("true", env={"K": "a\x00"}), InvalidParams),
    (RunRequest("true", env={"K": "v" * 40000}), InvalidParams),
])
def test_bad_requests_are_refused_before_anything_is_created(service, store, runtime, request_,
                                                              error):
    deploy(store)
    with pytest.raises(error):
        service.run("demo", request_, "admin")
    assert runtime.created == []


def test_env_values_never_appear_in_error_messages():
    with pytest.raises(InvalidParams) as info:
        check_request(RunRequest("true", env={"K": "secret-value\x00"}))
    assert "secret-value" not in info.value.message


def test_unknown_app_and_app_without_a_build(service, store, runtime):
    with pytest.raises(NotFound):
        service.run("nope", RunRequest("true"), "admin")
    with store.transaction(write=True) as tx:
        app = tx.apps.insert("fresh", "bookworm", NOW)
        tx.releases.append(app.id, NewRelease("Initial release", {}, "admin"), NOW)
    with pytest.raises(NoRelease) as info:
        service.run("fresh", RunRequest("true"), "admin")
    assert info.value.id == "no_release" and "deploy it first" in info.value.message
    assert runtime.created == []


def test_attaching_needs_the_listener_detaching_does_not(service, store, runtime, listener):
    deploy(store)
    listener.listening = False
    with pytest.raises(RendezvousUnavailable):
        service.run("demo", RunRequest("true"), "admin")
    assert runtime.created == []
    service.run("demo", RunRequest("true", attach=False), "admin")
    assert runtime.created[0].detached


def test_a_dyno_that_fails_to_start_is_removed(service, store, runtime):
    deploy(store)

    def fail() -> None:
        raise NotFound("image gone")

    original = runtime.create

    def create(plan):
        handle = original(plan)
        handle.run_detached = fail
        return handle

    runtime.create = create
    with pytest.raises(NotFound):
        service.run("demo", RunRequest("true", attach=False), "admin")
    assert runtime.created[0].discarded


def test_random_dyno_numbers_are_four_digits_and_free():
    taken = {f"run.{n}" for n in range(1000, 9999)}  # only run.9999 is left
    assert random_number(taken) == 9999
    assert 1000 <= random_number(set()) <= 9999
