"""stored files: uploaded files kept in the database (UPLOAD_STORE=database, several app hosts)

Revision ID: 0024
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_files",
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("area", "name", name=op.f("pk_stored_files")),
    )
    op.create_index(op.f("ix_stored_files_created_at"), "stored_files", ["created_at"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_stored_files_created_at"), table_name="stored_files")
    op.drop_table("stored_files")
