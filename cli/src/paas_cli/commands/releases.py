"""releases, releases:info, rollback."""

from typing import Annotated

import typer

from paas_cli.errors import CliError
from paas_cli.options import AppOption, JsonOption
from paas_cli.output import columns, dump_json, emit, header, key_values, progress, timestamp
from paas_cli.session import app_api

VersionArgument = Annotated[
    str | None,
    typer.Argument(
        help="Release, as v7 or 7 (default: see the command's help).", metavar="[VERSION]"
    ),
]


def parse_version(text: str) -> int:
    """`v7`, `V7` or `7` -> 7."""
    digits = text[1:] if text[:1] in ("v", "V") else text
    if not digits.isdigit() or int(digits) < 1:
        raise CliError(f"{text} is not a release; expected a version such as v7 or 7")
    return int(digits)


def choose_rollback_target(releases: list[dict]) -> int:
    """The release `paas rollback` goes back to when none is named.

    The latest succeeded release older than the current one, as `heroku rollback` does;
    the platform itself refuses targets it cannot run.
    """
    current = next((r for r in releases if r.get("current")), None)
    if current is None:
        raise CliError("the app has no current release to roll back from")
    candidates = [
        r["version"]
        for r in releases
        if r["version"] < current["version"] and r.get("status") == "succeeded"
    ]
    if not candidates:
        raise CliError(
            "no earlier succeeded release to roll back to"
            f" (current is v{current['version']})"
        )
    return max(candidates)


def list_releases(
    ctx: typer.Context,
    app: AppOption = None,
    num: Annotated[int, typer.Option("--num", "-n", min=1, help="How many releases to show.")] = 15,
    json_output: JsonOption = False,
) -> None:
    """List an app's releases, newest first."""
    with app_api(ctx, app) as (name, api):
        releases = api.list_releases(name)
    newest_first = sorted(releases, key=lambda r: r["version"], reverse=True)[:num]
    if json_output:
        dump_json(newest_first)
        return
    header(f"{name} Releases")
    columns(
        [
            [
                f"v{r['version']}",
                r.get("description") or "",
                "" if r.get("status") == "succeeded" else str(r.get("status") or ""),
                r.get("user") or "",
                timestamp(r.get("created_at")),
                "(current)" if r.get("current") else "",
            ]
            for r in newest_first
        ]
    )


def info(
    ctx: typer.Context,
    version: VersionArgument = None,
    app: AppOption = None,
    json_output: JsonOption = False,
) -> None:
    """Show one release and its config vars (default: the current release)."""
    number = parse_version(version) if version else None  # a typo fails before any request
    with app_api(ctx, app) as (name, api):
        if number is None:
            number = _current_version(api.get_app(name))
        release = api.get_release(name, number)
        config = api.release_config_vars(name, number)
    if json_output:
        dump_json({**release, "config_vars": config})
        return
    build = release.get("build") or {}
    header(f"Release v{release['version']}")
    key_values(
        [
            ("Description", release.get("description")),
            ("Status", release.get("status")),
            ("Current", release.get("current")),
            ("User", release.get("user")),
            ("Created at", timestamp(release.get("created_at"))),
            ("Build", build.get("id") or "none"),
        ]
    )
    emit()
    header(f"v{release['version']} Config Vars")
    key_values(sorted(config.items()))


def _current_version(app: dict) -> int:
    if app.get("current_release") is None:
        raise CliError(f"{app['name']} has no releases yet")
    return app["current_release"]


def rollback(ctx: typer.Context, version: VersionArgument = None, app: AppOption = None) -> None:
    """Roll back to an earlier release (default: the last good one before the current)."""
    target = parse_version(version) if version else None  # a typo fails before any request
    with app_api(ctx, app) as (name, api):
        if target is None:
            target = choose_rollback_target(api.list_releases(name))
        release = api.rollback(name, target)
    progress(f"Rolling back {name} to v{target}... done, v{release['version']}")


def register(app: typer.Typer) -> None:
    app.command("releases")(list_releases)
    app.command("releases:info")(info)
    app.command("rollback")(rollback)
