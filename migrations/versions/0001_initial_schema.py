"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 22:33:56.761604

"""

from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "regions",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("parent_code", sa.String(length=12), nullable=True),
        sa.Column("pinyin", sa.String(length=200), nullable=False),
        sa.Column("initials", sa.String(length=64), nullable=False),
        sa.CheckConstraint("level in ('county', 'township', 'village')", name=op.f("ck_regions_level")),
        sa.ForeignKeyConstraint(["parent_code"], ["regions.code"], name=op.f("fk_regions_parent_code_regions")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regions")),
    )
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_regions_initials"), ["initials"], unique=False)
        batch_op.create_index(batch_op.f("ix_regions_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_regions_parent_code"), ["parent_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_regions_pinyin"), ["pinyin"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("session_token", sa.String(length=32), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_role"), ["role"], unique=False)

    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_audit_entries_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_target_type"), ["target_type"], unique=False)

    op.create_table(
        "user_regions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(["region_code"], ["regions.code"], name=op.f("fk_user_regions_region_code_regions")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_regions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "region_code", name=op.f("pk_user_regions")),
    )
    with op.batch_alter_table("user_regions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_regions_region_code"), ["region_code"], unique=False)


def downgrade():
    with op.batch_alter_table("user_regions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_regions_region_code"))

    op.drop_table("user_regions")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_target_type"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_at"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_action"))

    op.drop_table("audit_entries")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_role"))

    op.drop_table("users")
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regions_pinyin"))
        batch_op.drop_index(batch_op.f("ix_regions_parent_code"))
        batch_op.drop_index(batch_op.f("ix_regions_level"))
        batch_op.drop_index(batch_op.f("ix_regions_initials"))

    op.drop_table("regions")
