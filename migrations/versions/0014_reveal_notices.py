"""reveal notices: a reminder may name no clock — the note to the other leads that a
complainant's identity was revealed

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.alter_column("clock_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM reminders WHERE clock_id IS NULL")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.alter_column("clock_id", existing_type=sa.Integer(), nullable=False)
