"""The router's configuration, rendered from a RoutingTable: two texts, pure.

`render_nginx_config` is nginx.conf: hosts -> apps, maintenance mode, Heroku's
error pages (H12, H13, H14, H80), timeouts, retries, forwarded headers and the
access line. It changes only when hosts, maintenance or settings change, and a
change is loaded with a graceful `nginx -s reload`.

`render_backends` is the dyno table (app, address, dyno name per line). It changes
with every deploy, scale, restart and rollback, and is NOT loaded by a reload:
a reload makes the old workers close their idle keep-alive connections, and a
client that sent its next request at that moment sees a reset (measured: ~15 wrk
socket errors per reload under load). nginx's Lua module (runtime/router_balancer.lua)
re-reads the file within 100 ms and balances over it without a reload.

Each text answers its generation on a status server, so the platform can tell when
a change is live.
"""

from __future__ import annotations

import hashlib
import re

from paas_platform.domain.routing import ACCESS_LINE_PREFIX, AppRoute, RouterOptions, RoutingTable

# Heroku's router error codes, each with the description its log line carries.
H12 = ("H12", "Request timeout")
H13 = ("H13", "Connection closed without response")
H14 = ("H14", "No web processes running")
H80 = ("H80", "Maintenance mode")

_PAGE = ("<!DOCTYPE html><html><head><meta charset=utf-8><title>{title}</title></head>"
         "<body><h1>{title}</h1><p>{text}</p></body></html>")
PAGES = {
    "not_found": ("No such app", "There is no app configured at this hostname."),
    "H12": ("Application error", "The application did not respond in time. Please try again."),
    "H13": ("Application error", "The application closed the connection without a response."),
    "H14": ("Application error", "No web processes are running for this application."),
    "H80": ("Offline for maintenance", "This application is undergoing maintenance. "
                                       "Please check back soon."),
}

STATUS_HOST = "paas-router-status.invalid"  # .invalid: reserved, never a custom domain
CONFIG_STATUS_PATH = "/generation"
BACKENDS_STATUS_PATH = "/backends-generation"
BALANCER_MODULE = "paas_router_balancer"  # runtime/router_balancer.lua in the image
BALANCER_DIR = "/usr/local/share/paas-router"
BACKENDS_FILE = "/etc/paas-router/backends"
# A directory of the host mounted into the router: nginx appends access lines there
# and the platform reads them (runtime/file_tail.py).
ACCESS_LOG_DIR = "/var/log/paas-router"
ACCESS_LOG_NAME = "access.log"
_GENERATION = re.compile(r"return 200 '(?P<generation>[0-9a-f]{16})';")


def page(kind: str) -> str:
    title, text = PAGES[kind]
    return _PAGE.format(title=title, text=text)


def _generation(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def render_backends(table: RoutingTable) -> str:
    """`generation G`, then `app address:port dyno` per serving dyno, then `end G`;
    byte-identical for an identical table. Apps in maintenance or without dynos have
    no lines. The last line lets the balancer ignore a file caught half-written."""
    port = table.options.dyno_port
    lines = "".join(f"{route.app} {e.address}:{port} {e.dyno}\n"
                    for route in sorted(table.routes, key=lambda r: r.app)
                    if not route.maintenance for e in route.endpoints)
    generation = _generation(lines)
    return f"generation {generation}\n{lines}end {generation}\n"


def backends_generation(text: str) -> str:
    return text.split("\n", 1)[0].removeprefix("generation ")


def render_nginx_config(table: RoutingTable) -> str:
    """The whole nginx.conf for `table`; byte-identical for an identical table (so an
    unchanged table never reloads nginx). Dynos are not in it: see render_backends."""
    options = table.options
    parts = [_HEAD.format(timeout=options.timeout, public_port=options.public_port,
                          connect_timeout=min(options.connect_timeout, options.timeout),
                          access_prefix=ACCESS_LINE_PREFIX.strip(), balancer=BALANCER_MODULE,
                          balancer_dir=BALANCER_DIR,
                          access_log=f"{ACCESS_LOG_DIR}/{ACCESS_LOG_NAME}"),
             _default_server(options)]
    parts += [_app_server(route, options) for route in sorted(table.routes, key=lambda r: r.app)]
    body = "\n".join(parts)
    return body + "\n" + _status_server(options, _generation(body)) + "}\n"


def config_generation(text: str) -> str | None:
    """The generation a rendered configuration answers on its status server."""
    match = _GENERATION.search(text)
    return match["generation"] if match else None


def _string(text: str) -> str:
    """An nginx single-quoted string (pages hold no quotes, `$` or backslashes)."""
    assert not set(text) & set("'\\$"), text
    return f"'{text}'"


def _status_server(options: RouterOptions, generation: str) -> str:
    return (
        "    # Which configuration and which dyno table are live: asked by the platform.\n"
        "    server {\n"
        f"        listen {options.listen_port};\n"
        f"        server_name {STATUS_HOST};\n"
        "        access_log off;\n"
        f"        location = {CONFIG_STATUS_PATH} {{\n"
        f"            return 200 '{generation}';\n"
        "        }\n"
        f"        location = {BACKENDS_STATUS_PATH} {{\n"
        f"            content_by_lua_block {{ require('{BALANCER_MODULE}').generation() }}\n"
        "        }\n"
        "        location / {\n"
        "            return 404;\n"
        "        }\n"
        "    }\n"
    )


def _default_server(options: RouterOptions) -> str:
    return (
        "    # Unknown hosts: a 404 page, never some other app.\n"
        "    server {\n"
        f"        listen {options.listen_port} default_server;\n"
        "        server_name _;\n"
        "        set $paas_app -;\n"
        "        set $paas_code \"\";\n"
        "        set $paas_dyno -;\n"
        "        location / {\n"
        f"            return 404 {_string(page('not_found'))};\n"
        "        }\n"
        "    }\n"
    )


def _error_location(code: tuple[str, str]) -> str:
    return (
        f"        location @{code[0].lower()} {{\n"
        f"            set $paas_code {code[0]};\n"
        f"            return 503 {_string(page(code[0]))};\n"
        "        }\n"
    )


def _app_server(route: AppRoute, options: RouterOptions) -> str:
    head = (
        f"    # app {route.app}\n"
        "    server {\n"
        f"        listen {options.listen_port};\n"
        f"        server_name {' '.join(route.hosts)};\n"
        f"        set $paas_app {route.app};\n"
        "        set $paas_dyno -;\n"
    )
    if route.maintenance:
        # Answered here, without touching the dynos (they keep running).
        return head + (
            f"        set $paas_code {H80[0]};\n"
            "        location / {\n"
            f"            return 503 {_string(page(H80[0]))};\n"
            "        }\n"
            "    }\n"
        )
    # The balancer picks the dyno (round robin over the app's ready dynos, the next
    # one on a retry) and sends the request to @h14 when the app has none.
    return head + (
        "        location / {\n"
        f"            access_by_lua_block {{ require('{BALANCER_MODULE}').choose() }}\n"
        "            proxy_pass http://paas_dynos;\n"
        "            error_page 504 = @h12;\n"
        "            error_page 502 = @h13;\n"
        "        }\n"
        + _error_location(H12) + _error_location(H13) + _error_location(H14) +
        "    }\n"
    )


# Everything that does not depend on the apps. Why each setting:
# - the master runs as an unprivileged user: pid and temp files under /tmp;
# - large_client_header_buffers 4 8k: a request line or header over 8 KB gets 414/400;
# - proxy_next_upstream error timeout: a dyno that refuses a connection is skipped (the
#   balancer offers every dyno once), and nginx never retries non-idempotent methods
#   (POST...) on another dyno; proxy_next_upstream_timeout stops a timed-out request
#   being retried (no 2 x H12);
# - the access log goes to a file the platform reads, in 64 KB buffers per worker
#   (whole lines, appended: lines of several workers never interleave), flushed every
#   250 ms, so a line reaches the app's log within about half a second. It costs nginx
#   no regex: times stay in nginx's seconds and the platform writes them as
#   milliseconds (domain/routing.py: parse_access_line);
# - escape=none: the access line carries desc="..." as Heroku's does; nothing a client
#   sends reaches it unchecked (nginx refuses spaces and control characters in the
#   request line and Host, and the request id is matched against a pattern);
# - X-Request-Id is kept when the client sends a sane one, else nginx's $request_id.
_HEAD = """\
# Generated by paas from desired state; every change is overwritten.
load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;
worker_processes auto;
pid /tmp/nginx.pid;
error_log stderr warn;

events {{
    worker_connections 4096;
}}

http {{
    server_tokens off;
    default_type text/html;
    client_body_temp_path /tmp/nginx-client-body;
    proxy_temp_path /tmp/nginx-proxy;
    fastcgi_temp_path /tmp/nginx-fastcgi;
    uwsgi_temp_path /tmp/nginx-uwsgi;
    scgi_temp_path /tmp/nginx-scgi;
    uninitialized_variable_warn off;
    server_names_hash_bucket_size 128;
    server_names_hash_max_size 16384;
    keepalive_timeout 75s;
    large_client_header_buffers 4 8k;
    client_max_body_size 0;

    # The dyno table (render_backends), re-read without a reload.
    lua_package_path "{balancer_dir}/?.lua;;";
    lua_shared_dict paas_backends 16m;
    init_by_lua_block {{ require("{balancer}").init() }}
    init_worker_by_lua_block {{ require("{balancer}").init_worker() }}
    upstream paas_dynos {{
        # Never used: the balancer sets every peer.
        server 0.0.0.1:1;
        balancer_by_lua_block {{ require("{balancer}").balance() }}
        keepalive 64;
    }}

    proxy_http_version 1.1;
    proxy_request_buffering off;
    proxy_connect_timeout {connect_timeout}s;
    proxy_send_timeout {timeout}s;
    proxy_read_timeout {timeout}s;
    proxy_next_upstream error timeout;
    proxy_next_upstream_timeout {timeout}s;
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-Port {public_port};
    proxy_set_header X-Request-Id $paas_request_id;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $paas_connection;

    map $http_x_request_id $paas_request_id {{
        default $request_id;
        "" $request_id;
        "~^[A-Za-z0-9+/=_.:-]{{1,200}}$" $http_x_request_id;
    }}
    map $http_upgrade $paas_connection {{
        default upgrade;
        "" "";
    }}
    map $paas_code $paas_at {{
        default "at=info";
        H12 'at=error code=H12 desc="{h12}"';
        H13 'at=error code=H13 desc="{h13}"';
        H14 'at=error code=H14 desc="{h14}"';
        H80 'at=info code=H80 desc="{h80}"';
    }}
    log_format paas escape=none '{access_prefix} t=$msec app=$paas_app $paas_at method=$request_method '
                    'path=$request_uri host=$host dyno=$paas_dyno status=$status '
                    'bytes=$body_bytes_sent connect=$upstream_connect_time '
                    'service=$upstream_response_time '
                    'request_id=$paas_request_id fwd=$remote_addr';
    access_log {access_log} paas buffer=64k flush=250ms;
""".replace("{h12}", H12[1]).replace("{h13}", H13[1]).replace("{h14}", H14[1]).replace(
    "{h80}", H80[1])
