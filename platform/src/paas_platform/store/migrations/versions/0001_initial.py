"""apps, the append-only releases ledger, hashed API tokens

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# A release row is history: once written, only a pending release's status (and
# updated_at with it) may change. The database enforces it, not just the code.
_IMMUTABLE = ("id", "app_id", "version", "build_id", "config", "description", "user_name", "created_at")
_MESSAGE = "releases are append-only: only the status of a pending release may change"


def upgrade() -> None:
    op.create_table(
        "apps",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(30), nullable=False, unique=True),
        sa.Column("stack", sa.String(64), nullable=False),
        sa.Column("buildpack", sa.Text, nullable=True),
        sa.Column("maintenance", sa.Boolean, nullable=False),
        sa.Column("release_counter", sa.Integer, nullable=False),
        sa.Column("config", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "releases",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("app_id", sa.String(36), sa.ForeignKey("apps.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("build_id", sa.String(36), nullable=True),
        sa.Column("config", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("app_id", "version", name="uq_releases_app_version"),
        sa.CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="ck_releases_status"),
        sa.CheckConstraint("version >= 1", name="ck_releases_version"),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_trigger()
    else:
        _sqlite_trigger()


def _sqlite_trigger() -> None:
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _IMMUTABLE)
    op.execute(
        f"""
        CREATE TRIGGER releases_append_only BEFORE UPDATE ON releases
        WHEN {changed} OR OLD.status <> 'pending'
        BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END
        """
    )


def _postgresql_trigger() -> None:
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _IMMUTABLE)
    op.execute(
        f"""
        CREATE FUNCTION releases_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF {changed} OR OLD.status <> 'pending' THEN
            RAISE EXCEPTION '{_MESSAGE}';
          END IF;
          RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER releases_append_only BEFORE UPDATE ON releases "
        "FOR EACH ROW EXECUTE FUNCTION releases_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER releases_append_only ON releases")
        op.execute("DROP FUNCTION releases_append_only()")
    else:
        op.execute("DROP TRIGGER releases_append_only")
    op.drop_table("tokens")
    op.drop_table("releases")
    op.drop_table("apps")
