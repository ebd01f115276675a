"""builds, builds:info, builds:output, builds:cache:purge; and following a build's output."""

from typing import Annotated

import typer

from paas_cli.client import ApiClient
from paas_cli.confirmation import require_confirmation
from paas_cli.errors import CliError
from paas_cli.options import AppOption, ConfirmOption, JsonOption
from paas_cli.output import (
    columns,
    dump_json,
    emit,
    header,
    human_size,
    key_values,
    passthrough,
    progress,
    timestamp,
)
from paas_cli.session import app_api

BuildArgument = Annotated[
    str | None,
    typer.Argument(help="Build id, or a unique prefix of one (default: the newest build)."),
]

UPLOAD = "upload"  # what a build without a commit (a `paas push --source` upload) came from


def match_build(builds: list[dict], prefix: str) -> dict:
    """The one build whose id starts with `prefix` (ids are shown shortened to 8 characters)."""
    wanted = prefix.lower()
    matches = [b for b in builds if b["id"].lower().startswith(wanted)]
    if not matches:
        raise CliError(f"no build matches {prefix}")
    if len(matches) > 1:
        ids = ", ".join(b["id"] for b in matches)
        raise CliError(f"{prefix} is ambiguous; it starts {len(matches)} build ids: {ids}")
    return matches[0]


def find_build(api: ApiClient, app: str, given: str | None) -> dict:
    """The build `given` names, or the newest; resolved from the list (it holds full builds)."""
    builds = api.list_builds(app)
    if given is not None:
        return match_build(builds, given)
    if not builds:
        raise CliError(f"{app} has no builds yet")
    return builds[-1]  # the API lists oldest first


def failure(build: dict) -> str | None:
    """Why a build that should have finished did not deploy; None if it and its release did."""
    short = build["id"][:8]
    if build.get("status") == "failed":
        return "build failed"
    if build.get("status") != "succeeded":
        return f"build {short} has not finished; see paas builds:info {short}"
    release = build.get("release")
    if not release:
        return f"build {short} succeeded but created no release"
    if release.get("status") == "failed":
        return f"release v{release['version']} failed"
    if release.get("status") != "succeeded":
        return f"release v{release['version']} has not finished; see paas releases"
    return None


def print_output(api: ApiClient, build: dict) -> None:
    """Print the build's output as the server produces it; returns once the build is over."""
    last = "\n"
    for text in api.stream_text(build["output_stream_url"]):
        if text:
            passthrough(text)
            last = text
    if not last.endswith("\n"):
        emit()  # whatever is printed next starts on a line of its own


def source_of(build: dict) -> str:
    return build.get("source_version") or UPLOAD


def list_builds(
    ctx: typer.Context,
    app: AppOption = None,
    num: Annotated[int, typer.Option("--num", "-n", min=1, help="How many builds to show.")] = 15,
    json_output: JsonOption = False,
) -> None:
    """List an app's builds, newest first."""
    with app_api(ctx, app) as (name, api):
        newest_first = api.list_builds(name)[::-1][:num]
    if json_output:
        dump_json(newest_first)
        return
    if not newest_first:
        emit(f"{name} has no builds yet.")
        return
    header(f"{name} Builds")
    columns(
        [
            [
                b["id"][:8],
                b.get("status") or "",
                source_of(b)[:7],
                b.get("buildpack") or "",
                timestamp(b.get("created_at")),
            ]
            for b in newest_first
        ]
    )


def info(
    ctx: typer.Context,
    build_id: BuildArgument = None,
    app: AppOption = None,
    json_output: JsonOption = False,
) -> None:
    """Show one build: status, source, buildpack, process types, image and release."""
    with app_api(ctx, app) as (name, api):
        build = find_build(api, name, build_id)
    if json_output:
        dump_json(build)
        return
    image = build.get("image") or {}
    release = build.get("release")
    header(f"Build {build['id']}")
    key_values(
        [
            ("Status", build.get("status")),
            ("Source version", source_of(build)),
            ("Buildpack", build.get("buildpack")),
            ("Image", image.get("id") or "none"),
            ("Image size", human_size(image["size"]) if image.get("size") is not None else ""),
            ("Release", f"v{release['version']} ({release['status']})" if release else "none"),
            ("Created at", timestamp(build.get("created_at"))),
            ("Updated at", timestamp(build.get("updated_at"))),
        ]
    )
    process_types = build.get("process_types") or {}
    if process_types:
        emit()
        header("Process Types")
        for process_type, command in process_types.items():
            emit(f"{process_type}: {command}")


def output(ctx: typer.Context, build_id: BuildArgument = None, app: AppOption = None) -> None:
    """Print a build's output (following it while the build runs)."""
    with app_api(ctx, app) as (name, api):
        print_output(api, find_build(api, name, build_id))


def purge_cache(ctx: typer.Context, app: AppOption = None, confirm: ConfirmOption = None) -> None:
    """Delete the app's build cache; the next build starts from scratch."""
    with app_api(ctx, app) as (name, api):
        require_confirmation(name, confirm, "nothing was purged")
        api.purge_build_cache(name)
    progress(f"Purging build cache for {name}... done")


def register(app: typer.Typer) -> None:
    app.command("builds")(list_builds)
    app.command("builds:info")(info)
    app.command("builds:output")(output)
    app.command("builds:cache:purge")(purge_cache)
