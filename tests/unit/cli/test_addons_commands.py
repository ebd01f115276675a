"""addons, addons:create, addons:info, addons:attach, addons:detach, addons:destroy."""

import json

NAME = "postgresql-calm-12345"
ATTACHMENT = {"id": "att-1", "name": "DATABASE", "config_var": "DATABASE_URL",
              "addon": {"id": "a-1", "name": NAME, "app": {"name": "demo"}},
              "app": {"name": "demo"}, "created_at": "2026-11-24T03:00:00Z"}
ADDON = {"id": "a-1", "name": NAME, "addon_service": {"name": "postgresql"},
         "plan": {"name": "postgresql:dev"}, "app": {"name": "demo"}, "state": "provisioned",
         "config_vars": ["DATABASE_URL"], "attachments": [ATTACHMENT],
         "created_at": "2026-11-24T03:00:00+00:00", "release": None, "server": None}


def test_addons_for_an_app_in_columns(run, fake_api):
    fake_api.on("GET", "/apps/demo/addons", [ADDON])

    result = run("addons", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Owning App  Add-on                 Plan            State        Attached as\n"
        f"demo        {NAME}  postgresql:dev  provisioned  demo::DATABASE\n")


def test_addons_without_an_app_lists_all(run, fake_api):
    fake_api.on("GET", "/addons", [])

    assert run("addons").stdout == "You have no add-ons.\n"
    fake_api.on("GET", "/addons", [ADDON])
    assert json.loads(run("addons", "--json").stdout) == [ADDON]
    assert fake_api.calls[-1] == ("GET", "/addons")


def test_addons_create_sends_the_plan_name_and_attachment(run, fake_api):
    fake_api.on("POST", "/apps/demo/addons", {**ADDON, "release": {"version": 5}}, status=201)

    result = run("addons:create", "postgresql", "-a", "demo", "--as", "main_db", "--name", NAME)

    assert result.exit_code == 0, result.stderr
    assert fake_api.requests[0].body == {"plan": "postgresql", "name": NAME,
                                         "attachment": {"name": "main_db"}}
    assert result.stdout == f"Created {NAME} as DATABASE_URL\n"
    assert result.stderr.endswith("Creating postgresql on demo... done, v5\n")


def test_addons_create_unknown_kind_is_one_error_line(run, fake_api):
    fake_api.on("POST", "/apps/demo/addons", {
        "id": "invalid_params",
        "message": "unknown add-on service 'mysql': choose one of postgresql, redis"}, status=422)

    result = run("addons:create", "mysql", "-a", "demo")

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[-1] == (
        "Error: unknown add-on service 'mysql': choose one of postgresql, redis")


def test_addons_info_shows_plan_attachments_and_size(run, fake_api):
    server = {"state": "running", "data_bytes": 47_600_000, "volume": f"paas-addon-{NAME}"}
    fake_api.on("GET", f"/addons/{NAME}", {**ADDON, "server": server})

    result = run("addons:info", NAME)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"=== {NAME}\n"
        "Attachments:  demo::DATABASE_URL\n"
        "Installed at: 2026-11-24T03:00:00Z\n"
        "Owning app:   demo\n"
        "Plan:         postgresql:dev\n"
        "Server:       running\n"
        "State:        provisioned\n"
        "Data size:    47.6 MB\n"
        f"Volume:       paas-addon-{NAME}\n")


def test_addons_attach_posts_an_attachment(run, fake_api):
    other = {**ATTACHMENT, "name": "SHARED", "config_var": "SHARED_URL", "app": {"name": "other"}}
    fake_api.on("POST", "/addon-attachments", other, status=201,
                headers={"Paas-Release-Version": "3"})

    result = run("addons:attach", NAME, "-a", "other", "--as", "shared")

    assert result.exit_code == 0, result.stderr
    assert fake_api.requests[0].body == {"addon": NAME, "app": "other", "name": "shared"}
    assert result.stderr == f"Attaching {NAME} to other as SHARED_URL... done, v3\n"


def test_addons_detach_by_var(run, fake_api):
    fake_api.on("DELETE", "/apps/demo/addon-attachments/DATABASE_URL", ATTACHMENT,
                headers={"Paas-Release-Version": "4"})

    result = run("addons:detach", "DATABASE_URL", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"Detaching DATABASE_URL ({NAME}) from demo... done, v4\n"


def test_addons_destroy_needs_confirmation_before_any_request(run, fake_api):
    missing = run("addons:destroy", NAME, "-a", "demo")
    wrong = run("addons:destroy", NAME, "-a", "demo", "--confirm", "other")

    assert missing.exit_code == 1 and "--confirm demo" in missing.stderr
    assert wrong.exit_code == 1 and "does not match demo" in wrong.stderr
    assert fake_api.requests == []


def test_addons_destroy_sends_confirm_and_force(run, fake_api):
    fake_api.on("DELETE", f"/apps/demo/addons/{NAME}?confirm=demo&force=true", ADDON)
    fake_api.on("DELETE", f"/apps/demo/addons/{NAME}?confirm=demo", {
        "id": "conflict", "message": f"add-on {NAME} is also attached to other (DATABASE_URL); "
        "detach it there first or destroy it with --force"}, status=409)

    refused = run("addons:destroy", NAME, "-a", "demo", "--confirm", "demo")
    forced = run("addons:destroy", NAME, "-a", "demo", "--confirm", "demo", "--force")

    assert refused.exit_code == 1 and "destroy it with --force" in refused.stderr
    assert forced.exit_code == 0, forced.stderr
    assert forced.stderr == f"Destroying {NAME} on demo... done\n"
