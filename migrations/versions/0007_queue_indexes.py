"""queue indexes: a prefix index on complaints.village_code for scope filters

Every staff query narrows cases with `village_code LIKE '<scope prefix>%'` (core/users/
permissions.scope_filter, the queue's region filter). Under any collation but C, PostgreSQL
cannot answer LIKE from the plain btree index, so a township handler's queue read all 200,000
cases (bench/README.md, "Back office"); varchar_pattern_ops makes it a range scan. On SQLite the
operator class is ignored and the index is a second plain one on the column (harmless).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 23:30:00

"""

from alembic import op


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_complaints_village_code_prefix",
        "complaints",
        ["village_code"],
        unique=False,
        postgresql_ops={"village_code": "varchar_pattern_ops"},
    )


def downgrade():
    op.drop_index("ix_complaints_village_code_prefix", table_name="complaints")
