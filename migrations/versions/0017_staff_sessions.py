"""staff sessions: a TOTP second factor with single-use recovery codes (hashes only), and the
per-account sign-in backoff that replaces the five-tries lock; subsidy payments indexed by name, so
that a 我的补贴 miss can be counted against the villages listing that name

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("login_delay_until", core.db.UTCDateTime(timezone=True), nullable=True))

    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("subsidy_payments", schema=None) as batch_op:
        batch_op.create_index("ix_subsidy_payments_name", ["name"], unique=False)


def downgrade():
    with op.batch_alter_table("subsidy_payments", schema=None) as batch_op:
        batch_op.drop_index("ix_subsidy_payments_name")
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))
    op.drop_table("recovery_codes")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("login_delay_until")
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_secret")
