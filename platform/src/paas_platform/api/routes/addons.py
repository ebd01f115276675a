"""Add-ons and add-on attachments, shaped like Heroku's Platform API.

/apps/{app}/addons (create, list, destroy), /addons (all), /addons/{name} (info),
/addon-attachments (attach), /apps/{app}/addon-attachments (list, detach by name),
/addon-attachments/{id} (detach). Credentials appear only inside the config var the
attachment sets, never in these bodies.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response, status

from paas_platform.api.routes.config_vars import RELEASE_HEADER
from paas_platform.api.schemas import (
    AddonCreate, AddonOut, AddonRef, AttachmentCreate, AttachmentOut, NameRef, ReleaseVersion,
    ServerOut,
)
from paas_platform.domain.addons import Attachment
from paas_platform.domain.releases import Release
from paas_platform.services.addons import AddonView

router = APIRouter(tags=["addons"])


def attachment_out(attachment: Attachment, owner: str) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.id, name=attachment.name, config_var=attachment.var,
        addon=AddonRef(id=attachment.addon_id, name=attachment.addon_name, app=NameRef(name=owner)),
        app=NameRef(name=attachment.app_name), created_at=attachment.created_at,
    )


def addon_out(view: AddonView, release: Release | None = None, server=None) -> AddonOut:
    addon = view.addon
    return AddonOut(
        id=addon.id, name=addon.name, addon_service=NameRef(name=addon.kind),
        plan=NameRef(name=f"{addon.kind}:{addon.plan}"), app=NameRef(name=addon.app_name),
        state=addon.state, config_vars=sorted({a.var for a in view.attachments}),
        attachments=[attachment_out(a, addon.app_name) for a in view.attachments],
        created_at=addon.created_at,
        release=ReleaseVersion(version=release.version) if release else None,
        server=ServerOut(state=server.state, data_bytes=server.volume_bytes,
                         volume=addon.volume) if server else None,
    )


def _with_release(response: Response, release: Release | None) -> None:
    if release is not None:
        response.headers[RELEASE_HEADER] = str(release.version)


@router.post("/apps/{app_name}/addons", response_model=AddonOut,
             status_code=status.HTTP_201_CREATED)
def create_addon(request: Request, response: Response, app_name: str,
                 body: AddonCreate) -> AddonOut:
    """Provision a server, wait until it answers, then set its var in a new release."""
    view, release = request.app.state.services.addons.create(
        app_name, body.plan, body.name, body.attachment.name if body.attachment else None,
        request.state.caller.user)
    _with_release(response, release)
    return addon_out(view, release)


@router.get("/apps/{app_name}/addons", response_model=list[AddonOut])
def list_app_addons(request: Request, app_name: str) -> list[AddonOut]:
    return [addon_out(v) for v in request.app.state.services.addons.list(app_name)]


@router.get("/addons", response_model=list[AddonOut])
def list_addons(request: Request) -> list[AddonOut]:
    return [addon_out(v) for v in request.app.state.services.addons.list()]


@router.get("/addons/{addon_name}", response_model=AddonOut)
def addon_info(request: Request, addon_name: str) -> AddonOut:
    view, server = request.app.state.services.addons.info(addon_name)
    return addon_out(view, server=server)


@router.delete("/apps/{app_name}/addons/{addon_name}", response_model=AddonOut)
def destroy_addon(request: Request, app_name: str, addon_name: str,
                  confirm: str | None = Query(default=None, description="the owning app's name"),
                  force: bool = Query(default=False, description="also when attached elsewhere"),
                  ) -> AddonOut:
    view = request.app.state.services.addons.destroy(app_name, addon_name, confirm, force,
                                                     request.state.caller.user)
    return addon_out(view)


@router.post("/addon-attachments", response_model=AttachmentOut,
             status_code=status.HTTP_201_CREATED)
def attach(request: Request, response: Response, body: AttachmentCreate) -> AttachmentOut:
    service = request.app.state.services.addons
    attachment, release = service.attach(body.addon, body.app, body.name,
                                         request.state.caller.user)
    _with_release(response, release)
    return attachment_out(attachment, service.owner(attachment.addon_name))


@router.get("/apps/{app_name}/addon-attachments", response_model=list[AttachmentOut])
def list_attachments(request: Request, app_name: str) -> list[AttachmentOut]:
    service = request.app.state.services.addons
    owners = {v.addon.name: v.addon.app_name for v in service.list(app_name)}
    return [attachment_out(a, owners.get(a.addon_name, "")) for a in service.attachments(app_name)]


@router.delete("/addon-attachments/{attachment_id}", response_model=AttachmentOut)
def detach(request: Request, response: Response, attachment_id: str) -> AttachmentOut:
    service = request.app.state.services.addons
    attachment, release = service.detach_by_id(attachment_id, request.state.caller.user)
    _with_release(response, release)
    return attachment_out(attachment, service.owner(attachment.addon_name))


@router.delete("/apps/{app_name}/addon-attachments/{ref}", response_model=AttachmentOut)
def detach_by_name(request: Request, response: Response, app_name: str, ref: str) -> AttachmentOut:
    """`ref`: the add-on's name, the attachment's name (DATABASE) or its var (DATABASE_URL)."""
    service = request.app.state.services.addons
    attachment, release = service.detach(app_name, ref, request.state.caller.user)
    _with_release(response, release)
    return attachment_out(attachment, service.owner(attachment.addon_name))
