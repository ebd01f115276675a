"""Request and response bodies (they are also the OpenAPI schema at /docs)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, StrictBool

from paas_platform.domain.releases import Release


class AppCreate(BaseModel):
    name: str | None = Field(default=None, description="3-30 chars; random if omitted")


class RollbackRequest(BaseModel):
    release: int | str = Field(description="version to roll back to: 7 or \"v7\"")


class AppRef(BaseModel):
    id: str
    name: str


class BuildRef(BaseModel):
    id: str


class AppOut(BaseModel):
    id: str
    name: str
    stack: str
    buildpack: str | None
    maintenance: bool
    health_check_path: str | None = None
    web_url: str
    git_url: str
    created_at: datetime
    updated_at: datetime
    released_at: datetime | None
    current_release: int | None


class ReleaseOut(BaseModel):
    id: str
    version: int
    description: str
    status: str
    current: bool
    user: str
    build: BuildRef | None
    app: AppRef
    created_at: datetime
    updated_at: datetime | None


class ImageOut(BaseModel):
    id: str
    size: int | None


class ReleaseRef(BaseModel):
    id: str
    version: int
    status: str


class BuildOut(BaseModel):
    id: str
    app: AppRef
    status: str
    source_version: str | None
    buildpack: str | None
    process_types: dict[str, str]
    image: ImageOut | None
    release: ReleaseRef | None
    output_stream_url: str
    user: str
    created_at: datetime
    updated_at: datetime


class AppPatch(BaseModel):
    """Only the fields sent change; at least one must be sent."""

    buildpack: str | None = Field(
        default=None, description="built-in name (python, procfile) or git URL; null clears")
    maintenance: StrictBool | None = Field(
        default=None, description="true: the router answers 503 (maintenance page); dynos keep running")
    health_check_path: str | None = Field(
        default=None, description="path new web dynos must answer 2xx/3xx during rollouts; null: TCP only")


class DomainCreate(BaseModel):
    hostname: str = Field(description="a DNS name such as www.example.com", max_length=300)


class DomainOut(BaseModel):
    id: str | None
    hostname: str
    kind: str = Field(description="default ({app}.PAAS_DOMAIN) or custom")
    created_at: datetime | None


class FormationOut(BaseModel):
    type: str
    quantity: int
    command: str
    size: str


class ReleaseVersion(BaseModel):
    version: int


class DynoOut(BaseModel):
    name: str
    type: str
    state: str
    command: str
    release: ReleaseVersion
    created_at: datetime
    started_at: datetime | None
    restarts: int
    exit_code: int | None


class AttachmentRequest(BaseModel):
    name: str | None = Field(default=None, description="DATABASE gives DATABASE_URL (upper-cased)")


class AddonCreate(BaseModel):
    plan: str = Field(description="postgresql or redis, optionally with a plan: postgresql:dev",
                      max_length=100)
    name: str | None = Field(default=None, description="the add-on's name; random if omitted",
                             max_length=100)
    attachment: AttachmentRequest | None = None


class AttachmentCreate(BaseModel):
    addon: str = Field(max_length=100)
    app: str = Field(max_length=100)
    name: str | None = Field(default=None, description="DATABASE gives DATABASE_URL; the "
                             "add-on kind's default if omitted", max_length=100)


class NameRef(BaseModel):
    name: str


class AddonRef(BaseModel):
    id: str
    name: str
    app: NameRef


class AttachmentOut(BaseModel):
    id: str
    name: str
    config_var: str
    addon: AddonRef
    app: NameRef
    created_at: datetime


class ServerOut(BaseModel):
    state: str = Field(description="the container: running, restarting, exited, missing")
    data_bytes: int | None = Field(description="size of the data on the add-on's volume")
    volume: str


class AddonOut(BaseModel):
    id: str
    name: str
    addon_service: NameRef
    plan: NameRef
    app: NameRef = Field(description="the owning app")
    state: str
    config_vars: list[str]
    attachments: list[AttachmentOut]
    created_at: datetime
    release: ReleaseVersion | None = Field(default=None, description="the release that set "
                                           "the config var (create only)")
    server: ServerOut | None = None


class AccountOut(BaseModel):
    id: str
    user: str


def release_out(release: Release, app_name: str, current: Release | None) -> ReleaseOut:
    return ReleaseOut(
        id=release.id,
        version=release.version,
        description=release.description,
        status=release.status.value,
        current=current is not None and current.id == release.id,
        user=release.user,
        build=BuildRef(id=release.build_id) if release.build_id else None,
        app=AppRef(id=release.app_id, name=app_name),
        created_at=release.created_at,
        updated_at=release.updated_at,
    )


def build_out(view, app_name: str) -> BuildOut:
    """`view` is a services.builds.BuildView (build plus the release it made, if any)."""
    build, release = view.build, view.release
    return BuildOut(
        id=build.id,
        app=AppRef(id=build.app_id, name=app_name),
        status=build.status.value,
        source_version=build.source_version,
        buildpack=build.buildpack,
        process_types=build.process_types,
        image=ImageOut(id=build.image_id, size=build.image_size) if build.image_id else None,
        release=ReleaseRef(id=release.id, version=release.version, status=release.status.value)
        if release else None,
        output_stream_url=f"/apps/{app_name}/builds/{build.id}/output",
        user=build.user,
        created_at=build.created_at,
        updated_at=build.updated_at,
    )


def dyno_out(dyno, restarts: int) -> DynoOut:
    """`dyno` is a domain Dyno observed on the engine."""
    if dyno.running:
        state = "up"
    elif dyno.exit_code not in (None, 0) or restarts:
        state = "crashed"
    else:
        state = "down"
    return DynoOut(
        name=dyno.name, type=dyno.process_type, state=state, command=dyno.command,
        release=ReleaseVersion(version=dyno.release_version), created_at=dyno.created_at,
        started_at=dyno.started_at if dyno.running else None, restarts=restarts,
        exit_code=None if dyno.running else dyno.exit_code,
    )
