"""The control plane as an operator runs it: `paas-platform up`, admin commands, SIGTERM."""

import signal
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.integration.conftest import TOKEN

pytestmark = pytest.mark.integration


def client(platform, token=TOKEN):
    return httpx.Client(base_url=platform.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_up_serves_healthz_logs_to_stdout_and_stops_cleanly_on_sigterm(platform):
    assert httpx.get(f"{platform.url}/healthz").json() == {"status": "ok"}
    with client(platform) as api:
        assert api.post("/apps", json={"name": "demo"}).status_code == 201
    assert platform.stop(signal.SIGTERM) == 0
    output = platform.output()
    assert "schema migrated" in output
    assert "paas API on" in output
    assert "app demo created by admin" in output
    assert "paas API stopped" in output


def test_bootstrap_token_and_tokens_create(platform):
    with client(platform, "wrong-token") as api:
        response = api.get("/apps")
    assert response.status_code == 401
    assert response.json()["id"] == "unauthorized"

    created = platform.admin("tokens:create")
    assert created.returncode == 0, created.stderr
    new_token = created.stdout.strip()
    assert len(new_token) >= 40 and new_token != TOKEN
    with client(platform, new_token) as api:
        assert api.get("/account").json()["user"] == "admin"
    assert new_token not in platform.output()


def test_db_upgrade_reports_the_schema_revision(platform):
    result = platform.admin("db:upgrade")
    assert result.returncode == 0, result.stderr
    assert "revision 0007" in result.stdout


def test_twenty_parallel_http_config_changes_give_v2_to_v21(platform):
    with client(platform) as api:
        api.post("/apps", json={"name": "demo"})

        def change(i):
            response = api.patch("/apps/demo/config-vars", json={f"K{i}": str(i)})
            assert response.status_code == 200, response.text
            return int(response.headers["Paas-Release-Version"])

        with ThreadPoolExecutor(max_workers=20) as pool:
            versions = sorted(pool.map(change, range(20)))
        assert versions == list(range(2, 22))
        releases = api.get("/apps/demo/releases").json()
        assert [r["version"] for r in releases] == list(range(1, 22))
        assert len(api.get("/apps/demo/config-vars").json()) == 20


def test_bad_settings_fail_with_one_line(tmp_path):
    from tests.integration.platform_process import PlatformProcess

    process = PlatformProcess(tmp_path, {"PAAS_API_PORT": "not-a-port"})
    result = process.admin("up")
    assert result.returncode == 1
    assert result.stderr.strip() == "paas-platform: PAAS_API_PORT must be a TCP port number (1-65535), got 'not-a-port'"
    assert "Traceback" not in result.stderr + result.stdout


def test_unreachable_database_fails_with_one_line(tmp_path):
    from tests.integration.platform_process import PlatformProcess, free_port

    url = f"postgresql+psycopg://paas:paas@127.0.0.1:{free_port()}/nothing"
    result = PlatformProcess(tmp_path, {"DATABASE_URL": url}).admin("db:upgrade")
    assert result.returncode == 1
    assert result.stderr.startswith("paas-platform: database unavailable")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
