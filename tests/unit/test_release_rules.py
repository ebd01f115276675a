"""Release version parsing, current-release choice and rollback rules."""

from datetime import datetime, timezone

import pytest

from paas_platform.domain.errors import Conflict, InvalidParams, NotFound
from paas_platform.domain.releases import (
    Release, ReleaseStatus, current_release, parse_version, rollback_of,
)

NOW = datetime(2026, 11, 23, tzinfo=timezone.utc)


def release(version, status=ReleaseStatus.SUCCEEDED, config=None, build_id=None):
    return Release(
        id=f"r{version}", app_id="a", version=version, description=f"v{version}",
        status=status, config=config or {}, user="admin", created_at=NOW, build_id=build_id,
    )


@pytest.mark.parametrize("ref,expected", [(7, 7), ("7", 7), ("v7", 7), ("V12", 12)])
def test_parse_version(ref, expected):
    assert parse_version(ref) == expected


@pytest.mark.parametrize("ref", [0, -1, "v0", "x7", "7a", "", None, True, 1.5, "v" + "9" * 20])
def test_parse_version_refuses_junk(ref):
    with pytest.raises(InvalidParams):
        parse_version(ref)


def test_current_is_newest_succeeded():
    history = [release(1), release(2), release(3, ReleaseStatus.FAILED), release(4, ReleaseStatus.PENDING)]
    assert current_release(history).version == 2
    assert current_release([]) is None


def test_rollback_copies_build_and_config():
    target = release(7, config={"A": "1"}, build_id="b7")
    new = rollback_of(target, 7, "alice")
    assert (new.description, new.config, new.build_id, new.user) == ("Rollback to v7", {"A": "1"}, "b7", "alice")
    # It has a build to run: pending until its dynos are rolled out.
    assert new.status is ReleaseStatus.PENDING
    assert new.config is not target.config  # a copy: the snapshot stays immutable
    assert rollback_of(release(1), 1, "alice").status is ReleaseStatus.SUCCEEDED


def test_rollback_refuses_failed_pending_and_unknown():
    with pytest.raises(Conflict, match="it failed"):
        rollback_of(release(3, ReleaseStatus.FAILED), 3, "admin")
    with pytest.raises(Conflict, match="pending"):
        rollback_of(release(4, ReleaseStatus.PENDING), 4, "admin")
    with pytest.raises(NotFound, match="v9"):
        rollback_of(None, 9, "admin")


def test_a_deployed_app_cannot_roll_back_to_a_release_without_a_build():
    config_only = release(1)
    assert config_only.build_id is None
    assert rollback_of(config_only, 1, "alice").build_id is None  # never deployed: allowed
    with pytest.raises(Conflict, match="v1: it has no build"):
        rollback_of(config_only, 1, "alice", deployed=True)
