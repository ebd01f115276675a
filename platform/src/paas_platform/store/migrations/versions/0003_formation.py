"""formation: process type -> quantity per app (mutable; not part of a release)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "formation",
        sa.Column("app_id", sa.String(36), sa.ForeignKey("apps.id"), primary_key=True),
        sa.Column("process_type", sa.String(63), primary_key=True),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.CheckConstraint("quantity >= 0 AND quantity <= 100", name="ck_formation_quantity"),
    )


def downgrade() -> None:
    op.drop_table("formation")
