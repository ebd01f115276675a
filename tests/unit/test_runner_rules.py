"""Formation quantities and crash back-off: the pure rules the runner follows."""

import pytest

from paas_platform.domain.backoff import MAX_DELAY, crashes_after, restart_delay
from paas_platform.domain.errors import InvalidParams
from paas_platform.domain.formation import initial_quantity, new_quantity, runnable_types


@pytest.mark.parametrize("current,requested,expected", [
    (1, 3, 3), (1, "3", 3), (1, "+2", 3), (3, "-1", 2), (0, 0, 0), (2, "-2", 0), (99, "+1", 100),
])
def test_new_quantity(current, requested, expected):
    assert new_quantity(current, requested) == expected


@pytest.mark.parametrize("current,requested", [
    (1, -1), (1, 101), (0, "-1"), (100, "+1"), (1, "x"), (1, "+"), (1, None), (1, True), (1, 2.5),
])
def test_bad_quantities(current, requested):
    with pytest.raises(InvalidParams):
        new_quantity(current, requested)


def test_first_deploy_runs_one_web_and_no_release_dyno():
    assert runnable_types({"web": "a", "worker": "b", "release": "c"}) == {"web": "a", "worker": "b"}
    assert (initial_quantity("web"), initial_quantity("worker")) == (1, 0)


def test_back_off_schedule():
    assert [restart_delay(n) for n in range(1, 8)] == [0, 10, 20, 40, 80, 160, 300]
    assert restart_delay(50) == MAX_DELAY


def test_ten_minutes_up_resets_the_crash_count():
    assert crashes_after(5, uptime_seconds=3) == 6
    assert crashes_after(5, uptime_seconds=600) == 1
