"""project photos: site photos uploaded with a project update, reviewed and published with its batch

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "project_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("caption", sa.String(length=100), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["update_id"], ["project_updates.id"], name=op.f("fk_project_photos_update_id_project_updates")
        ),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"], name=op.f("fk_project_photos_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_photos")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_project_photos_stored_name")),
    )
    op.create_index(op.f("ix_project_photos_update_id"), "project_photos", ["update_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_project_photos_update_id"), table_name="project_photos")
    op.drop_table("project_photos")
