"""disclosures

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 22:40:22.960674

"""

from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


BUILTIN_SUBSIDY_ITEMS = [
    "最低生活保障金",
    "特困人员供养金",
    "公益林补偿金",
    "耕地地力保护补贴",
    "高龄津贴",
    "乡村公益性岗位补贴",
    "残疾人两项补贴",
    "职业技能培训补贴",
]


def upgrade():

    op.create_table(
        "subsidy_items",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_subsidy_items")),
    )
    op.create_table(
        "county_settings",
        sa.Column("county_code", sa.String(length=12), nullable=False),
        sa.Column("review_enabled", sa.Boolean(), nullable=False),
        sa.Column("reviewer_level", sa.String(length=8), nullable=False),
        sa.Column("show_full_names", sa.Boolean(), nullable=False),
        sa.Column("approval_threshold", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(["county_code"], ["regions.code"], name=op.f("fk_county_settings_county_code_regions")),
        sa.PrimaryKeyConstraint("county_code", name=op.f("pk_county_settings")),
    )
    op.create_table(
        "disclosure_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("is_correction", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source_filename", sa.String(length=200), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("published_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_disclosure_batches_reviewed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_disclosure_batches_uploaded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["village_code"], ["regions.code"], name=op.f("fk_disclosure_batches_village_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_batches")),
        sa.UniqueConstraint("village_code", "sequence", name="village_sequence"),
    )
    with op.batch_alter_table("disclosure_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disclosure_batches_published_at"), ["published_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_disclosure_batches_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_disclosure_batches_village_kind_status", ["village_code", "kind", "status"], unique=False
        )

    op.create_table(
        "contracts",
        sa.Column("contract_no", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=4), nullable=False),
        sa.Column("party", sa.String(length=100), nullable=False),
        sa.Column("party_id_hash", sa.String(length=64), nullable=True),
        sa.Column("party_id_cipher", sa.Text(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("annual_rent", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("pay_cycle", sa.String(length=4), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("superseded_by_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["disclosure_batches.id"], name=op.f("fk_contracts_batch_id_disclosure_batches")
        ),
        sa.ForeignKeyConstraint(["replaces_id"], ["contracts.id"], name=op.f("fk_contracts_replaces_id_contracts")),
        sa.ForeignKeyConstraint(
            ["superseded_by_batch_id"],
            ["disclosure_batches.id"],
            name=op.f("fk_contracts_superseded_by_batch_id_disclosure_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contracts_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contracts_party_id_hash"), ["party_id_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_contracts_replaces_id"), ["replaces_id"], unique=False)
        batch_op.create_index("ix_contracts_village_contract", ["village_code", "contract_no"], unique=False)

    op.create_table(
        "ledger_entries",
        sa.Column("entry_on", sa.Date(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("voucher_no", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("counterparty", sa.String(length=100), nullable=False),
        sa.Column("link_code", sa.String(length=40), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("superseded_by_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["disclosure_batches.id"], name=op.f("fk_ledger_entries_batch_id_disclosure_batches")
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["ledger_entries.id"], name=op.f("fk_ledger_entries_replaces_id_ledger_entries")
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_batch_id"],
            ["disclosure_batches.id"],
            name=op.f("fk_ledger_entries_superseded_by_batch_id_disclosure_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entries_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entries_replaces_id"), ["replaces_id"], unique=False)
        batch_op.create_index("ix_ledger_entries_village_link", ["village_code", "link_code"], unique=False)
        batch_op.create_index("ix_ledger_entries_village_month", ["village_code", "month"], unique=False)
        batch_op.create_index(
            "ix_ledger_entries_village_year_voucher", ["village_code", "year", "voucher_no"], unique=False
        )

    op.create_table(
        "project_updates",
        sa.Column("project_no", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("project_type", sa.String(length=16), nullable=False),
        sa.Column("budget", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("funding_source", sa.String(length=100), nullable=False),
        sa.Column("contractor", sa.String(length=100), nullable=False),
        sa.Column("contractor_uscc", sa.String(length=18), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("planned_end_on", sa.Date(), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("paid_total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("updated_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("superseded_by_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["disclosure_batches.id"], name=op.f("fk_project_updates_batch_id_disclosure_batches")
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["project_updates.id"], name=op.f("fk_project_updates_replaces_id_project_updates")
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_batch_id"],
            ["disclosure_batches.id"],
            name=op.f("fk_project_updates_superseded_by_batch_id_disclosure_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_updates")),
    )
    with op.batch_alter_table("project_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_updates_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_updates_replaces_id"), ["replaces_id"], unique=False)
        batch_op.create_index("ix_project_updates_village_project", ["village_code", "project_no"], unique=False)

    op.create_table(
        "subsidy_payments",
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("id_cipher", sa.Text(), nullable=False),
        sa.Column("public_ref", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("account_hash", sa.String(length=64), nullable=True),
        sa.Column("account_cipher", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("superseded_by_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["disclosure_batches.id"], name=op.f("fk_subsidy_payments_batch_id_disclosure_batches")
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["subsidy_payments.id"], name=op.f("fk_subsidy_payments_replaces_id_subsidy_payments")
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_batch_id"],
            ["disclosure_batches.id"],
            name=op.f("fk_subsidy_payments_superseded_by_batch_id_disclosure_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsidy_payments")),
    )
    with op.batch_alter_table("subsidy_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subsidy_payments_account_hash"), ["account_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_subsidy_payments_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subsidy_payments_id_hash"), ["id_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_subsidy_payments_replaces_id"), ["replaces_id"], unique=False)
        batch_op.create_index("ix_subsidy_payments_village_item_month", ["village_code", "item", "month"], unique=False)
        batch_op.create_index("ix_subsidy_payments_village_month", ["village_code", "month"], unique=False)
    items = sa.table("subsidy_items", sa.column("name", sa.String))
    op.bulk_insert(items, [{"name": name} for name in BUILTIN_SUBSIDY_ITEMS])


def downgrade():

    with op.batch_alter_table("subsidy_payments", schema=None) as batch_op:
        batch_op.drop_index("ix_subsidy_payments_village_month")
        batch_op.drop_index("ix_subsidy_payments_village_item_month")
        batch_op.drop_index(batch_op.f("ix_subsidy_payments_replaces_id"))
        batch_op.drop_index(batch_op.f("ix_subsidy_payments_id_hash"))
        batch_op.drop_index(batch_op.f("ix_subsidy_payments_batch_id"))
        batch_op.drop_index(batch_op.f("ix_subsidy_payments_account_hash"))

    op.drop_table("subsidy_payments")
    with op.batch_alter_table("project_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_project_updates_village_project")
        batch_op.drop_index(batch_op.f("ix_project_updates_replaces_id"))
        batch_op.drop_index(batch_op.f("ix_project_updates_batch_id"))

    op.drop_table("project_updates")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entries_village_year_voucher")
        batch_op.drop_index("ix_ledger_entries_village_month")
        batch_op.drop_index("ix_ledger_entries_village_link")
        batch_op.drop_index(batch_op.f("ix_ledger_entries_replaces_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_batch_id"))

    op.drop_table("ledger_entries")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index("ix_contracts_village_contract")
        batch_op.drop_index(batch_op.f("ix_contracts_replaces_id"))
        batch_op.drop_index(batch_op.f("ix_contracts_party_id_hash"))
        batch_op.drop_index(batch_op.f("ix_contracts_batch_id"))

    op.drop_table("contracts")
    with op.batch_alter_table("disclosure_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_disclosure_batches_village_kind_status")
        batch_op.drop_index(batch_op.f("ix_disclosure_batches_status"))
        batch_op.drop_index(batch_op.f("ix_disclosure_batches_published_at"))

    op.drop_table("disclosure_batches")
    op.drop_table("county_settings")
    op.drop_table("subsidy_items")
