"""queue order: complaints.queue_rank (0 for reopened cases) and an index matching the queue's sort

The queue sorts by (reopened first, nearest deadline, id). With the rank stored, a plain btree
index serves that order, so the first page of a county's queue is an index scan instead of a sort
of every visible case (bench/README.md, "Back office").

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queue_rank", sa.SmallInteger(), nullable=False, server_default="1"))
    op.execute("UPDATE complaints SET queue_rank = 0 WHERE status = 'reopened'")
    op.create_index("ix_complaints_queue_order", "complaints", ["queue_rank", "next_due_at", "id"], unique=False)


def downgrade():
    op.drop_index("ix_complaints_queue_order", table_name="complaints")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_column("queue_rank")
