"""working-day calendar: exception days and covered years, seeded from chinesecalendar

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa

import core.db
from core.calendar.library import seed_from_library

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_workday", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.CheckConstraint("source in ('library', 'admin')", name=op.f("ck_calendar_days_source")),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_days")),
    )
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("loaded_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source in ('library', 'admin')", name=op.f("ck_calendar_years_source")),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )
    # A copy, not a live lookup: upgrading the library later must never move a stored deadline.
    seed_from_library(op.get_bind())


def downgrade():
    op.drop_table("calendar_years")
    op.drop_table("calendar_days")
