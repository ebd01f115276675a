"""builds, builds:info, builds:output, builds:cache:purge, and build id prefixes."""

import json
import sys

import pytest

from paas_cli.commands.builds import failure, match_build
from paas_cli.errors import CliError
from paas_cli.output import human_size

from .conftest import build_json, text_stream

FIRST = build_json(
    "0a1b2c3d-1111-4000-8000-000000000001",
    status="failed",
    release_status=None,
    image=None,
    process_types={},
    created_at="2026-11-23T23:40:00+00:00",
)
SECOND = build_json(
    "0a1b9999-2222-4000-8000-000000000002",
    source_version=None,
    buildpack="procfile",
    created_at="2026-11-23T23:45:00+00:00",
)
THIRD = build_json(
    "7f8e6d5c-3333-4000-8000-000000000003",
    status="pending",
    release_status=None,
    buildpack=None,
    image=None,
    created_at="2026-11-23T23:50:01.123456+00:00",
)
BUILDS = [FIRST, SECOND, THIRD]  # as the API lists them: oldest first


def test_builds_newest_first(run, fake_api):
    fake_api.on("GET", "/apps/demo/builds", BUILDS)

    result = run("builds", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "=== demo Builds",
        "7f8e6d5c  pending    4d5e6f7            2026-11-23T23:50:01Z",
        "0a1b9999  succeeded  upload   procfile  2026-11-23T23:45:00Z",
        "0a1b2c3d  failed     4d5e6f7  python    2026-11-23T23:40:00Z",
    ]


def test_builds_num_and_json(run, fake_api):
    fake_api.on("GET", "/apps/demo/builds", BUILDS)

    data = json.loads(run("builds", "-a", "demo", "-n", "2", "--json").stdout)

    assert [b["id"] for b in data] == [THIRD["id"], SECOND["id"]]


def test_builds_when_there_are_none(run, fake_api):
    fake_api.on("GET", "/apps/demo/builds", [])

    assert run("builds", "-a", "demo").stdout == "demo has no builds yet.\n"


def test_builds_info_by_prefix(run, fake_api):
    fake_api.on("GET", "/apps/demo/builds", BUILDS)

    result = run("builds:info", "0a1b99", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"=== Build {SECOND['id']}\n"
        "Status:         succeeded\n"
        "Source version: upload\n"
        "Buildpack:      procfile\n"
        f"Image:          sha256:{'ab' * 32}\n"
        "Image size:     48.2 MB\n"
        "Release:        v5 (succeeded)\n"
        "Created at:     2026-11-23T23:45:00Z\n"
        "Updated at:     2026-11-23T23:51:30Z\n"
        "\n"
        "=== Process Types\n"
        "web: gunicorn app:app\n"
    )


def test_builds_info_defaults_to_newest(run, fake_api):
    fake_api.on("GET", "/apps/demo/builds", BUILDS)

    data = json.loads(run("builds:info", "-a", "demo", "--json").stdout)

    assert data["id"] == THIRD["id"]


def test_builds_info_of_failed_build_without_image_or_release(run, fake_api):
    fake_api.on("GET", "/apps/demo/builds", BUILDS)

    lines = run("builds:info", "0A1B2C", "-a", "demo").stdout.splitlines()

    assert "Status:         failed" in lines
    assert "Image:          none" in lines
    assert "Release:        none" in lines
    assert "=== Process Types" not in lines


def test_builds_info_ambiguous_prefix(run, fake_api):
    fake_api.on("GET", "/apps/demo/builds", BUILDS)

    result = run("builds:info", "0a1b", "-a", "demo")

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: 0a1b is ambiguous; it starts 2 build ids: {FIRST['id']}, {SECOND['id']}\n"
    )


def test_builds_info_unknown_prefix(run, fake_api):
    fake_api.on("GET", "/apps/demo/builds", BUILDS)

    result = run("builds:info", "ffff", "-a", "demo")

    assert (result.exit_code, result.stderr) == (1, "Error: no build matches ffff\n")


def test_builds_info_without_builds(run, fake_api):
    fake_api.on("GET", "/apps/demo/builds", [])

    assert run("builds:info", "-a", "demo").stderr == "Error: demo has no builds yet\n"


def test_builds_output_streams_each_chunk_as_it_arrives(run, fake_api):
    seen_before_second_chunk = []

    def chunks():
        yield b"-----> Python app detected\n"
        # By now the first line must already be on stdout, not waiting in a buffer.
        seen_before_second_chunk.append(sys.stdout.getvalue())
        yield b"-----> Installing requirements\n"
        yield b"       done"  # no final newline: the CLI ends the line itself

    fake_api.on("GET", "/apps/demo/builds", BUILDS)
    fake_api.on_request(
        "GET", f"/apps/demo/builds/{SECOND['id']}/output", lambda request: text_stream(chunks())
    )

    result = run("builds:output", "0a1b9", "-a", "demo")

    assert result.exit_code == 0, result.stderr
    assert seen_before_second_chunk == ["-----> Python app detected\n"]
    assert result.stdout == (
        "-----> Python app detected\n-----> Installing requirements\n       done\n"
    )



def test_builds_output_error_from_stream(run, fake_api):
    fake_api.on("GET", "/apps/demo/builds", BUILDS)
    fake_api.on(
        "GET",
        f"/apps/demo/builds/{THIRD['id']}/output",
        {"id": "not_found", "message": "build output expired"},
        status=404,
    )

    result = run("builds:output", "-a", "demo")

    assert (result.exit_code, result.stderr) == (1, "Error: build output expired\n")


def test_cache_purge(run, fake_api):
    fake_api.on("DELETE", "/apps/demo/build-cache", status=204, text="")

    result = run("builds:cache:purge", "-a", "demo", "--confirm", "demo")

    assert result.exit_code == 0, result.stderr
    assert fake_api.calls == [("DELETE", "/apps/demo/build-cache")]
    assert result.stderr == "Purging build cache for demo... done\n"


@pytest.mark.parametrize(
    ("confirm", "message"),
    [
        ([], "Error: this is destructive; re-run with --confirm demo\n"),
        (
            ["--confirm", "other"],
            "Error: --confirm other does not match demo; nothing was purged\n",
        ),
    ],
)
def test_cache_purge_without_matching_confirm_makes_no_request(run, fake_api, confirm, message):
    result = run("builds:cache:purge", "-a", "demo", *confirm)

    assert (result.exit_code, result.stderr) == (1, message)
    assert fake_api.requests == []


def test_match_build_is_case_insensitive_and_accepts_full_ids():
    assert match_build(BUILDS, "7F8E")["id"] == THIRD["id"]
    assert match_build(BUILDS, FIRST["id"]) is FIRST


def test_match_build_refuses_an_ambiguous_prefix():
    with pytest.raises(CliError, match="ambiguous"):
        match_build(BUILDS, "0a1b")


@pytest.mark.parametrize(
    ("build", "problem"),
    [
        (build_json(), None),
        (build_json(status="failed", release_status=None), "build failed"),
        (build_json(release_status="failed"), "release v5 failed"),
        (build_json(release_status=None), "build 0a1b2c3d succeeded but created no release"),
        (build_json(release_status="pending"), "release v5 has not finished; see paas releases"),
        (
            build_json(status="pending", release_status=None),
            "build 0a1b2c3d has not finished; see paas builds:info 0a1b2c3d",
        ),
    ],
)
def test_failure(build, problem):
    assert failure(build) == problem


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0 B"), (999, "999 B"), (1500, "1.5 kB"), (48213123, "48.2 MB"), (999_960, "1.0 MB"),
     (3_200_000_000, "3.2 GB")],
)  # fmt: skip
def test_human_size(size, shown):
    assert human_size(size) == shown
