"""Background work that must not compete with serving requests.

On a small machine the control plane shares the CPU with the router and the dynos.
Reading the router's access log is a few microseconds of Python per request; under
saturation that is CPU nginx would otherwise serve requests with. Threads doing such
work lower their own scheduling priority (Linux schedules threads individually): they
fall behind while the machine is saturated and catch up when it is not. Nothing is
lost meanwhile: what they read waits in a file, behind a stored position.
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger("paas.priority")

BACKGROUND_NICENESS = 10


def lower_current_thread_priority(niceness: int = BACKGROUND_NICENESS) -> bool:
    """Give the calling thread a lower CPU priority; False where that is not possible."""
    try:
        current = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), max(current, niceness))
        return True
    except (AttributeError, OSError) as exc:  # not Linux, or not permitted
        log.debug("could not lower a background thread's priority: %s", exc)
        return False
