"""addons (PostgreSQL/Redis servers owned by an app) and addon_attachments (config
vars naming an add-on in an app)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "addons",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(48), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("plan", sa.String(32), nullable=False),
        sa.Column("app_id", sa.String(36), sa.ForeignKey("apps.id"), nullable=False),
        # JSON {user, password, database}: secret, shown to apps only through config.
        sa.Column("credentials", sa.Text, nullable=False),
        sa.Column("volume", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("name", name="uq_addons_name"),
    )
    op.create_index("ix_addons_app", "addons", ["app_id"])
    op.create_table(
        "addon_attachments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("addon_id", sa.String(36), sa.ForeignKey("addons.id"), nullable=False),
        sa.Column("app_id", sa.String(36), sa.ForeignKey("apps.id"), nullable=False),
        # DATABASE: the app's config var is DATABASE_URL, so one name per app.
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("app_id", "name", name="uq_addon_attachments_app_name"),
    )
    op.create_index("ix_addon_attachments_addon", "addon_attachments", ["addon_id"])


def downgrade() -> None:
    op.drop_index("ix_addon_attachments_addon", "addon_attachments")
    op.drop_table("addon_attachments")
    op.drop_index("ix_addons_app", "addons")
    op.drop_table("addons")
