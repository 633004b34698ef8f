"""complaints

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 22:53:34.289261

"""

from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "complaint_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", "township_code", name=op.f("pk_complaint_counters")),
    )
    op.create_table(
        "qr_links",
        sa.Column("token", sa.String(length=8), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_ref", sa.String(length=64), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_qr_links")),
        sa.UniqueConstraint("target_kind", "target_ref", name="target"),
    )
    op.create_table(
        "inspection_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("team_name", sa.String(length=100), nullable=False),
        sa.Column("county_code", sa.String(length=12), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("scope_text", sa.Text(), nullable=False),
        sa.Column("focus_text", sa.Text(), nullable=False),
        sa.Column("contact_text", sa.Text(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["county_code"], ["regions.code"], name=op.f("fk_inspection_rounds_county_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_rounds")),
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("item_kind", sa.String(length=16), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("item_summary", sa.Text(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("is_late_for_round", sa.Boolean(), nullable=False),
        sa.Column("is_real_name", sa.Boolean(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("secret_is_temporary", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.Column("received_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("next_due_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("classification", sa.String(length=16), nullable=False),
        sa.Column("closed_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rating", sa.String(length=16), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=False),
        sa.Column("rated_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_complaints_assignee_id_users")),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["complaints.id"], name=op.f("fk_complaints_merged_into_id_complaints")
        ),
        sa.ForeignKeyConstraint(["registered_by_id"], ["users.id"], name=op.f("fk_complaints_registered_by_id_users")),
        sa.ForeignKeyConstraint(
            ["round_id"], ["inspection_rounds.id"], name=op.f("fk_complaints_round_id_inspection_rounds")
        ),
        sa.ForeignKeyConstraint(["village_code"], ["regions.code"], name=op.f("fk_complaints_village_code_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("code", name=op.f("uq_complaints_code")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_complaints_idempotency_key")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaints_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_channel"), ["channel"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_next_due_at"), ["next_due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_received_at"), ["received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_status"), ["status"], unique=False)
        batch_op.create_index("ix_complaints_township_status", ["township_code", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_village_code"), ["village_code"], unique=False)

    op.create_table(
        "inspection_round_members",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["inspection_rounds.id"],
            name=op.f("fk_inspection_round_members_round_id_inspection_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_inspection_round_members_user_id_users")),
        sa.PrimaryKeyConstraint("round_id", "user_id", name=op.f("pk_inspection_round_members")),
    )
    op.create_table(
        "inspection_round_villages",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_inspection_round_villages_region_code_regions")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["inspection_rounds.id"],
            name=op.f("fk_inspection_round_villages_round_id_inspection_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "region_code", name=op.f("pk_inspection_round_villages")),
    )
    op.create_table(
        "case_clocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("starts_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("due_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("met_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("extension_days", sa.Integer(), nullable=False),
        sa.Column("extension_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_case_clocks_complaint_id_complaints")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_clocks")),
        sa.UniqueConstraint("complaint_id", "kind", name="complaint_kind"),
    )
    with op.batch_alter_table("case_clocks", schema=None) as batch_op:
        batch_op.create_index("ix_case_clocks_open_due", ["met_at", "due_at"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_case_events_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_case_events_complaint_id_complaints")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_complaint_id"), ["complaint_id"], unique=False)

    op.create_table(
        "complaint_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_complaint_attachments_complaint_id_complaints")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_attachments")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_complaint_attachments_stored_name")),
    )
    with op.batch_alter_table("complaint_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaint_attachments_complaint_id"), ["complaint_id"], unique=False)

    op.create_table(
        "complaint_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("name_cipher", sa.Text(), nullable=False),
        sa.Column("phone_cipher", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_complaint_identities_complaint_id_complaints")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_identities")),
        sa.UniqueConstraint("complaint_id", name=op.f("uq_complaint_identities_complaint_id")),
    )


def downgrade():

    op.drop_table("complaint_identities")
    with op.batch_alter_table("complaint_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_attachments_complaint_id"))

    op.drop_table("complaint_attachments")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_complaint_id"))

    op.drop_table("case_events")
    with op.batch_alter_table("case_clocks", schema=None) as batch_op:
        batch_op.drop_index("ix_case_clocks_open_due")

    op.drop_table("case_clocks")
    op.drop_table("inspection_round_villages")
    op.drop_table("inspection_round_members")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_village_code"))
        batch_op.drop_index("ix_complaints_township_status")
        batch_op.drop_index(batch_op.f("ix_complaints_status"))
        batch_op.drop_index(batch_op.f("ix_complaints_round_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_received_at"))
        batch_op.drop_index(batch_op.f("ix_complaints_next_due_at"))
        batch_op.drop_index(batch_op.f("ix_complaints_channel"))
        batch_op.drop_index(batch_op.f("ix_complaints_category"))
        batch_op.drop_index(batch_op.f("ix_complaints_assignee_id"))

    op.drop_table("complaints")
    op.drop_table("inspection_rounds")
    op.drop_table("qr_links")
    op.drop_table("complaint_counters")
