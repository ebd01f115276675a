"""LogHub.publish() rate: lines stored (and handed to one live reader) per second for one
app, in batches as the collector sends them, on a fresh SQLite file (or DATABASE_URL).

Prints JSON with every run and the median.

    uv run python benchmarks/log_hub_speed.py [--lines 200000] [--batch 500] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from paas_platform.domain.logs import LogLine, LogQuery
from paas_platform.services.log_hub import LogHub
from paas_platform.store import open_store


def one_run(lines: int, batch: int, url: str) -> dict:
    store = open_store(url)
    hub = LogHub(store, max_lines=10_000, max_age=7 * 86400, queue_lines=100_000)
    reader = hub.subscribe("bench", LogQuery())
    received = [0]

    def read() -> None:
        while received[0] < lines and not reader.closed:
            received[0] += len(reader.get(timeout=1.0))

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    start_at = datetime.now(timezone.utc)
    batches = [
        [LogLine("bench", start_at + timedelta(microseconds=i), "app", f"web.{i % 3 + 1}",
                 f"line {i} " + "x" * 60) for i in range(first, min(first + batch, lines))]
        for first in range(0, lines, batch)
    ]
    started = time.perf_counter()
    for chunk in batches:
        hub.publish(chunk)
    stored = time.perf_counter() - started
    thread.join(timeout=60)
    with store.transaction() as tx:
        kept = tx.logs.count("bench")
    hub.stop()
    store.close()
    return {"lines": lines, "batch": batch, "seconds": round(stored, 3),
            "lines_per_second": round(lines / stored), "reader_received": received[0],
            "kept_after_retention": kept}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as scratch:
            url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(scratch) / 'bench.db'}"
            runs.append(one_run(args.lines, args.batch, url))
    print(json.dumps({
        "backend": "DATABASE_URL" if os.environ.get("DATABASE_URL") else "sqlite",
        "runs": runs,
        "median_lines_per_second": statistics.median(r["lines_per_second"] for r in runs),
    }, indent=2))


if __name__ == "__main__":
    main()
