"""Config merge-patch semantics, key rule, size cap and descriptions."""

import pytest

from paas_platform.domain.config import MAX_CONFIG_BYTES, apply_patch, validate_config_key
from paas_platform.domain.errors import InvalidParams


def test_set_and_unset_merge_into_current():
    change = apply_patch({"A": "1", "B": "2"}, {"B": "3", "C": "4", "A": None})
    assert change.config == {"B": "3", "C": "4"}
    assert change.set_keys == ("B", "C")
    assert change.unset_keys == ("A",)


def test_descriptions_name_keys_only():
    assert apply_patch({}, {"FOO": "s3cret", "BAR": "x"}).description() == "Set FOO, BAR config vars"
    assert apply_patch({"FOO": "1"}, {"FOO": None}).description() == "Unset FOO config var"
    mixed = apply_patch({"OLD": "1"}, {"NEW": "s3cret", "OLD": None}).description()
    assert mixed == "Set NEW config var and unset OLD config var"
    assert "s3cret" not in mixed


def test_no_op_patch_is_unchanged():
    change = apply_patch({"A": "1"}, {"A": "1", "GONE": None})
    assert not change.changed
    assert change.config == {"A": "1"}


@pytest.mark.parametrize("key", ["FOO", "_x", "a1", "DATABASE_URL"])
def test_valid_keys(key):
    assert validate_config_key(key) == key


@pytest.mark.parametrize("key", ["1A", "A-B", "A B", "", "A=B", "É", "A\n"])
def test_invalid_keys(key):
    with pytest.raises(InvalidParams, match="invalid config key"):
        validate_config_key(key)


def test_one_bad_key_rejects_whole_patch_without_echoing_values():
    with pytest.raises(InvalidParams) as info:
        apply_patch({}, {"GOOD": "hunter2", "1BAD": "hunter3"})
    assert "hunter" not in info.value.message
    assert "1BAD" in info.value.message


@pytest.mark.parametrize("patch", [[], "A=1", None, {}, {"A": 5}, {"A": ["x"]}, {"A": "a\x00b"}])
def test_malformed_patches_are_refused(patch):
    with pytest.raises(InvalidParams):
        apply_patch({}, patch)


def test_size_cap_counts_keys_and_values_in_utf8_bytes():
    at_cap = {"K": "x" * (MAX_CONFIG_BYTES - 1)}
    assert apply_patch({}, at_cap).config == at_cap
    with pytest.raises(InvalidParams, match=f"at most {MAX_CONFIG_BYTES} bytes"):
        apply_patch({}, {"K": "x" * MAX_CONFIG_BYTES})
    # Multi-byte characters count by their encoded size.
    with pytest.raises(InvalidParams):
        apply_patch({}, {"K": "é" * (MAX_CONFIG_BYTES // 2)})
