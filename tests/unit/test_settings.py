"""Settings come from the environment with embedded defaults; bad values are refused."""

from pathlib import Path

import pytest

from paas_platform.domain.errors import SettingsError
from paas_platform.settings import Settings


def test_defaults():
    s = Settings.from_env({})
    assert (s.api_port, s.instance, s.bootstrap_token, s.router_port) == (5000, "paas", None, 8080)
    assert s.resolved_database_url == f"sqlite:///{(Path('data') / 'paas.db').resolve()}"


def test_environment_overrides():
    s = Settings.from_env({
        "PAAS_API_PORT": "5999", "PAAS_DATA_DIR": "/srv/paas", "PAAS_INSTANCE": "ci-7",
        "DATABASE_URL": "postgresql+psycopg://u:p@db/paas", "PAAS_BOOTSTRAP_TOKEN": "t" * 20,
    })
    assert s.api_port == 5999
    assert s.data_dir == Path("/srv/paas")
    assert s.instance == "ci-7"
    assert s.resolved_database_url == "postgresql+psycopg://u:p@db/paas"
    assert s.bootstrap_token == "t" * 20


@pytest.mark.parametrize("env,match", [
    ({"PAAS_API_PORT": "http"}, "PAAS_API_PORT"),
    ({"PAAS_API_PORT": "70000"}, "PAAS_API_PORT"),
    ({"PAAS_INSTANCE": "Bad Name"}, "PAAS_INSTANCE"),
    ({"PAAS_BOOTSTRAP_TOKEN": "short"}, "at least 16"),
])
def test_bad_settings_are_refused(env, match):
    with pytest.raises(SettingsError, match=match):
        Settings.from_env(env)


def test_log_retention_settings():
    assert (Settings.from_env({}).log_max_lines, Settings.from_env({}).log_max_age) == (10_000, 7 * 86400)
    s = Settings.from_env({"PAAS_LOG_MAX_LINES": "1500", "PAAS_LOG_MAX_AGE": "2d"})
    assert (s.log_max_lines, s.log_max_age) == (1500, 2 * 86400)
    assert Settings.from_env({"PAAS_LOG_MAX_AGE": "3600"}).log_max_age == 3600
    assert Settings.from_env({"PAAS_LOG_MAX_AGE": "12h"}).log_max_age == 12 * 3600


@pytest.mark.parametrize("env,match", [
    ({"PAAS_LOG_MAX_LINES": "1499"}, "at least 1500"),
    ({"PAAS_LOG_MAX_LINES": "lots"}, "PAAS_LOG_MAX_LINES"),
    ({"PAAS_LOG_MAX_AGE": "0"}, "PAAS_LOG_MAX_AGE"),
    ({"PAAS_LOG_MAX_AGE": "1w"}, "PAAS_LOG_MAX_AGE"),
    ({"PAAS_LOG_MAX_AGE": "-5d"}, "PAAS_LOG_MAX_AGE"),
])
def test_bad_log_settings_are_refused(env, match):
    with pytest.raises(SettingsError, match=match):
        Settings.from_env(env)
