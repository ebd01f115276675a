"""LogReader: what `paas logs` asks for - an app's recent lines, optionally
followed by the live ones - with the request's parameters checked first."""

from __future__ import annotations

from dataclasses import dataclass

from paas_platform.domain.logs import LogLine, validate_query
from paas_platform.services.clock import Clock, utc_now
from paas_platform.services.log_hub import LogHub, Subscription
from paas_platform.store import Store


@dataclass(frozen=True)
class LogRequest:
    """The parameters as they arrive (strings), checked by LogReader.open()."""

    num: int | None = None
    dyno: str | None = None
    source: str | None = None
    since: str | None = None
    until: str | None = None
    tail: bool = False


@dataclass
class LogView:
    history: list[LogLine]
    live: Subscription | None  # set when following; the caller closes it


class LogReader:
    def __init__(self, store: Store, hub: LogHub, clock: Clock = utc_now) -> None:
        self._store = store
        self._hub = hub
        self._clock = clock

    def open(self, app_name: str, request: LogRequest) -> LogView:
        """Raises InvalidParams for bad parameters, NotFound for an unknown app."""
        query = validate_query(request.num, request.dyno, request.source, request.since,
                               request.until, now=self._clock())
        self._check_app(app_name)
        if not request.tail:
            return LogView(self._hub.history(app_name, query), None)
        history, live = self._hub.history_and_subscribe(app_name, query)
        return LogView(history, live)

    def _check_app(self, app_name: str) -> None:
        with self._store.transaction() as tx:
            tx.apps.get(app_name)
