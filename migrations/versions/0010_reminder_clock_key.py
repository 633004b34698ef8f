"""reminder clock key: one foreign key (clock_id, complaint_id) instead of two

PostgreSQL checks a foreign key with one lookup per inserted row. The first deadline sweep over a
backlog writes tens of thousands of reminders, and its three checks per row (clock, case, user)
were most of its time (bench/README.md, "Back office"). A reminder's clock and case now form one
key into case_clocks (id, complaint_id), which also guarantees that the two agree.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("case_clocks", schema=None) as batch_op:
        batch_op.create_unique_constraint("id_complaint", ["id", "complaint_id"])
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_constraint("fk_reminders_clock_id_case_clocks", type_="foreignkey")
        batch_op.drop_constraint("fk_reminders_complaint_id_complaints", type_="foreignkey")
        batch_op.create_foreign_key(
            "fk_reminders_clock_id_case_clocks", "case_clocks", ["clock_id", "complaint_id"], ["id", "complaint_id"]
        )


def downgrade():
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_constraint("fk_reminders_clock_id_case_clocks", type_="foreignkey")
        batch_op.create_foreign_key("fk_reminders_complaint_id_complaints", "complaints", ["complaint_id"], ["id"])
        batch_op.create_foreign_key("fk_reminders_clock_id_case_clocks", "case_clocks", ["clock_id"], ["id"])
    with op.batch_alter_table("case_clocks", schema=None) as batch_op:
        batch_op.drop_constraint("id_complaint", type_="unique")
