"""The log store and LogHub on both backends: order, windows, retention, cursors,
fan-out, slow readers and the seam between history and live lines."""

import threading
from datetime import datetime, timedelta, timezone

import pytest

from paas_platform.domain.errors import StoreUnavailable
from paas_platform.domain.logs import LogCursor, LogLine, LogQuery
from paas_platform.services.log_hub import GapLine, LogHub

T0 = datetime(2026, 11, 23, 23, 50, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now=T0 + timedelta(hours=1)):
        self.now = now

    def __call__(self):
        return self.now


def line(text, seconds=0.0, process="web.1", source="app", app="demo"):
    return LogLine(app, T0 + timedelta(seconds=seconds), source, process, text)


def texts(lines):
    return [l.text for l in lines]


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def hub(store, clock):
    hub = LogHub(store, max_lines=1500, max_age=86400, clock=clock, queue_lines=5)
    yield hub
    hub.stop()


def test_lines_come_back_in_time_order_across_processes(hub):
    hub.publish([line("web 2", 2, "web.1"), line("worker 1", 1, "worker.1")])
    hub.publish([line("web 3", 3, "web.2"), line("first", 0, "web.2"),
                 line("same time, stored later", 3, "router", "platform")])
    got = hub.history("demo", LogQuery())
    assert texts(got) == ["first", "worker 1", "web 2", "web 3", "same time, stored later"]
    assert got[0].timestamp == T0 and got[0].process == "web.2" and got[0].source == "app"
    assert got[0].timestamp.tzinfo is not None


def test_microseconds_survive(hub):
    moment = T0 + timedelta(microseconds=123456)
    hub.publish([LogLine("demo", moment, "app", "web.1", "x")])
    assert hub.history("demo", LogQuery())[0].timestamp == moment


def test_last_n_lines_in_time_order(hub):
    hub.publish([line(f"n{i}", i) for i in range(30)])
    assert texts(hub.history("demo", LogQuery(num=3))) == ["n27", "n28", "n29"]


def test_filters_and_windows(hub):
    hub.publish([line("a", 1, "web.1"), line("b", 2, "web.2"), line("c", 3, "worker.1"),
                 line("d", 4, "api", "platform"), line("other app", 5, app="else")])
    assert texts(hub.history("demo", LogQuery(dyno="web"))) == ["a", "b"]
    assert texts(hub.history("demo", LogQuery(dyno="web.2"))) == ["b"]
    assert texts(hub.history("demo", LogQuery(source="platform"))) == ["d"]
    window = LogQuery(since=T0 + timedelta(seconds=2), until=T0 + timedelta(seconds=3))
    assert texts(hub.history("demo", window)) == ["b", "c"]
    assert texts(hub.history("else", LogQuery())) == ["other app"]


def test_dyno_filter_is_not_a_pattern(hub):
    hub.publish([line("a", 1, "my_web.1"), line("b", 2, "myxweb.1")])
    assert texts(hub.history("demo", LogQuery(dyno="my_web"))) == ["a"]


def test_prune_by_count_keeps_the_newest(store, clock):
    hub = LogHub(store, max_lines=1500, max_age=86400, clock=clock)
    # Out of time order on purpose: retention follows time, not insertion.
    hub.publish([line(f"n{i}", i) for i in range(1000, 1600)])
    hub.publish([line(f"n{i}", i) for i in range(0, 1000)])
    hub.prune("demo")
    with store.transaction() as tx:
        assert tx.logs.count("demo") == 1500
    assert texts(hub.history("demo", LogQuery(num=1)))[0] == "n1599"
    assert texts(hub.history("demo", LogQuery(num=100_000)))[0] == "n100"


def test_prune_by_age_and_old_lines_are_hidden(store, clock):
    hub = LogHub(store, max_lines=1500, max_age=3600, clock=clock)
    clock.now = T0 + timedelta(seconds=3600 + 10)
    hub.publish([line("old", 0), line("kept", 20)])
    # Hidden from readers before any prune ran...
    assert texts(hub.history("demo", LogQuery())) == ["kept"]
    assert hub.prune_all() == 1
    with store.transaction() as tx:
        assert tx.logs.count("demo") == 1


def test_publishing_prunes_now_and_then(store, clock):
    hub = LogHub(store, max_lines=1500, max_age=86400, clock=clock)
    for batch in range(20):
        hub.publish([line(f"b{batch}-{i}", batch * 100 + i) for i in range(100)])
    with store.transaction() as tx:
        assert 1500 <= tx.logs.count("demo") < 2000


def test_cursors_are_stored_with_the_lines(hub):
    hub.publish([line("a", 1)], [LogCursor("c1", "2026-11-23T23:50:01.000000001Z", 1, "demo")])
    assert hub.cursor("c1") == LogCursor("c1", "2026-11-23T23:50:01.000000001Z", 1, "demo")
    hub.publish([line("b", 1)], [LogCursor("c1", "2026-11-23T23:50:01.000000001Z", 2, "demo"),
                                  LogCursor("c2", "2026-11-23T23:50:02Z", 1, "demo")])
    assert hub.cursor("c1").repeats == 2
    assert sorted(hub.cursor_ids()) == ["c1", "c2"]
    hub.forget_cursors(["c1"])
    assert hub.cursor("c1") is None and hub.cursor("c2") is not None


def test_lines_and_cursor_commit_together(store, hub):
    """A batch that cannot be stored leaves neither its lines nor its cursor."""
    with store.transaction(write=True) as tx:
        tx.logs.append([line("a", 1)])
        tx.logs.upsert_cursors([LogCursor("c1", "t1", 1, "demo")])
    try:
        with store.transaction(write=True) as tx:
            tx.logs.append([line("b", 2)])
            tx.logs.upsert_cursors([LogCursor("c1", "t2", 1, "demo")])
            raise RuntimeError("the batch fails after both writes")
    except RuntimeError:
        pass
    assert texts(hub.history("demo", LogQuery())) == ["a"]
    assert hub.cursor("c1").timestamp == "t1"


def test_delete_app_removes_lines_cursors_and_drains(store, hub, clock):
    hub.publish([line("a", 1), line("b", 1, app="else")], [LogCursor("c1", "t", 1, "demo")])
    with store.transaction(write=True) as tx:
        tx.logs.add_drain("demo", "syslog://logs.example.com:514", clock())
        tx.logs.delete_app("demo")
    assert hub.history("demo", LogQuery()) == []
    assert texts(hub.history("else", LogQuery())) == ["b"]
    assert hub.cursor("c1") is None
    with store.transaction() as tx:
        assert tx.logs.drains("demo") == []


def test_drain_rows(store, clock):
    from paas_platform.domain.errors import Conflict

    with store.transaction(write=True) as tx:
        drain = tx.logs.add_drain("demo", "https://logs.example.com/in", clock())
        with pytest.raises(Conflict):
            tx.logs.add_drain("demo", "https://logs.example.com/in", clock())
        tx.logs.add_drain("other", "https://logs.example.com/in", clock())
    with store.transaction() as tx:
        assert [d.url for d in tx.logs.drains("demo")] == ["https://logs.example.com/in"]
        assert tx.logs.drains("demo")[0].created_at == clock()
        assert len(tx.logs.drains()) == 2
    with store.transaction(write=True) as tx:
        assert tx.logs.remove_drain("demo", drain.token) == drain
        assert tx.logs.remove_drain("demo", drain.id) is None


def test_fan_out_to_matching_readers(hub):
    web = hub.subscribe("demo", LogQuery(dyno="web"))
    everything = hub.subscribe("demo", LogQuery())
    other = hub.subscribe("else", LogQuery())
    hub.publish([line("w", 1, "web.1"), line("k", 2, "worker.1")])
    assert texts(web.get(timeout=1)) == ["w"]
    assert texts(everything.get(timeout=1)) == ["w", "k"]
    assert other.get(timeout=0) == []
    web.close()
    hub.publish([line("after close", 3)])
    assert web.get(timeout=0) == []
    assert texts(everything.get(timeout=1)) == ["after close"]


def test_slow_reader_gets_a_gap_and_never_blocks_publish(hub):
    slow = hub.subscribe("demo", LogQuery())  # queue of 5 lines (fixture)
    fast = hub.subscribe("demo", LogQuery())
    for i in range(12):
        hub.publish([line(f"n{i}", i)])  # returns although nobody reads `slow`
        assert texts(fast.get(timeout=1)) == [f"n{i}"]
    batch = slow.get(timeout=1)
    assert isinstance(batch[0], GapLine) and batch[0].skipped == 7
    assert batch[0].render().endswith("platform[logs]: 7 lines skipped: this reader fell behind")
    assert texts(batch[1:]) == ["n7", "n8", "n9", "n10", "n11"]
    assert slow.get(timeout=0) == []


def test_history_and_live_meet_without_loss_or_doubles(hub, store):
    """Lines published while a reader opens land in its history or its live queue, once."""
    big = LogHub(store, max_lines=100_000, max_age=10**8, clock=hub._clock, queue_lines=100_000)
    stop, writing = threading.Event(), threading.Event()
    published = []

    def writer():
        i = 0
        while not stop.is_set() and i < 3000:
            big.publish([line(f"n{i}", i / 1000)])
            published.append(i)
            if i == 50:
                writing.set()
            i += 1
        writing.set()

    thread = threading.Thread(target=writer)
    thread.start()
    writing.wait()
    history, live = big.history_and_subscribe("demo", LogQuery(num=100_000))
    stop.set()
    thread.join()
    seen = texts(history)
    while batch := live.get(timeout=0.2):
        seen += texts(batch)
    assert seen == [f"n{i}" for i in published]
    live.close()


def test_stop_ends_readers(hub):
    reader = hub.subscribe("demo", LogQuery())
    hub.stop()
    assert reader.closed and reader.get(timeout=0) == []
    assert hub.subscribe("demo", LogQuery()).closed


def test_event_never_raises(store, clock):
    hub = LogHub(store, clock=clock)
    hub.event("demo", "Set FOO config vars by admin")
    assert [l.render() for l in hub.history("demo", LogQuery())] == [
        f"{clock().isoformat(timespec='microseconds')} platform[api]: Set FOO config vars by admin"]
    store.close()

    class Down:
        def transaction(self, write=False):
            raise StoreUnavailable("database unavailable")

    LogHub(Down(), clock=clock).event("demo", "lost, quietly")


def test_iterating_a_subscription_drains_it_after_close(hub):
    reader = hub.subscribe("demo", LogQuery())
    hub.publish([line("a", 1), line("b", 2)])
    reader.close()
    assert [texts(batch) for batch in reader] == [["a", "b"]]
