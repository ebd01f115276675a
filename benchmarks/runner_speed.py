"""Runner speed: scale web 1->10 until all ten accept connections; config:set until
the new value answers; rollback until the old code answers. Prints JSON with every
run and the medians (seconds).

    uv run python benchmarks/runner_speed.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import docker
import httpx

from _platform import Platform, tar_of

WEB = ("import http.server, os\n"
       "class H(http.server.BaseHTTPRequestHandler):\n"
       "    def do_GET(self):\n"
       "        body = f\"{os.environ.get('FOO', '-')} {open('version').read().strip()}\".encode()\n"
       "        self.send_response(200); self.end_headers(); self.wfile.write(body)\n"
       "    def log_message(self, *a): pass\n"
       "http.server.ThreadingHTTPServer(('', int(os.environ['PORT'])), H).serve_forever()\n")


def source(version: str) -> bytes:
    files = {"web.py": WEB, "version": version, "Procfile": "web: python3 web.py\n"}
    return tar_of(files, compress=True)


def deploy(api: httpx.Client, version: str) -> int:
    build = api.post("/apps/bench/builds", content=source(version),
                     headers={"Content-Type": "application/gzip"}).json()
    api.get(build["output_stream_url"], timeout=600)
    release = api.get(f"/apps/bench/builds/{build['id']}").json()["release"]
    assert release and release["status"] == "succeeded", release
    return release["version"]


def web_answers(engine, instance: str) -> list[str]:
    out = []
    try:
        containers = engine.containers.list(filters={"label": [f"io.paas.instance={instance}",
                                                               "io.paas.process_type=web"]})
    except docker.errors.NotFound:  # one was removed while listing: look again
        return ["<changing>"]
    def ask(container) -> str:
        # Short connect timeout: a dyno being removed drops packets instead of refusing,
        # and a slow poll would be measured as a slow rollout.
        try:
            ip = next(iter(container.attrs["NetworkSettings"]["Networks"].values()))["IPAddress"]
            return httpx.get(f"http://{ip}:5000/", timeout=httpx.Timeout(0.5, connect=0.2)).text
        except (httpx.TransportError, KeyError, StopIteration):
            return ""

    with ThreadPoolExecutor(max_workers=16) as pool:
        out.extend(pool.map(ask, containers))
    return out


def until(predicate, timeout=180.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if predicate():
            return time.perf_counter() - started
        time.sleep(0.05)
    raise SystemExit("timed out waiting")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    engine = docker.from_env()
    scale, config, rollback = [], [], []
    with Platform() as platform, platform.api() as api:
        api.post("/apps", json={"name": "bench"}).raise_for_status()
        first = deploy(api, "one")
        deploy(api, "two")
        for i in range(runs):
            api.patch("/apps/bench/formation", json={"updates": [{"type": "web", "quantity": 1}]})
            until(lambda: len(web_answers(engine, platform.instance)) == 1)
            started = time.perf_counter()
            api.patch("/apps/bench/formation", json={"updates": [{"type": "web", "quantity": 10}]})
            answers = lambda: web_answers(engine, platform.instance)
            until(lambda: len(answers()) == 10 and all(answers()))
            scale.append(time.perf_counter() - started)
        for i in range(runs):
            value = f"value{i}"
            started = time.perf_counter()
            api.patch("/apps/bench/config-vars", json={"FOO": value})
            until(lambda: set(web_answers(engine, platform.instance)) == {f"{value} two"})
            config.append(time.perf_counter() - started)
        api.patch("/apps/bench/formation", json={"updates": [{"type": "web", "quantity": 1}]})
        for i in range(runs):
            current = api.get("/apps/bench").json()["current_release"]
            target_version = first if i % 2 == 0 else current - 1
            expected = "one" if i % 2 == 0 else "two"
            started = time.perf_counter()
            api.post("/apps/bench/releases", json={"release": target_version})
            until(lambda: [a.split()[-1] if a else "" for a in web_answers(engine, platform.instance)] == [expected])
            rollback.append(time.perf_counter() - started)
    print(json.dumps({
        "benchmark": "runner_speed",
        "runs": runs,
        "scale_1_to_10_seconds": [round(x, 2) for x in scale],
        "config_set_live_seconds": [round(x, 2) for x in config],
        "rollback_live_seconds": [round(x, 2) for x in rollback],
        "scale_1_to_10_median": round(statistics.median(scale), 2),
        "config_set_median": round(statistics.median(config), 2),
        "rollback_median": round(statistics.median(rollback), 2),
    }, indent=2))


if __name__ == "__main__":
    main()
