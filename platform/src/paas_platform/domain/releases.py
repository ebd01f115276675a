"""Release rules: the append-only ledger's vocabulary, pure.

A release is an immutable (version, build, config) record. Rollback never edits
history: it appends a new release copying an earlier one's build and config.
The current release is the newest one that succeeded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Sequence

from paas_platform.domain.errors import Conflict, InvalidParams, NotFound


class ReleaseStatus(str, Enum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class Release:
    id: str
    app_id: str
    version: int
    description: str
    status: ReleaseStatus
    config: dict[str, str]
    user: str
    created_at: datetime
    build_id: str | None = None
    updated_at: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class NewRelease:
    """What a service asks the ledger to append; the ledger assigns id and version."""

    description: str
    config: dict[str, str]
    user: str
    build_id: str | None = None
    status: ReleaseStatus = ReleaseStatus.SUCCEEDED


def initial_status(build_id: str | None) -> ReleaseStatus:
    """A release with a build is pending until its dynos are rolled out; one without
    a build has nothing to run and succeeds at once."""
    return ReleaseStatus.PENDING if build_id else ReleaseStatus.SUCCEEDED


def parse_version(ref: object) -> int:
    """Accept 7, "7" or "v7" (as `paas rollback v7` does); raise InvalidParams otherwise."""
    if isinstance(ref, bool):
        raise InvalidParams("release must be a version number such as 7 or v7")
    if isinstance(ref, int):
        version = ref
    elif isinstance(ref, str) and ref.lstrip("vV").isdigit() and len(ref) < 12:
        version = int(ref.lstrip("vV"))
    else:
        raise InvalidParams("release must be a version number such as 7 or v7")
    if version < 1:
        raise InvalidParams("release versions start at v1")
    return version


def current_release(releases: Sequence[Release]) -> Release | None:
    """The newest succeeded release, or None."""
    succeeded = [r for r in releases if r.status is ReleaseStatus.SUCCEEDED]
    return max(succeeded, key=lambda r: r.version, default=None)


def rollback_of(target: Release | None, version: int, user: str,
                deployed: bool = False) -> NewRelease:
    """The release that rolls back to `target` (v`version`), or the reason it cannot.
    `deployed`: the app runs code now; a release from before its first deploy has none,
    and rolling back to it would leave the app without any (an app never deployed may
    roll back between config-only releases)."""
    if target is None:
        raise NotFound(f"release v{version} not found")
    if target.status is not ReleaseStatus.SUCCEEDED:
        why = "it failed" if target.status is ReleaseStatus.FAILED else "it is still pending"
        raise Conflict(f"cannot roll back to v{version}: {why}")
    if deployed and target.build_id is None:
        raise Conflict(f"cannot roll back to v{version}: it has no build (it is older than "
                       f"the first deploy), so the app would run no code")
    return NewRelease(
        description=f"Rollback to v{version}",
        config=dict(target.config),
        user=user,
        build_id=target.build_id,
        status=initial_status(target.build_id),
    )
