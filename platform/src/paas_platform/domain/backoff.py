"""Crash back-off, pure: when may a crashed dyno start again?

First restart at once, then about 10 s doubling up to 5 min. The count resets
when a dyno has stayed up for 10 minutes, or with a new release.
"""

from __future__ import annotations

FIRST_DELAY = 10.0
MAX_DELAY = 300.0
STABLE_AFTER = 600.0


def restart_delay(crashes_in_a_row: int) -> float:
    """Seconds to wait before restart number `crashes_in_a_row` (1 = the first crash)."""
    if crashes_in_a_row <= 1:
        return 0.0
    return min(FIRST_DELAY * 2 ** (crashes_in_a_row - 2), MAX_DELAY)


def crashes_after(previous: int, uptime_seconds: float) -> int:
    """The crash count after a dyno that ran `uptime_seconds` exits unexpectedly."""
    return 1 if uptime_seconds >= STABLE_AFTER else previous + 1
