"""subsidy item cadence: which subsidy items are paid, and so disclosed, every month

An item marked monthly is owed a roster every month by each village that pays it, from its first
roster (disclosures/due.py). National rules pay three of the built-in items monthly: 最低生活保障金
(《最低生活保障审核确认办法》), 特困人员供养金 and 残疾人两项补贴 (国发〔2015〕52号). The others are
paid yearly or when due, and have no calendar until an administrator marks them.

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

MONTHLY = ("最低生活保障金", "特困人员供养金", "残疾人两项补贴")


def upgrade():
    op.add_column("subsidy_items", sa.Column("monthly", sa.Boolean(), nullable=False, server_default=sa.false()))
    items = sa.table("subsidy_items", sa.column("name", sa.String), sa.column("monthly", sa.Boolean))
    op.execute(items.update().where(items.c.name.in_(MONTHLY)).values(monthly=True))


def downgrade():
    with op.batch_alter_table("subsidy_items", schema=None) as batch_op:
        batch_op.drop_column("monthly")
