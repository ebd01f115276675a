"""Table definitions shared by the row gateways (the migrations own the DDL history)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import sqlalchemy as sa


class UTCDateTime(sa.types.TypeDecorator):
    """Aware UTC datetimes on both backends (SQLite would otherwise drop the zone)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class JSONText(sa.types.TypeDecorator):
    """A JSON document stored as canonical text, so triggers can compare it as text."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else json.dumps(value, sort_keys=True, separators=(",", ":"))

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(value)


metadata = sa.MetaData()

apps = sa.Table(
    "apps",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(30), nullable=False, unique=True),
    sa.Column("stack", sa.String(64), nullable=False),
    sa.Column("buildpack", sa.Text, nullable=True),
    sa.Column("maintenance", sa.Boolean, nullable=False, default=False),
    sa.Column("health_check_path", sa.Text, nullable=True),
    # The next release number is taken from here, in the transaction that inserts
    # the release, so versions stay gap-free and unique under concurrency.
    sa.Column("release_counter", sa.Integer, nullable=False, default=0),
    sa.Column("config", JSONText, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

releases = sa.Table(
    "releases",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("app_id", sa.String(36), sa.ForeignKey("apps.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("build_id", sa.String(36), nullable=True),
    sa.Column("config", JSONText, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("user_name", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("app_id", "version", name="uq_releases_app_version"),
)

tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("user_name", sa.String(64), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    # sha256 of the token: tokens are 256-bit random strings, so a fast hash is
    # enough to make a leaked table useless; the plain token is shown once.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

builds = sa.Table(
    "builds",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("app_id", sa.String(36), sa.ForeignKey("apps.id"), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("source_version", sa.String(64), nullable=True),
    sa.Column("buildpack", sa.Text, nullable=True),
    sa.Column("process_types", JSONText, nullable=False),
    sa.Column("image_id", sa.String(80), nullable=True),
    sa.Column("image_tag", sa.Text, nullable=True),
    sa.Column("image_size", sa.BigInteger, nullable=True),
    sa.Column("release_id", sa.String(36), nullable=True),
    sa.Column("output", sa.Text, nullable=False),
    sa.Column("user_name", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

formation = sa.Table(
    "formation",
    metadata,
    sa.Column("app_id", sa.String(36), sa.ForeignKey("apps.id"), primary_key=True),
    sa.Column("process_type", sa.String(63), primary_key=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("size", sa.String(32), nullable=False, default="standard-1x"),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

domains = sa.Table(
    "domains",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("app_id", sa.String(36), sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    sa.Column("hostname", sa.String(253), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

addons = sa.Table(
    "addons",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(48), nullable=False, unique=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("plan", sa.String(32), nullable=False),
    sa.Column("app_id", sa.String(36), sa.ForeignKey("apps.id"), nullable=False),
    sa.Column("credentials", JSONText, nullable=False),
    sa.Column("volume", sa.String(128), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

addon_attachments = sa.Table(
    "addon_attachments",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("addon_id", sa.String(36), sa.ForeignKey("addons.id"), nullable=False),
    sa.Column("app_id", sa.String(36), sa.ForeignKey("apps.id"), nullable=False),
    sa.Column("name", sa.String(60), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("app_id", "name", name="uq_addon_attachments_app_name"),
)

log_lines = sa.Table(
    "log_lines",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("app", sa.String(30), nullable=False),
    sa.Column("timestamp", sa.BigInteger, nullable=False),  # microseconds since the epoch, UTC
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("process", sa.String(80), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

log_cursors = sa.Table(
    "log_cursors",
    metadata,
    sa.Column("container_id", sa.String(80), primary_key=True),
    sa.Column("app", sa.String(30), nullable=False),
    sa.Column("timestamp", sa.String(40), nullable=False),
    sa.Column("repeats", sa.Integer, nullable=False),
)

log_drains = sa.Table(
    "log_drains",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("app", sa.String(30), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("token", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)
