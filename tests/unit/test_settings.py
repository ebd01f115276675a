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
