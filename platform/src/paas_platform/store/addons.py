"""Row gateway for add-ons and their attachments (add-on x app x config var name)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from paas_platform.domain.addons import Addon, Attachment, Credentials
from paas_platform.domain.errors import Conflict, NotFound
from paas_platform.store.schema import addon_attachments, addons, apps

_owner = apps.alias("owner")
_ADDON_QUERY = sa.select(addons, _owner.c.name.label("app_name")).join(
    _owner, _owner.c.id == addons.c.app_id)
_attached_app = apps.alias("attached_app")
_ATTACHMENT_QUERY = sa.select(
    addon_attachments, addons.c.name.label("addon_name"), _attached_app.c.name.label("app_name"),
).join(addons, addons.c.id == addon_attachments.c.addon_id).join(
    _attached_app, _attached_app.c.id == addon_attachments.c.app_id)


class AddonRows:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    # -- add-ons ------------------------------------------------------------------------

    def insert(self, name: str, kind: str, plan: str, app_id: str, credentials: Credentials,
               volume: str, state: str, now: datetime) -> Addon:
        row = {"id": str(uuid.uuid4()), "name": name, "kind": kind, "plan": plan,
               "app_id": app_id, "volume": volume, "state": state, "created_at": now,
               "credentials": {"user": credentials.user, "password": credentials.password,
                               "database": credentials.database}}
        try:
            # A savepoint, so a taken name leaves the outer transaction usable.
            with self._conn.begin_nested():
                self._conn.execute(addons.insert().values(**row))
        except sa.exc.IntegrityError as exc:
            raise Conflict(f"add-on name {name} is already taken") from exc
        return self.get(name)

    def find(self, name: str) -> Addon | None:
        row = self._conn.execute(_ADDON_QUERY.where(addons.c.name == name)).mappings().first()
        return _to_addon(row) if row else None

    def get(self, name: str) -> Addon:
        addon = self.find(name)
        if addon is None:
            raise NotFound(f"add-on {name} not found")
        return addon

    def list(self) -> list[Addon]:
        rows = self._conn.execute(_ADDON_QUERY.order_by(addons.c.name)).mappings()
        return [_to_addon(row) for row in rows]

    def owned_by(self, app_id: str) -> list[Addon]:
        query = _ADDON_QUERY.where(addons.c.app_id == app_id).order_by(addons.c.name)
        return [_to_addon(row) for row in self._conn.execute(query).mappings()]

    def set_state(self, addon_id: str, state: str) -> None:
        self._conn.execute(addons.update().where(addons.c.id == addon_id).values(state=state))

    def set_owner(self, addon_id: str, app_id: str) -> None:
        self._conn.execute(addons.update().where(addons.c.id == addon_id).values(app_id=app_id))

    def delete(self, addon_id: str) -> None:
        """The add-on and its attachments."""
        self._conn.execute(
            addon_attachments.delete().where(addon_attachments.c.addon_id == addon_id))
        self._conn.execute(addons.delete().where(addons.c.id == addon_id))

    # -- attachments ----------------------------------------------------------------------

    def attach(self, addon_id: str, app_id: str, name: str, now: datetime) -> Attachment:
        row = {"id": str(uuid.uuid4()), "addon_id": addon_id, "app_id": app_id, "name": name,
               "created_at": now}
        try:
            with self._conn.begin_nested():
                self._conn.execute(addon_attachments.insert().values(**row))
        except sa.exc.IntegrityError as exc:
            raise Conflict(f"{name}_URL is already set by another add-on on this app") from exc
        return self.attachment(row["id"])

    def attachment(self, attachment_id: str) -> Attachment:
        query = _ATTACHMENT_QUERY.where(addon_attachments.c.id == attachment_id)
        row = self._conn.execute(query).mappings().first()
        if row is None:
            raise NotFound(f"add-on attachment {attachment_id} not found")
        return _to_attachment(row)

    def attachments(self, app_id: str | None = None,
                    addon_id: str | None = None) -> list[Attachment]:
        """Attachments of one app, of one add-on, or all; oldest first."""
        query = _ATTACHMENT_QUERY
        if app_id is not None:
            query = query.where(addon_attachments.c.app_id == app_id)
        if addon_id is not None:
            query = query.where(addon_attachments.c.addon_id == addon_id)
        query = query.order_by(addon_attachments.c.created_at, addon_attachments.c.name)
        return [_to_attachment(row) for row in self._conn.execute(query).mappings()]

    def detach(self, attachment_id: str) -> None:
        self._conn.execute(
            addon_attachments.delete().where(addon_attachments.c.id == attachment_id))

    def attached_vars(self, app_id: str) -> dict[str, str]:
        """var -> URL for every add-on attached to the app (what config must keep)."""
        found = {}
        for attachment in self.attachments(app_id=app_id):
            addon = self.get(attachment.addon_name)
            found[attachment.var] = addon.url()
        return found


def _to_addon(row) -> Addon:
    creds = row["credentials"]
    return Addon(
        id=row["id"], name=row["name"], kind=row["kind"], plan=row["plan"], app_id=row["app_id"],
        app_name=row["app_name"], volume=row["volume"], state=row["state"],
        created_at=row["created_at"],
        credentials=Credentials(user=creds["user"], password=creds["password"],
                                database=creds["database"]),
    )


def _to_attachment(row) -> Attachment:
    return Attachment(id=row["id"], addon_id=row["addon_id"], addon_name=row["addon_name"],
                      app_id=row["app_id"], app_name=row["app_name"], name=row["name"],
                      created_at=row["created_at"])
