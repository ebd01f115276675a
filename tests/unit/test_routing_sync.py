"""RouterSync with a fake router and a real (SQLite) store: what it loads, when it
reloads, draining, networks, and a rollout's switch-over."""

import threading
from datetime import datetime, timezone

import pytest

from paas_platform.domain.builds import BuildResult
from paas_platform.domain.releases import NewRelease, ReleaseStatus
from paas_platform.domain.routing import WebEndpoint
from paas_platform.runtime.file_tail import TailPosition
from paas_platform.services.routing import RouterSync
from paas_platform.settings import Settings
from paas_platform.store import open_store

NOW = datetime(2026, 11, 24, tzinfo=timezone.utc)


class FakeRouter:
    def __init__(self):
        self.endpoints: list[WebEndpoint] = []
        self.networks = {"t-demo": "demo", "t-gone": "gone"}
        self.connected = {"bridge", "t-gone"}
        self.loaded: list[str] = []  # configurations (each one a reload)
        self.tables: list[str] = []  # dyno tables (no reload)
        self.config, self.backends = "adopted config", "adopted table"

    def ensure(self, image, host_port, config, backends):
        self.ensured = (image, host_port)
        return True

    def app_networks(self):
        return dict(self.networks)

    def connected_networks(self):
        return set(self.connected)

    def connect(self, network):
        self.connected.add(network)

    def disconnect(self, network):
        self.connected.discard(network)

    def web_endpoints(self):
        return list(self.endpoints)

    def current_config(self):
        return self.config

    def current_backends(self):
        return self.backends

    def load_config(self, text):
        self.loaded.append(text)
        self.config = text

    def load_backends(self, text):
        self.tables.append(text)
        self.backends = text

    def reopen_logs(self):
        self.reopened = True


@pytest.fixture
def store(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'paas.db'}")
    yield store
    store.close()


def deploy(store, app_name="demo", status=ReleaseStatus.SUCCEEDED) -> int:
    """A release of `app_name` with a web process type; returns its version."""
    with store.transaction(write=True) as tx:
        app = tx.apps.find(app_name) or tx.apps.insert(app_name, "bookworm", NOW)
        build = tx.builds.insert(app.id, None, "admin", NOW)
        tx.builds.finish(build.id, BuildResult("procfile", {"web": "python3 web.py"}, "img", "t", 1),
                         "", NOW)
        release = tx.releases.append(app.id, NewRelease("Deploy", {}, "admin", build.id, status), NOW)
        return release.version


def endpoint(cid, version, number=1, app="demo"):
    return WebEndpoint(cid, app, number, version, f"10.1.{version}.{number}{cid[-1]}")


@pytest.fixture
def parts(store):
    router, ready = FakeRouter(), set()
    sync = RouterSync(store, lambda: router, lambda: "router-image",
                      Settings(domain="localhost", router_port=18080, router_timeout=7),
                      probe=lambda address, port: address in ready)
    sync._bring_up()
    return sync, router, ready


def test_apply_sends_only_what_changed(parts, store):
    sync, router, ready = parts
    version = deploy(store)
    router.endpoints = [endpoint("c1", version)]
    assert sync.apply() is True  # what the adopted router held differs: both go in
    assert len(router.loaded) == 1 and len(router.tables) == 1
    assert "server_name demo.localhost;" in router.config and "demo " not in router.backends
    assert "proxy_read_timeout 7s;" in router.config
    assert "proxy_set_header X-Forwarded-Port 18080;" in router.config
    assert sync.apply() is False  # nothing changed: nothing sent
    ready.add(router.endpoints[0].address)
    assert sync.apply() is True  # the dyno accepts connections now: a new table, no reload
    assert f"demo {router.endpoints[0].address}:5000 web.1\n" in router.backends
    assert len(router.loaded) == 1 and len(router.tables) == 2


def test_networks_follow_the_apps(parts, store):
    sync, router, _ = parts
    deploy(store)
    sync.apply()
    assert router.connected == {"bridge", "t-demo"}  # joined demo's, left the destroyed app's


def test_drain_excludes_dynos_until_they_are_gone(parts, store):
    sync, router, ready = parts
    version = deploy(store)
    old, new = endpoint("c1", version), endpoint("c2", version)
    router.endpoints = [old, new]
    ready.update({old.address, new.address})
    sync.apply()
    assert old.address in router.backends and new.address in router.backends
    assert sync.drain("demo", [old.container_id]) is True
    assert old.address not in router.backends and new.address in router.backends
    assert sync.apply() is False  # still running, still drained
    router.endpoints = [new]  # stopped and removed: forgotten
    assert sync.apply() is False and sync._drained == set()


def test_pending_release_takes_over_when_all_its_dynos_are_ready(parts, store):
    sync, router, ready = parts
    current = deploy(store)
    pending = deploy(store, status=ReleaseStatus.PENDING)
    old, new = endpoint("c1", current), endpoint("c2", pending)
    router.endpoints = [old, new]
    ready.add(old.address)
    sync.apply()
    assert old.address in router.backends and new.address not in router.backends
    ready.add(new.address)
    sync.apply()
    assert new.address in router.backends and old.address not in router.backends


def test_hosts_domains_and_maintenance(parts, store):
    sync, router, ready = parts
    version = deploy(store)
    router.endpoints = [endpoint("c1", version)]
    ready.add(router.endpoints[0].address)
    with store.transaction(write=True) as tx:
        app = tx.apps.get("demo")
        tx.domains.insert(app.id, "www.example.com", NOW)
    sync.apply()
    assert "server_name demo.localhost www.example.com;" in router.config
    with store.transaction(write=True) as tx:
        tx.apps.set_maintenance(app.id, True, NOW)
    sync.apply()
    assert "set $paas_code H80;" in router.config and "10.1." not in router.backends


def test_access_lines_reach_the_sink_from_where_the_last_run_stopped(store, tmp_path):
    settings = Settings(data_dir=tmp_path)
    settings.router_log_dir.mkdir()
    access_log = settings.router_log_dir / "access.log"
    access_log.write_text("paas-router app=demo at=info method=GET path=/old status=200\n")
    seen, arrived = [], threading.Event()

    def sink(entries, position):
        seen.append((entries, position))
        arrived.set()

    start = TailPosition(access_log.stat().st_ino, access_log.stat().st_size)
    sync = RouterSync(store, FakeRouter, lambda: "img", settings, on_access=sink,
                      start_position=lambda: start)
    follower = threading.Thread(target=sync._follow_access_log, daemon=True)
    follower.start()
    with access_log.open("a") as nginx:
        nginx.write("paas-router app=demo at=info method=GET path=/ status=200 "
                    "connect=0.001 service=0.012 request_id=abc fwd=10.0.0.1\n"
                    "paas-router app=- at=info method=GET path=/ status=404\n")
    assert arrived.wait(5)
    sync.stop()
    follower.join(5)
    [(entries, position)] = seen
    assert [(e.app, e.text) for e in entries] == [
        ("demo", "at=info method=GET path=/ status=200 connect=1ms service=12ms "
                 "request_id=abc fwd=10.0.0.1"),
        ("-", "at=info method=GET path=/ status=404")]
    assert position == TailPosition(start.inode, access_log.stat().st_size)


def test_access_lines_go_to_the_apps_streams_with_the_log_position():
    from paas_platform.domain.routing import AccessLine
    from paas_platform.services.routing import ACCESS_LOG_CURSOR, AccessLinesToLogs

    class Hub:
        def __init__(self):
            self.published, self.stored = [], None

        def publish(self, lines, cursors=()):
            self.published.extend(lines)
            self.stored = next(iter(cursors), self.stored)

        def cursor(self, container_id):
            return self.stored if container_id == ACCESS_LOG_CURSOR else None

    hub = Hub()
    access = AccessLinesToLogs(hub, clock=lambda: NOW)
    assert access.start_position() is None
    served = datetime(2026, 11, 24, 1, 2, 3, 456000, tzinfo=timezone.utc)
    access([AccessLine("demo", "at=info status=200", served),
            AccessLine("-", "at=info status=404", served),
            AccessLine("demo", "at=info status=400", None)], TailPosition(7, 120))
    assert [(l.app, l.source, l.process, l.text, l.timestamp) for l in hub.published] == [
        ("demo", "platform", "router", "at=info status=200", served),
        ("demo", "platform", "router", "at=info status=400", NOW)]
    assert access.start_position() == TailPosition(7, 120)
