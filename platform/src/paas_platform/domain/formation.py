"""Formation rules, pure: how many dynos of each process type should run.

Scaling is not a release: the formation is mutable state beside the ledger. A
new app's first deploy runs one `web` if the Procfile has one, others at zero.
The `release` type is the release phase, never a long-running dyno.
"""

from __future__ import annotations

import re
from typing import Mapping

from paas_platform.domain.errors import InvalidParams

MAX_QUANTITY = 100
DEFAULT_SIZE = "standard-1x"
# Dyno sizes as multiples of the standard-1x memory (PAAS_DYNO_MEMORY) and pids limit.
SIZE_MULTIPLIERS = {"basic": 0.5, "standard-1x": 1, "standard-2x": 2, "performance-m": 5,
                    "performance-l": 28}
BASE_PIDS = 256
RELEASE_PHASE_TYPE = "release"
_RELATIVE = re.compile(r"^([+-])(\d{1,3})$")


def runnable_types(process_types: Mapping[str, str]) -> dict[str, str]:
    """Process types that run as dynos (everything but the release phase)."""
    return {t: c for t, c in process_types.items() if t != RELEASE_PHASE_TYPE}


def initial_quantity(process_type: str) -> int:
    return 1 if process_type == "web" else 0


def new_quantity(current: int, requested: object) -> int:
    """An absolute int, or "+N"/"-N" relative to `current`; 0..MAX_QUANTITY."""
    if isinstance(requested, bool):
        raise InvalidParams("quantity must be a number such as 3, \"+1\" or \"-1\"")
    if isinstance(requested, int):
        quantity = requested
    elif isinstance(requested, str) and requested.isdigit() and len(requested) <= 3:
        quantity = int(requested)
    elif isinstance(requested, str) and (match := _RELATIVE.match(requested)):
        step = int(match.group(2))
        quantity = current + step if match.group(1) == "+" else current - step
    else:
        raise InvalidParams("quantity must be a number such as 3, \"+1\" or \"-1\"")
    if not 0 <= quantity <= MAX_QUANTITY:
        raise InvalidParams(f"quantity must be between 0 and {MAX_QUANTITY} (got {quantity})")
    return quantity


def validate_size(size: object) -> str:
    if not isinstance(size, str) or size.lower() not in SIZE_MULTIPLIERS:
        raise InvalidParams(f"dyno size must be one of {', '.join(SIZE_MULTIPLIERS)}")
    return size.lower()


def size_limits(size: str, standard_memory: int) -> tuple[int, int]:
    """(memory bytes, pids limit) for a dyno of `size`."""
    factor = SIZE_MULTIPLIERS[size]
    return int(standard_memory * factor), max(64, int(BASE_PIDS * max(factor, 1)))


def validate_health_check_path(path: object) -> str | None:
    """An absolute URL path the rollout GETs on new web dynos, or None for TCP only."""
    if path is None:
        return None
    if (not isinstance(path, str) or not path.startswith("/") or len(path) > 200
            or any(c.isspace() or ord(c) < 32 for c in path)):
        raise InvalidParams("health check path must be an absolute path such as /health "
                            "(no spaces, at most 200 characters)")
    return path
