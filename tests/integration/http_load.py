"""A small continuous HTTP load for tests: keep-alive connections in threads.

Each worker holds one HTTP/1.1 connection and sends GETs back to back, as a
browser or wrk would; it reconnects only when the server closes the connection
after a complete response. Every status is counted and every failure (a
refused or reset connection, a timeout, a truncated response) is recorded, so a
test can ask for exactly zero of them while the app is redeployed.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter


class HttpLoad:
    """`with HttpLoad(port, host) as load:` ... then read `statuses`, `errors`, `seen`."""

    def __init__(self, port: int, host: str, workers: int = 4, path: str = "/",
                 timeout: float = 40.0, seen_key=None) -> None:
        self._port, self._host, self._path, self._timeout = port, host, path, timeout
        self._workers = workers
        self._seen_key = seen_key  # body JSON -> a value worth recording (which code answered)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.statuses: Counter[int] = Counter()
        self.errors: list[str] = []
        self.seen: Counter = Counter()
        self.last_seen = None

    def __enter__(self) -> "HttpLoad":
        for number in range(self._workers):
            thread = threading.Thread(target=self._run, name=f"load-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self._timeout + 5)

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.statuses.values()) + len(self.errors)

    def _run(self) -> None:
        connection = None
        while not self._stop.is_set():
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", self._port,
                                                        timeout=self._timeout)
            try:
                connection.request("GET", self._path, headers={"Host": self._host})
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                with self._lock:
                    self.errors.append(repr(exc))
                connection.close()
                connection = None
                continue
            self._record(response.status, body)
            if response.will_close:
                connection.close()
                connection = None
        if connection is not None:
            connection.close()

    def _record(self, status: int, body: bytes) -> None:
        value = None
        if status == 200 and self._seen_key is not None:
            value = self._seen_key(json.loads(body))
        with self._lock:
            self.statuses[status] += 1
            if value is not None:
                self.seen[value] += 1
                self.last_seen = value
