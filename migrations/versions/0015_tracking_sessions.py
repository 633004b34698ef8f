"""tracking sessions: an open tracking page is ended on the server (leave, kiosk reset, expiry)

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tracking_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_tracking_sessions_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_tracking_sessions")),
    )
    with op.batch_alter_table("tracking_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_sessions_complaint_id"), ["complaint_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracking_sessions_expires_at"), ["expires_at"], unique=False)


def downgrade():
    op.drop_table("tracking_sessions")
