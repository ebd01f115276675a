"""Routing rules: custom hostname validation and which dynos serve an app."""

import pytest

from paas_platform.domain.errors import InvalidParams
from paas_platform.domain.routing import (
    ServingRelease, WebEndpoint, check_custom_domain, normalize_hostname, serving_endpoints,
)


@pytest.mark.parametrize("given,stored", [
    ("www.example.com", "www.example.com"),
    ("WWW.Example.COM.", "www.example.com"),
    ("  api.example.co.uk ", "api.example.co.uk"),
    ("xn--bcher-kva.example", "xn--bcher-kva.example"),
    ("a-b.c-d.io", "a-b.c-d.io"),
    ("x" * 63 + ".com", "x" * 63 + ".com"),
])
def test_valid_hostnames_are_normalized(given, stored):
    assert normalize_hostname(given) == stored


@pytest.mark.parametrize("given", [
    "", "localhost", "*.example.com", "www.example.com:8080", "www.example.com/path",
    "-www.example.com", "www-.example.com", "www..example.com", "ex ample.com",
    "exa_mple.com", "10.0.0.1", "x" * 64 + ".com", ("a" * 60 + ".") * 5 + "com",
    "bücher.example", "status.invalid", "a;b.com", "a.com\nserver_name evil", None, 7,
])
def test_invalid_hostnames_are_refused(given):
    with pytest.raises(InvalidParams):
        normalize_hostname(given)


@pytest.mark.parametrize("hostname,app,allowed", [
    ("www.example.com", "demo", True),
    ("www.demo.localhost", "demo", True),
    ("api.v2.demo.localhost", "demo", True),
    ("demo.localhost", "demo", False),  # already its default hostname
    ("other.localhost", "demo", False),  # names another app (or a future one)
    ("www.other.localhost", "demo", False),
    ("localhost.com", "demo", True),
])
def test_names_under_the_platform_domain_belong_to_their_app(hostname, app, allowed):
    if allowed:
        check_custom_domain(hostname, app, "localhost")
    else:
        with pytest.raises(InvalidParams):
            check_custom_domain(hostname, app, "localhost")


def endpoint(number, version, cid=None):
    return WebEndpoint(cid or f"v{version}-web{number}", "demo", number, version, f"10.0.{version}.{number}")


def dynos(selected):
    return [(e.number, e.release_version) for e in selected]


def test_ready_dynos_of_the_current_release_in_wanted_slots():
    found = [endpoint(1, 3), endpoint(2, 3), endpoint(3, 3), endpoint(1, 2)]
    ready = {e.container_id for e in found} - {"v3-web2"}
    # web.3 is beyond the formation (scaled 3 -> 2) and web.2 does not accept yet.
    selected = serving_endpoints(found, ServingRelease(3, 2), None, ready)
    assert dynos(selected) == [(1, 3)]


def test_drained_dynos_are_left_out():
    found = [endpoint(1, 3), endpoint(2, 3)]
    ready = {e.container_id for e in found}
    assert dynos(serving_endpoints(found, ServingRelease(3, 2), None, ready, {"v3-web1"})) == [(2, 3)]


def test_a_pending_release_takes_over_only_when_all_its_web_slots_are_ready():
    old = [endpoint(1, 3), endpoint(2, 3)]
    new = [endpoint(1, 4), endpoint(2, 4)]
    current, pending = ServingRelease(3, 2), ServingRelease(4, 2)
    half_ready = {e.container_id for e in old} | {"v4-web1"}
    assert dynos(serving_endpoints(old + new, current, pending, half_ready)) == [(1, 3), (2, 3)]
    all_ready = half_ready | {"v4-web2"}
    assert dynos(serving_endpoints(old + new, current, pending, all_ready)) == [(1, 4), (2, 4)]


def test_first_deploy_and_web_zero():
    new = [endpoint(1, 2)]
    assert dynos(serving_endpoints(new, None, ServingRelease(2, 1), {"v2-web1"})) == [(1, 2)]
    assert serving_endpoints(new, None, ServingRelease(2, 1), set()) == []
    assert serving_endpoints(new, ServingRelease(2, 0), None, {"v2-web1"}) == []
    assert serving_endpoints([], None, None, set()) == []


def test_router_settings():
    from paas_platform.domain.errors import SettingsError
    from paas_platform.settings import Settings

    settings = Settings.from_env({"PAAS_ROUTER_TIMEOUT": "2", "PAAS_DOMAIN": "Apps.Example.COM."})
    assert (settings.router_timeout, settings.domain, settings.router_port) == (2, "apps.example.com", 8080)
    assert Settings.from_env({}).router_timeout == 30
    for env in ({"PAAS_ROUTER_TIMEOUT": "0"}, {"PAAS_DOMAIN": "x; return 200"}, {"PAAS_DOMAIN": "a b"}):
        with pytest.raises(SettingsError):
            Settings.from_env(env)
