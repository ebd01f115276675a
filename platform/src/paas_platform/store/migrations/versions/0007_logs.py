"""log_lines (the per-app log stream), log_cursors (how far each container's
output was collected) and log_drains (where an app's lines are forwarded)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Lines belong to an app by name and have no foreign key: the stream is
    # written at a high rate from outside app transactions, and app destroy
    # (and create, for a reused name) deletes them explicitly.
    op.create_table(
        "log_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("app", sa.String(30), nullable=False),
        # Microseconds since the Unix epoch, UTC: sorts and compares the same way
        # on SQLite and PostgreSQL, with no time-zone handling in either.
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("process", sa.String(80), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_log_lines_app_time", "log_lines", ["app", "timestamp", "id"])
    op.create_table(
        "log_cursors",
        sa.Column("container_id", sa.String(80), primary_key=True),
        sa.Column("app", sa.String(30), nullable=False),
        sa.Column("timestamp", sa.String(40), nullable=False),
        sa.Column("repeats", sa.Integer, nullable=False),
    )
    op.create_table(
        "log_drains",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("app", sa.String(30), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("app", "url", name="uq_log_drains_app_url"),
    )
    op.create_index("ix_log_drains_app", "log_drains", ["app"])


def downgrade() -> None:
    op.drop_index("ix_log_drains_app", "log_drains")
    op.drop_table("log_drains")
    op.drop_table("log_cursors")
    op.drop_index("ix_log_lines_app_time", "log_lines")
    op.drop_table("log_lines")
