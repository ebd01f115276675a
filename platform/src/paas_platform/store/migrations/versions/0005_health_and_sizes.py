"""apps.health_check_path (rollout readiness) and formation.size (dyno limits)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("apps") as batch:
        batch.add_column(sa.Column("health_check_path", sa.Text, nullable=True))
    with op.batch_alter_table("formation") as batch:
        batch.add_column(sa.Column("size", sa.String(32), nullable=False,
                                   server_default="standard-1x"))


def downgrade() -> None:
    with op.batch_alter_table("formation") as batch:
        batch.drop_column("size")
    with op.batch_alter_table("apps") as batch:
        batch.drop_column("health_check_path")
