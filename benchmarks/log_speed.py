"""Log speed on a real platform:

1. lag: a dyno prints its own clock every 20 ms; a `--tail` reader of the log stream
   (GET /apps/APP/log-stream?tail=true, what `paas logs --tail` reads) notes when each
   line arrives. Lag = arrival - printed time (same host, same clock): p50 and p99.
2. throughput: a dyno prints N numbered lines as fast as it can; lines/s = N / (time
   from the dyno's start to the last line reaching the tail reader); then the stored
   stream is read back and checked for gaps and repeats.

Prints JSON with every run and the medians.

    uv run python benchmarks/log_speed.py [--runs 3] [--lines 50000] [--lag-lines 500]
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time

import httpx

from _platform import Platform, _free_port, tar_of

MAX_NUM = 100_000  # the most lines one log-stream request returns

LAG = ("import time\n"
       "n = 0\n"
       "while True:\n"
       "    print(f'lag {n} {time.time():.6f}', flush=True)\n"
       "    n += 1\n"
       "    time.sleep(0.02)\n")
FLOOD = ("import os, sys, time\n"
         "run, count = os.environ.get('FLOOD_RUN', '0'), int(os.environ.get('FLOOD_LINES', '0'))\n"
         "print(f'start {run} {time.time():.6f}', flush=True)\n"
         "write = sys.stdout.write\n"
         "for n in range(count):\n"
         "    write(f'flood {run} {n}\\n')\n"
         "sys.stdout.flush()\n"
         "time.sleep(10**6)\n")


def source() -> bytes:
    files = {"lag.py": LAG, "flood.py": FLOOD,
             "Procfile": "lag: python3 lag.py\nflood: python3 flood.py\n"}
    return tar_of(files, compress=True)


class TailReader:
    """Follows the app's stream in a thread; hands (arrival time, line) to `on_line`."""

    def __init__(self, platform: Platform, dyno: str, on_line) -> None:
        self._client = platform.api()
        self._params = {"tail": "true", "dyno": dyno, "num": "1"}
        self._on_line = on_line
        self._stop = False
        self.gaps = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with self._client.stream("GET", "/apps/bench/log-stream", params=self._params,
                                     timeout=httpx.Timeout(30, read=None)) as response:
                for line in response.iter_lines():
                    if self._stop:
                        return
                    if " platform[logs]: " in line:
                        self.gaps += 1
                    elif line:
                        self._on_line(time.time(), line)
        except httpx.HTTPError:
            if not self._stop:
                raise

    def close(self) -> None:
        self._stop = True
        self._client.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def scale(api: httpx.Client, **quantities: int) -> None:
    updates = [{"type": t, "quantity": q} for t, q in quantities.items()]
    response = api.patch("/apps/bench/formation", json={"updates": updates})
    assert response.status_code == 200, response.text


def measure_lag(platform: Platform, api: httpx.Client, lines: int) -> dict:
    lags: list[float] = []
    done = threading.Event()
    began = time.time()

    def on_line(arrived: float, line: str) -> None:
        text = line.split(": ", 1)[1]
        # The stream starts with the newest stored line: an earlier run's, not a live one.
        if text.startswith("lag ") and not done.is_set() and float(text.split()[2]) >= began:
            lags.append(arrived - float(text.split()[2]))
            if len(lags) >= lines:
                done.set()

    reader = TailReader(platform, "lag", on_line)
    time.sleep(1)  # the reader is subscribed before the dyno starts
    scale(api, lag=1)
    finished = done.wait(60 + lines * 0.1)
    reader.close()
    scale(api, lag=0)
    if not finished:
        raise SystemExit(f"lag: only {len(lags)} of {lines} lines arrived")
    return {"lines": len(lags), "p50_ms": round(percentile(lags, 0.5) * 1000, 1),
            "p99_ms": round(percentile(lags, 0.99) * 1000, 1),
            "max_ms": round(max(lags) * 1000, 1)}


def measure_throughput(platform: Platform, api: httpx.Client, run: int, lines: int) -> dict:
    state = {"start": None, "count": 0, "last": None}
    done = threading.Event()
    prefix = f"flood {run} "

    def on_line(arrived: float, line: str) -> None:
        text = line.split(": ", 1)[1]
        if text.startswith(f"start {run} "):
            state["start"] = float(text.split()[2])
        elif text.startswith(prefix):
            state["count"] += 1
            state["last"] = arrived
            if state["count"] >= lines:
                done.set()

    reader = TailReader(platform, "flood", on_line)
    time.sleep(1)
    response = api.patch("/apps/bench/config-vars",
                         json={"FLOOD_RUN": str(run), "FLOOD_LINES": str(lines)})
    assert response.status_code == 200, response.text
    scale(api, flood=1)
    done.wait(120 + lines / 1000)
    reader.close()
    scale(api, flood=0)
    stored = api.get("/apps/bench/log-stream", params={"dyno": "flood", "num": str(MAX_NUM)},
                     timeout=300).text.splitlines()
    numbers = [int(line.rsplit(" ", 1)[1]) for line in stored if f": {prefix}" in line]
    seconds = (state["last"] or time.time()) - (state["start"] or time.time())
    return {"lines": lines, "arrived_live": state["count"], "gap_markers": reader.gaps,
            "seconds": round(seconds, 2), "lines_per_s": round(state["count"] / seconds),
            "stored": len(numbers), "stored_in_order_without_gaps": numbers == list(range(lines))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--lag-lines", type=int, default=500)
    args = parser.parse_args()
    if not 0 < args.lines <= MAX_NUM - 10_000:
        parser.error(f"--lines must be at most {MAX_NUM - 10_000}: the stored lines are read back "
                     f"in one request of at most {MAX_NUM}")
    platform = Platform()
    platform.env["PAAS_LOG_MAX_LINES"] = str(max(10_000, 2 * args.lines))
    platform.env["PAAS_STOP_GRACE"] = "2"
    platform.env["PAAS_ROUTER_PORT"] = str(_free_port())  # no router needed; never 8080's owner
    with platform, platform.api() as api:
        api.timeout = httpx.Timeout(600)
        assert api.post("/apps", json={"name": "bench"}).status_code == 201
        build = api.post("/apps/bench/builds", content=source(),
                         headers={"Content-Type": "application/gzip"}).json()
        api.get(build["output_stream_url"], timeout=600)
        lag_runs, flood_runs = [], []
        for run in range(args.runs):
            lag_runs.append(measure_lag(platform, api, args.lag_lines))
            flood_runs.append(measure_throughput(platform, api, run, args.lines))
    print(json.dumps({
        "lag": lag_runs,
        "throughput": flood_runs,
        "median": {
            "lag_p50_ms": statistics.median(r["p50_ms"] for r in lag_runs),
            "lag_p99_ms": statistics.median(r["p99_ms"] for r in lag_runs),
            "lines_per_s": statistics.median(r["lines_per_s"] for r in flood_runs),
            "all_stored_without_gaps": all(r["stored_in_order_without_gaps"] for r in flood_runs),
        },
    }, indent=2))


if __name__ == "__main__":
    main()
