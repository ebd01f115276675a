"""Platform events the reconciler writes to an app's log stream (recording sink)."""

from paas_platform.services.reconciler import FormationReconciler
from paas_platform.settings import Settings

from tests.unit.test_reconciler import FakeDynos, target


class RecordingSink:
    def __init__(self):
        self.events = []

    def publish(self, lines, cursors=()):
        self.events.extend((l.app, l.process, l.text) for l in lines)

    def event(self, app, text, process="api"):
        self.events.append((app, process, text))

    def write(self, app, source, process, text):
        self.events.append((app, process, text))


def reconciler_with(sink):
    return FormationReconciler(store=None, dynos=lambda: None, network=lambda app: "net",
                               settings=Settings(), monotonic=lambda: 1000.0, logs=sink)


def test_crash_restart_start_and_stop_events():
    sink = RecordingSink()
    engine = FakeDynos()
    engine.add("worker", 1, running=False, exit_code=3)
    engine.add("web", 4)  # beyond the formation
    reconciler_with(sink).reconcile_app(engine, "demo", target({"web": 1, "worker": 1}),
                                        engine.list())
    assert sink.events == [
        ("demo", "web.4", "Stopping process with SIGTERM"),
        ("demo", "web.1", "Starting process with command `w` (v2)"),
        ("demo", "web.1", "State changed from starting to up"),
        ("demo", "worker.1", "Process exited with status 3"),
        ("demo", "worker.1", "State changed from up to crashed"),
        ("demo", "worker.1", "State changed from crashed to starting"),
        ("demo", "worker.1", "State changed from starting to up"),
    ]

