"""domains: custom hostnames routed to an app (unique across apps)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "domains",
        sa.Column("id", sa.String(36), primary_key=True),
        # A destroyed app's hostnames go with it (no service has to remember them).
        sa.Column("app_id", sa.String(36), sa.ForeignKey("apps.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("hostname", sa.String(253), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("hostname", name="uq_domains_hostname"),
    )
    op.create_index("ix_domains_app", "domains", ["app_id"])


def downgrade() -> None:
    op.drop_index("ix_domains_app", "domains")
    op.drop_table("domains")
