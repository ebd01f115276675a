"""The router's configuration: the exact nginx directives that give it its behaviour,
the dyno table the balancer reads, and byte-identical output for an identical table."""

import re
from datetime import datetime, timezone

from paas_platform.domain.router_config import (
    backends_generation, config_generation, render_backends, render_nginx_config,
)
from paas_platform.domain.routing import (
    AccessLine, AppRoute, RouterOptions, RoutingTable, WebEndpoint, parse_access_line,
)

WEB1 = WebEndpoint("c1", "demo", 1, 3, "172.20.0.2")
WEB2 = WebEndpoint("c2", "demo", 2, 3, "172.20.0.3")
OPTIONS = RouterOptions(public_port=18080, timeout=30)


def render(*routes: AppRoute, options: RouterOptions = OPTIONS) -> str:
    return render_nginx_config(RoutingTable(tuple(routes), options))


def block(text: str, opening: str) -> str:
    """The `{ ... }` block that starts at the line `opening` (nested blocks included)."""
    start = text.index(opening)
    depth, end = 0, start
    for end in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[end], 0)
        if depth == 0 and text[end] == "}":
            break
    return text[start:end + 1]


def directives(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().endswith(";")]


def test_http_level_behaviour():
    text = render()
    http = directives(text)
    for directive in (
        "large_client_header_buffers 4 8k;",
        "proxy_next_upstream error timeout;",
        "proxy_read_timeout 30s;",
        "proxy_send_timeout 30s;",
        "proxy_connect_timeout 5s;",
        "proxy_next_upstream_timeout 30s;",
        "proxy_http_version 1.1;",
        "proxy_set_header Host $http_host;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Forwarded-Port 18080;",
        "proxy_set_header X-Request-Id $paas_request_id;",
        "access_log /var/log/paas-router/access.log paas buffer=64k flush=250ms;",
        "pid /tmp/nginx.pid;",
        "server_tokens off;",
    ):
        assert directive in http, directive
    # Non-idempotent requests are never retried on another dyno: nginx's default,
    # which `non_idempotent` would turn off.
    assert "non_idempotent" not in text
    assert "user " not in text  # the master runs unprivileged; `user` would only warn


def test_request_id_is_kept_when_sane_else_generated():
    request_id = block(render(), "map $http_x_request_id $paas_request_id {")
    assert "default $request_id;" in request_id
    assert '"~^[A-Za-z0-9+/=_.:-]{1,200}$" $http_x_request_id;' in request_id


def test_timeout_is_the_setting():
    text = render(options=RouterOptions(timeout=2))
    assert "proxy_read_timeout 2s;" in text
    assert "proxy_next_upstream_timeout 2s;" in text
    assert "proxy_connect_timeout 2s;" in text  # never longer than the whole budget


def test_unknown_hosts_get_the_default_404_server():
    default = block(render(), "    server {\n        listen 8080 default_server;")
    assert "server_name _;" in default
    assert re.search(r"return 404 '<!DOCTYPE html>.*No such app.*';", default)


def test_app_routes_through_the_balancer():
    text = render(AppRoute("demo", ("demo.localhost", "www.example.com"), (WEB1, WEB2)))
    upstream = block(text, "upstream paas_dynos {")
    assert directives(upstream) == ["server 0.0.0.1:1;", "keepalive 64;"]
    assert "balancer_by_lua_block { require(\"paas_router_balancer\").balance() }" in upstream
    server = block(text, "    # app demo\n    server {")
    assert "server_name demo.localhost www.example.com;" in server
    assert "set $paas_app demo;" in server
    assert "access_by_lua_block { require('paas_router_balancer').choose() }" in server
    assert "proxy_pass http://paas_dynos;" in server
    assert "error_page 504 = @h12;" in server
    assert re.search(r"location @h12 \{\s+set \$paas_code H12;\s+return 503 '.*did not respond", server)
    assert re.search(r"location @h14 \{\s+set \$paas_code H14;\s+return 503 '.*No web processes", server)
    # Dynos live in the dyno table, never in nginx.conf: scaling reloads nothing.
    assert "172.20.0.2" not in text
    assert text == render(AppRoute("demo", ("demo.localhost", "www.example.com")))


def test_dyno_table():
    table = RoutingTable((AppRoute("demo", ("demo.localhost",), (WEB1, WEB2)),
                          AppRoute("down", ("down.localhost",), (WEB1,), maintenance=True),
                          AppRoute("idle", ("idle.localhost",))))
    text = render_backends(table)
    generation = backends_generation(text)
    assert text == (f"generation {generation}\n"
                    "demo 172.20.0.2:5000 web.1\n"
                    "demo 172.20.0.3:5000 web.2\n"
                    f"end {generation}\n")
    empty = render_backends(RoutingTable())
    assert backends_generation(empty) != generation and empty.endswith(f"end {backends_generation(empty)}\n")


def test_maintenance_answers_h80_without_the_dynos():
    text = render(AppRoute("demo", ("demo.localhost",), (WEB1,), maintenance=True))
    down = block(text, "    # app demo\n    server {")
    assert "set $paas_code H80;" in down and "paas_dynos" not in down
    assert re.search(r"return 503 '.*undergoing maintenance", down)


def test_access_line_format_and_error_codes():
    text = render()
    start = text.index("log_format paas")
    log_format = text[start: text.index(";", start) + 1]
    for field in ("app=$paas_app", "$paas_at", "method=$request_method", "path=$request_uri",
                  "host=$host", "dyno=$paas_dyno", "status=$status", "bytes=$body_bytes_sent",
                  "connect=$upstream_connect_time", "service=$upstream_response_time",
                  "request_id=$paas_request_id"):
        assert field in log_format, field
    codes = block(text, "map $paas_code $paas_at {")
    assert """H12 'at=error code=H12 desc="Request timeout"';""" in codes
    assert """H14 'at=error code=H14 desc="No web processes running"';""" in codes


def test_same_table_same_text_and_generation():
    routes = (AppRoute("demo", ("demo.localhost",), (WEB2, WEB1)), AppRoute("a-b", ("a-b.localhost",)))
    first = render(*routes)
    assert first == render(*reversed(routes))  # order of apps does not matter
    assert config_generation(first) and config_generation(first) == config_generation(render(*routes))
    other = render(AppRoute("demo", ("demo.localhost", "www.example.com")))
    assert config_generation(other) != config_generation(first)
    assert render_backends(RoutingTable(routes)) == render_backends(RoutingTable(routes[::-1]))


def test_parse_access_line():
    line = ("paas-router t=1795478400.250 app=demo at=info method=GET path=/ host=demo.localhost "
            "dyno=web.2 status=200 bytes=12 connect=0.001 service=0.005 request_id=abc fwd=10.0.0.1")
    assert parse_access_line(line) == AccessLine(
        "demo", "at=info method=GET path=/ host=demo.localhost dyno=web.2 status=200 bytes=12 "
                "connect=1ms service=5ms request_id=abc fwd=10.0.0.1",
        datetime(2026, 11, 24, 0, 0, 0, 250000, tzinfo=timezone.utc))
    assert parse_access_line("paas-router app= at=info method= status=400").app == "-"
    assert parse_access_line("paas-router t=x app=demo status=200").at is None
    assert parse_access_line("2026/11/24 00:55:32 [error] 28#28: upstream timed out") is None


def test_access_line_times_in_milliseconds_of_the_dyno_that_answered():
    def times(connect, service):
        line = f"paas-router app=demo status=200 connect={connect} service={service} request_id=x"
        return parse_access_line(line).text

    assert times("0.000", "2.001") == "status=200 connect=0ms service=2001ms request_id=x"
    assert times("-", "-") == "status=200 connect=- service=- request_id=x"
    assert times("2.000, 0.001", "2.000, 0.004") == "status=200 connect=1ms service=4ms request_id=x"
    assert times("0.001 : 0.002", "0.003 : 0.010") == "status=200 connect=2ms service=10ms request_id=x"
