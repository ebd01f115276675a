"""App name rule and random names."""

import random

import pytest

from paas_platform.domain.errors import InvalidParams
from paas_platform.domain.names import random_app_name, validate_app_name


@pytest.mark.parametrize("name", ["abc", "demo", "my-app-2", "a" * 30, "a1b"])
def test_valid_names_pass(name):
    assert validate_app_name(name) == name


@pytest.mark.parametrize(
    "name",
    ["ab", "a" * 31, "Demo", "1app", "-app", "app-", "my_app", "my app", "app.", "", None, 7,
     "demo;rm", "../etc", "demo\n"],
)
def test_invalid_names_are_refused(name):
    with pytest.raises(InvalidParams, match="app name must be 3-30 characters"):
        validate_app_name(name)


def test_random_names_are_valid_and_vary():
    rng = random.Random(42)
    names = {random_app_name(rng) for _ in range(200)}
    assert len(names) > 190
    for name in names:
        assert validate_app_name(name) == name
