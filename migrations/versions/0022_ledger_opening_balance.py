"""ledger opening balance: a ledger row may be a village's disclosed 期初余额 (direction 'opening')

The ledger's direction constraint gains 'opening'. Such a row is imported, reviewed, published,
chained and corrected like any other ledger row; it is neither income nor expense, and the
balances start from it.

Revision ID: 0022
Revises: 0021
"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

NAME = "ck_ledger_entries_direction_valid"


def _replace(values: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{value}'" for value in values)
    with _foreign_keys_off():
        with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
            batch_op.drop_constraint(op.f(NAME), type_="check")
            batch_op.create_check_constraint(op.f(NAME), f"direction IN ({listed})")


def upgrade():
    _replace(("income", "expense", "opening"))


def downgrade():
    count = op.get_bind().scalar(sa.text("SELECT count(*) FROM ledger_entries WHERE direction = 'opening'"))
    if count:
        raise CommandError(
            f"migration 0022: {count} opening-balance row(s) are stored; a published row "
            "is part of its village's record and cannot be dropped by a downgrade."
        )
    _replace(("income", "expense"))


@contextmanager
def _foreign_keys_off():
    """SQLite changes a CHECK by copying the table; other tables' references to it must not fail
    the drop of the old copy (see migration 0020)."""
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    if raw.in_transaction:
        raw.commit()
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raw.rollback()
            raise CommandError(f"migration 0022: {len(broken)} broken references after copying a table")
        raw.commit()
    finally:
        raw.execute("PRAGMA foreign_keys = ON")
