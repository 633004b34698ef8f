"""notices: SMS (or WeChat) notices to complainants — the encrypted contact a complainant left,
and the outbox the deadline sweep sends from (docs/notices.md)

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notice_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("address_cipher", sa.Text(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("channel IN ('sms', 'wechat')", name=op.f("ck_notice_contacts_channel_valid")),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_notice_contacts_complaint_id_complaints")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_contacts")),
        sa.UniqueConstraint("complaint_id", name=op.f("uq_notice_contacts_complaint_id")),
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("provider_ref", sa.String(length=64), nullable=False),
        sa.CheckConstraint("kind IN ('reply', 'request_info', 'result')", name=op.f("ck_notices_kind_valid")),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaints.id"], name=op.f("fk_notices_complaint_id_complaints")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_complaint_id"), ["complaint_id"], unique=False)
        batch_op.create_index(
            "ix_notices_unsent",
            ["created_at"],
            unique=False,
            postgresql_where=sa.text("sent_at IS NULL"),
            sqlite_where=sa.text("sent_at IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index("ix_notices_unsent")
        batch_op.drop_index(batch_op.f("ix_notices_complaint_id"))
    op.drop_table("notices")
    op.drop_table("notice_contacts")
