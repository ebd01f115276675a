"""push: deploy the current repository with `git push`, or a directory through the builds API."""

from pathlib import Path
from typing import Annotated

import typer

from paas_cli import credentials, git_repo, source_archive
from paas_cli.commands.builds import failure, print_output
from paas_cli.errors import CliError, GitError
from paas_cli.options import AppOption
from paas_cli.output import human_size, progress
from paas_cli.session import app_api, session_of

DEFAULT_REF = "HEAD"


def push(
    ctx: typer.Context,
    app: AppOption = None,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Deploy even if the app's branch has diverged.")
    ] = False,
    branch: Annotated[
        str | None,
        typer.Option(
            "--branch", metavar="REF", help="Local branch or commit to deploy (default: HEAD)."
        ),
    ] = None,
    source: Annotated[
        Path | None,
        typer.Option(
            "--source", metavar="DIR", help="Upload this directory instead of pushing with git."
        ),
    ] = None,
) -> None:
    """Deploy: push the repository's HEAD to the app, or upload a directory with --source."""
    if source is not None:
        if force or branch is not None:
            raise CliError("--source uploads a directory; --force and --branch are for git pushes")
        _upload(ctx, app, source)
    else:
        _git_push(ctx, app, branch or DEFAULT_REF, force)


def _git_push(ctx: typer.Context, app: str | None, ref: str, force: bool) -> None:
    """`git push URL REF:refs/heads/main`, with git's exit status.

    The server builds in its pre-receive hook: git shows that output as `remote:` lines and
    reports the push rejected when the build or release fails.
    """
    if not git_repo.is_work_tree():
        raise GitError("not inside a git work tree; run this in your app's repository")
    if git_repo.commit_of(ref) is None:
        raise GitError(
            "no commits yet; commit your app before pushing"
            if ref == DEFAULT_REF
            else f"{ref} is not a commit in this repository"
        )
    with app_api(ctx, app) as (name, api):
        url = api.get_app(name)["git_url"]
    # A token in ~/.netrc reaches git by itself; one from the environment has to be handed over.
    token = credentials.environment_token(session_of(ctx).environ)
    status = git_repo.push(url, ref, force=force, token=token)
    if status != 0:
        raise CliError("push rejected", exit_code=status)  # git has already said why


def _upload(ctx: typer.Context, app: str | None, directory: Path) -> None:
    """Upload DIR as a build, print its output live, and fail unless it was released."""
    with app_api(ctx, app) as (name, api), source_archive.packed(directory) as (archive, size):
        build = api.create_build(
            name, source_archive.chunks(archive), size, _source_version(directory)
        )
        progress(f"Uploading {directory} to {name}... done ({human_size(size)})")
        print_output(api, build)
        finished = api.get_build(name, build["id"])
    problem = failure(finished)
    if problem:
        raise CliError(problem)


def _source_version(directory: Path) -> str | None:
    """The commit checked out where DIR is, if it is in a git repository (for `paas builds`)."""
    try:
        return git_repo.commit_of(DEFAULT_REF, directory)
    except GitError:
        return None  # an upload needs no git at all


def register(app: typer.Typer) -> None:
    app.command("push")(push)
