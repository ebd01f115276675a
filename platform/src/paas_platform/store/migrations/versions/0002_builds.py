"""builds: source version, buildpack, process types, image, output

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "builds",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("app_id", sa.String(36), sa.ForeignKey("apps.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source_version", sa.String(64), nullable=True),
        sa.Column("buildpack", sa.Text, nullable=True),
        sa.Column("process_types", sa.Text, nullable=False),
        sa.Column("image_id", sa.String(80), nullable=True),
        sa.Column("image_tag", sa.Text, nullable=True),
        sa.Column("image_size", sa.BigInteger, nullable=True),
        sa.Column("release_id", sa.String(36), nullable=True),
        sa.Column("output", sa.Text, nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="ck_builds_status"),
    )
    op.create_index("ix_builds_app_created", "builds", ["app_id", "created_at"])
    op.create_index("ix_releases_build", "releases", ["build_id"])


def downgrade() -> None:
    op.drop_index("ix_releases_build", "releases")
    op.drop_index("ix_builds_app_created", "builds")
    op.drop_table("builds")
