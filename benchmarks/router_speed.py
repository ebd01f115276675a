"""Router speed: wrk against a small response (a 12-byte body) served by one web dyno,
three ways in one run, interleaved:

  router       through the platform's router (its published port, Host: bench.localhost)
  direct       straight to the dyno's address on its app network
  hand_nginx   through an nginx container configured by hand in front of the same dyno:
               same image, port publishing, forwarded headers and access line fields,
               but a static upstream (no balancer) and nobody reading its log
  router_control_plane_paused
               the router again with the control plane stopped (SIGSTOP): the data
               plane alone, without the cost of forwarding every access line

Each target is measured twice per run: saturated (wrk with --connections, for req/s;
its latencies are mostly queueing) and unloaded (one connection, one request at a
time, for the latency a proxy adds to a request).

Prints JSON: every run, then medians of req/s and p50/p99 latency (ms) per target, the
router's req/s as a share of the hand-configured nginx's (the median of each run's
share: the two are measured back to back, so a share is fair even when the machine's
load changes between runs), and the p50 it adds over direct, unloaded (and, for
reference, saturated).

    uv run python benchmarks/router_speed.py [--runs 3] [--seconds 10] [--connections 32]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess

import docker
import httpx

from _platform import Platform, _free_port as free_port, tar_of
from runner_speed import until

# A web process that answers as fast as Python can: a raw asyncio protocol, keep-alive.
WEB = '''import asyncio, os
RESPONSE = b"HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: 12\\r\\n\\r\\nhello world\\n"
class Http(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.pending = transport, b""
    def data_received(self, data):
        self.pending += data
        while b"\\r\\n\\r\\n" in self.pending:
            _, _, self.pending = self.pending.partition(b"\\r\\n\\r\\n")
            self.transport.write(RESPONSE)
async def main():
    server = await asyncio.get_running_loop().create_server(Http, "", int(os.environ["PORT"]), backlog=1024)
    await server.serve_forever()
asyncio.run(main())
'''

# What someone would write by hand for the same job: the same forwarded headers and
# an access line with the same fields, a static upstream for the one dyno, and
# nobody reading its log.
HAND_CONFIG = """pid /tmp/nginx.pid;
worker_processes auto;
error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
    client_body_temp_path /tmp/nginx-client-body;
    proxy_temp_path /tmp/nginx-proxy;
    fastcgi_temp_path /tmp/nginx-fastcgi;
    uwsgi_temp_path /tmp/nginx-uwsgi;
    scgi_temp_path /tmp/nginx-scgi;
    log_format line 'method=$request_method path=$request_uri host=$host status=$status '
                    'bytes=$body_bytes_sent connect=$upstream_connect_time '
                    'service=$upstream_response_time request_id=$request_id fwd=$remote_addr';
    access_log /dev/stdout line buffer=4k flush=1s;
    upstream dyno {{
        server {dyno}:5000;
        keepalive 64;
    }}
    server {{
        listen 8080;
        location / {{
            proxy_pass http://dyno;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Port $server_port;
            proxy_set_header X-Request-Id $request_id;
        }}
    }}
}}
"""


def source() -> bytes:
    return tar_of({"web.py": WEB, "Procfile": "web: python3 web.py\n"}, compress=True)


def answers(url: str, host: str | None = None) -> bool:
    try:
        response = httpx.get(url, headers={"Host": host} if host else {}, timeout=2)
        return response.status_code == 200 and response.text == "hello world\n"
    except httpx.TransportError:
        return False


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * _UNITS[unit]


def wrk(url: str, seconds: int, connections: int, host: str | None) -> dict:
    threads = min(2, connections)
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if host:
        argv[1:1] = ["-H", f"Host: {host}"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.MULTILINE))
    errors = re.search(r"Socket errors: (.*)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": round(_ms(latency["50"]), 3),
        "p99_ms": round(_ms(latency["99"]), 3),
        "errors": (errors.group(1) if errors else "") + (f" non-2xx {non_2xx.group(1)}" if non_2xx else ""),
    }


def hand_nginx(engine, platform, image: str, network: str, dyno_ip: str) -> str:
    """An nginx container configured by hand in front of the dyno; returns its URL."""
    port = free_port()
    container = engine.containers.create(
        image, ["nginx", "-c", "/etc/paas-router/hand.conf", "-e", "stderr", "-g", "daemon off;"],
        name=f"{platform.instance}-hand-nginx", user="1000:1000",
        labels={"io.paas.instance": platform.instance}, ports={"8080/tcp": port})
    container.put_archive("/etc/paas-router", tar_of({"hand.conf": HAND_CONFIG.format(dyno=dyno_ip)}))
    engine.networks.get(network).connect(container)
    container.start()
    url = f"http://127.0.0.1:{port}/"
    until(lambda: answers(url), timeout=30)
    return url


def measure(engine, platform, api, router_port: int, args) -> tuple[list[str], list[dict]]:
    """Deploy the app, put a hand-configured nginx beside the router, run wrk."""
    api.post("/apps", json={"name": "bench"}).raise_for_status()
    build = api.post("/apps/bench/builds", content=source(),
                     headers={"Content-Type": "application/gzip"}).json()
    api.get(build["output_stream_url"], timeout=600)
    router_url = f"http://127.0.0.1:{router_port}/"
    until(lambda: answers(router_url, "bench.localhost"))
    [dyno] = engine.containers.list(filters={"label": [
        f"io.paas.instance={platform.instance}", "io.paas.process_type=web"]})
    network = f"{platform.instance}-bench"
    dyno_ip = dyno.attrs["NetworkSettings"]["Networks"][network]["IPAddress"]
    router = engine.containers.get(f"{platform.instance}-router")
    targets = {
        "router": (router_url, "bench.localhost"),
        "direct": (f"http://{dyno_ip}:5000/", None),
        "hand_nginx": (hand_nginx(engine, platform, router.image.id, network, dyno_ip), None),
    }
    for url, host in targets.values():  # warm up: connections, workers, caches
        wrk(url, 2, args.connections, host)
    runs = []
    for _ in range(args.runs):
        # Each run starts with another target: none always gets the machine first.
        names = list(targets)
        order = names[len(runs) % len(names):] + names[:len(runs) % len(names)]
        run = {}
        for name in order:
            url, host = targets[name]
            run[name] = wrk(url, args.seconds, args.connections, host)
        run.update({f"{name}_unloaded": wrk(url, args.seconds // 2 or 1, 1, host)
                    for name, (url, host) in targets.items()})
        # The data plane alone: the same router with the control plane (which forwards
        # every access line and re-syncs every 2 s) stopped for the measurement.
        os.kill(platform.proc.pid, signal.SIGSTOP)
        try:
            run["router_control_plane_paused"] = wrk(router_url, args.seconds, args.connections,
                                                     "bench.localhost")
        finally:
            os.kill(platform.proc.pid, signal.SIGCONT)
        runs.append(run)
    return ([*targets, *(f"{name}_unloaded" for name in targets), "router_control_plane_paused"],
            runs)


def median_of(runs: list[dict], target: str) -> dict:
    return {key: round(statistics.median(run[target][key] for run in runs), 3)
            for key in ("rps", "p50_ms", "p99_ms")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (scripts/setup-host.sh installs it)")
    router_port = free_port()
    os.environ["PAAS_ROUTER_PORT"] = str(router_port)  # the platform below inherits it
    engine = docker.from_env()
    platform = Platform()
    try:
        with platform, platform.api() as api:
            targets, runs = measure(engine, platform, api, router_port, args)
    finally:
        # The platform removed its containers on the way out; networks are left to us.
        for net in engine.networks.list(filters={"label": f"io.paas.instance={platform.instance}"}):
            net.remove()
    medians = {name: median_of(runs, name) for name in targets}
    print(json.dumps({
        "wrk": {"threads": 2, "connections": args.connections, "seconds": args.seconds},
        "runs": runs,
        "median": medians,
        # Paired: each run compares the two measured back to back, under the same load
        # from whatever else the machine runs; the median of those shares is robust to it.
        "router_rps_share_of_hand_nginx": round(statistics.median(
            run["router"]["rps"] / run["hand_nginx"]["rps"] for run in runs), 3),
        "router_rps_share_of_hand_nginx_medians": round(
            medians["router"]["rps"] / medians["hand_nginx"]["rps"], 3),
        "router_p50_added_over_direct_ms": round(
            medians["router_unloaded"]["p50_ms"] - medians["direct_unloaded"]["p50_ms"], 3),
        "hand_nginx_p50_added_over_direct_ms": round(
            medians["hand_nginx_unloaded"]["p50_ms"] - medians["direct_unloaded"]["p50_ms"], 3),
        "router_p50_added_over_direct_saturated_ms": round(
            medians["router"]["p50_ms"] - medians["direct"]["p50_ms"], 3),
    }, indent=2))


if __name__ == "__main__":
    main()
