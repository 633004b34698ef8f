"""back office

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 22:56:56.381110

"""

from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "reply_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_templates")),
    )
    with op.batch_alter_table("reply_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reply_templates_category"), ["category"], unique=False)

    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["county_code"], ["regions.code"], name=op.f("fk_departments_county_code_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("county_code", "name", name="county_name"),
    )
    op.create_table(
        "case_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_case_conflicts_complaint_id_complaints")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_case_conflicts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_conflicts")),
        sa.UniqueConstraint("complaint_id", "user_id", name="complaint_user"),
    )
    with op.batch_alter_table("case_conflicts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_conflicts_complaint_id"), ["complaint_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_conflicts_user_id"), ["user_id"], unique=False)

    op.create_table(
        "identity_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_identity_requests_complaint_id_complaints")
        ),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_identity_requests_decided_by_id_users")),
        sa.ForeignKeyConstraint(["requester_id"], ["users.id"], name=op.f("fk_identity_requests_requester_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_requests")),
    )
    with op.batch_alter_table("identity_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identity_requests_complaint_id"), ["complaint_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_identity_requests_requester_id"), ["requester_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_identity_requests_status"), ["status"], unique=False)

    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("sent_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("due_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("extension_days", sa.Integer(), nullable=False),
        sa.Column("answered_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaints.id"], name=op.f("fk_referrals_complaint_id_complaints")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_referrals_department_id_departments")
        ),
        sa.ForeignKeyConstraint(["sent_by_id"], ["users.id"], name=op.f("fk_referrals_sent_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_complaint_id"), ["complaint_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_due_at"), ["due_at"], unique=False)

    op.create_table(
        "clock_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("clock_id", sa.Integer(), nullable=True),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["clock_id"], ["case_clocks.id"], name=op.f("fk_clock_extensions_clock_id_case_clocks")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_clock_extensions_complaint_id_complaints")
        ),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_clock_extensions_decided_by_id_users")),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_clock_extensions_referral_id_referrals")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_clock_extensions_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clock_extensions")),
    )
    with op.batch_alter_table("clock_extensions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clock_extensions_complaint_id"), ["complaint_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_clock_extensions_status"), ["status"], unique=False)

    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("clock_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=24), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["clock_id"], ["case_clocks.id"], name=op.f("fk_reminders_clock_id_case_clocks")),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaints.id"], name=op.f("fk_reminders_complaint_id_complaints")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reminders_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("clock_id", "level", "user_id", name="clock_level_user"),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminders_complaint_id"), ["complaint_id"], unique=False)
        batch_op.create_index("ix_reminders_user_unread", ["user_id", "read_at"], unique=False)

    with op.batch_alter_table("case_clocks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alerted_state", sa.String(length=16), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("escalation_level", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("paused_at", core.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table("county_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clock_pausing_enabled", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("referral_working_days", sa.Integer(), nullable=False, server_default="15"))


def downgrade():

    with op.batch_alter_table("county_settings", schema=None) as batch_op:
        batch_op.drop_column("referral_working_days")
        batch_op.drop_column("clock_pausing_enabled")

    with op.batch_alter_table("case_clocks", schema=None) as batch_op:
        batch_op.drop_column("paused_at")
        batch_op.drop_column("escalation_level")
        batch_op.drop_column("alerted_state")

    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_user_unread")
        batch_op.drop_index(batch_op.f("ix_reminders_complaint_id"))

    op.drop_table("reminders")
    with op.batch_alter_table("clock_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clock_extensions_status"))
        batch_op.drop_index(batch_op.f("ix_clock_extensions_complaint_id"))

    op.drop_table("clock_extensions")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_due_at"))
        batch_op.drop_index(batch_op.f("ix_referrals_complaint_id"))

    op.drop_table("referrals")
    with op.batch_alter_table("identity_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_requests_status"))
        batch_op.drop_index(batch_op.f("ix_identity_requests_requester_id"))
        batch_op.drop_index(batch_op.f("ix_identity_requests_complaint_id"))

    op.drop_table("identity_requests")
    with op.batch_alter_table("case_conflicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_conflicts_user_id"))
        batch_op.drop_index(batch_op.f("ix_case_conflicts_complaint_id"))

    op.drop_table("case_conflicts")
    op.drop_table("departments")
    with op.batch_alter_table("reply_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reply_templates_category"))

    op.drop_table("reply_templates")
