"""Add-on rules, pure: kinds and plans, names, attachment vars, URLs, rollback's vars."""

import random
from datetime import datetime, timezone

import pytest

from paas_platform.domain.addons import (
    KINDS, Addon, Attachment, Credentials, attachment_name, check_var_free, keep_attached_vars,
    new_credentials, parse_plan, random_addon_name, validate_addon_name,
)
from paas_platform.domain.errors import Conflict, InvalidParams

NOW = datetime(2026, 11, 24, tzinfo=timezone.utc)


@pytest.mark.parametrize("plan,kind,plan_name", [
    ("postgresql", "postgresql", "dev"), ("postgresql:dev", "postgresql", "dev"),
    ("Redis", "redis", "dev"), (" redis:DEV ", "redis", "dev"),
])
def test_plans_name_a_kind_and_default_to_dev(plan, kind, plan_name):
    found, name = parse_plan(plan)
    assert (found.name, name) == (kind, plan_name)


@pytest.mark.parametrize("plan,message", [
    ("mysql", "unknown add-on service 'mysql': choose one of postgresql, redis"),
    ("", "one of postgresql, redis"), (None, "one of postgresql, redis"), (7, "postgresql, redis"),
    ("postgresql:huge", "unknown plan 'huge' for postgresql: choose one of dev"),
])
def test_unknown_kinds_and_plans_list_the_choices(plan, message):
    with pytest.raises(InvalidParams, match=message):
        parse_plan(plan)


def test_random_names_look_like_herokus():
    name = random_addon_name(KINDS["postgresql"], random.Random(4))
    kind, adjective, number = name.split("-")
    assert kind == "postgresql" and adjective.isalpha() and 10000 <= int(number) <= 99999
    assert validate_addon_name(name) == name
    assert random_addon_name(KINDS["redis"]).startswith("redis-")


@pytest.mark.parametrize("name", ["UPPER", "a", "-x-y", "x_y", "ends-", "a" * 49, "db 1", 5])
def test_bad_addon_names(name):
    with pytest.raises(InvalidParams, match="add-on name"):
        validate_addon_name(name)


def test_attachment_names_default_per_kind_and_upper_case_like_heroku():
    assert attachment_name(None, KINDS["postgresql"]) == "DATABASE"
    assert attachment_name(None, KINDS["redis"]) == "REDIS"
    assert attachment_name("cache", KINDS["redis"]) == "CACHE"
    assert attachment_name("Reporting_DB", KINDS["postgresql"]) == "REPORTING_DB"


@pytest.mark.parametrize("requested", ["", "  ", "1DB", "my-db", "db.url", "A" * 61, 3])
def test_attachment_names_must_make_a_config_key(requested):
    with pytest.raises(InvalidParams, match="attachment name"):
        attachment_name(requested, KINDS["postgresql"])


def _attachment(name: str, addon: str = "postgresql-calm-12345") -> Attachment:
    return Attachment(id="a", addon_id="x", addon_name=addon, app_id="app", app_name="demo",
                      name=name, created_at=NOW)


def test_a_var_belongs_to_one_attachment_per_app():
    existing = [_attachment("DATABASE")]
    check_var_free("demo", "CACHE_URL", existing)
    with pytest.raises(Conflict, match="DATABASE_URL on demo is already set by add-on "
                                       "postgresql-calm-12345"):
        check_var_free("demo", "DATABASE_URL", existing)


def _addon(kind: str, password: str = "s3cret") -> Addon:
    return Addon(id="x", name=f"{kind}-calm-12345", kind=kind, plan="dev", app_id="app",
                 app_name="demo", credentials=Credentials("u1", password, "d1"), volume="v",
                 state="provisioned", created_at=NOW)


def test_urls_name_the_add_on_as_host():
    assert _addon("postgresql").url() == "postgres://u1:s3cret@postgresql-calm-12345:5432/d1"
    assert _addon("redis").url() == "redis://:s3cret@redis-calm-12345:6379"
    assert _addon("redis", "a/b@c").url() == "redis://:a%2Fb%40c@redis-calm-12345:6379"


def test_credentials_are_random_and_never_in_their_repr():
    first, second = new_credentials(KINDS["postgresql"]), new_credentials(KINDS["postgresql"])
    assert first.password != second.password and len(first.password) == 48
    assert first.user != second.user and first.database.startswith("d")
    assert first.password not in repr(first)
    assert "s3cret" not in repr(_addon("postgresql"))


def test_rollback_keeps_attached_vars_as_they_are_now():
    older = {"DATABASE_URL": "postgres://old", "FOO": "1"}
    attached = {"DATABASE_URL": "postgres://now", "REDIS_URL": "redis://now"}
    assert keep_attached_vars(older, attached) == {
        "DATABASE_URL": "postgres://now", "FOO": "1", "REDIS_URL": "redis://now"}
    assert keep_attached_vars({"FOO": "1"}, {}) == {"FOO": "1"}
