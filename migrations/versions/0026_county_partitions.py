"""county partitions: ledger entries and subsidy payments partitioned by county on PostgreSQL

Each table becomes PARTITION BY RANGE (village_code) with one partition per county in the regions
table and a DEFAULT partition for the rest (core/partitions.py makes the partitions of counties
imported later). The key becomes (id, village_code) and a correction's link to the row it replaces
(replaces_id, village_code), as PostgreSQL requires of a partitioned table. Ids, rows and the
record's hashes are unchanged. SQLite: nothing.

Revision ID: 0026
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

TABLES = ("ledger_entries", "subsidy_payments")


def _indexes(bind, table: str) -> list[str]:
    """The CREATE INDEX statements of the table's indexes other than its primary key."""
    return list(
        bind.scalars(
            sa.text(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = :t AND indexname <> :pk"
            ),
            {"t": table, "pk": f"pk_{table}"},
        )
    )


def _foreign_keys(bind, table: str) -> list[tuple[str, str, bool]]:
    """(name, definition, points at the table itself) of the table's own foreign keys."""
    rows = bind.execute(
        sa.text(
            "SELECT conname, pg_get_constraintdef(oid), confrelid = conrelid FROM pg_constraint "
            "WHERE conrelid = CAST(:t AS regclass) AND contype = 'f' AND conparentid = 0 ORDER BY conname"
        ),
        {"t": table},
    )
    return [tuple(row) for row in rows]


def _rebuild(bind, table: str, *, partitioned: bool):
    """Rename the table away, create its new form with the same columns, defaults and checks, and
    return what finishing it needs: the old name, its indexes and foreign keys."""
    old = f"{table}_{'unpartitioned' if partitioned else 'partitioned'}"
    indexes, foreign_keys = _indexes(bind, table), _foreign_keys(bind, table)
    sequence = bind.scalar(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table})
    op.execute(f"ALTER TABLE {table} RENAME TO {old}")
    op.execute(f"ALTER TABLE {old} RENAME CONSTRAINT pk_{table} TO pk_{old}")
    tail = " PARTITION BY RANGE (village_code)" if partitioned else ""
    op.execute(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS){tail}")
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY {table}.id")
    key = "id, village_code" if partitioned else "id"
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY ({key})")
    if partitioned:
        op.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
    return old, indexes, foreign_keys


def _finish(table: str, old: str, indexes: list[str], foreign_keys, *, partitioned: bool):
    op.execute(f"INSERT INTO {table} SELECT * FROM {old}")
    op.execute(f"DROP TABLE {old}")
    for statement in indexes:
        # A partitioned table's index reads "ON ONLY table": made again on the new table whole.
        op.execute(statement.replace(" ON ONLY ", " ON "))
    for name, definition, to_itself in foreign_keys:
        if to_itself:
            # Frozen: the link from a correction's row to the row it replaces, in the same village.
            definition = (
                f"FOREIGN KEY (replaces_id, village_code) REFERENCES {table}(id, village_code)"
                if partitioned
                else f"FOREIGN KEY (replaces_id) REFERENCES {table}(id)"
            )
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")


def _county_partitions(bind):
    # Frozen copy of core/partitions.py as of this revision: one partition per county, each the
    # range of its 12-digit codes (the default partitions are still empty here).
    counties = sorted(
        {
            code[:6]
            for code in bind.scalars(sa.text("SELECT code FROM regions WHERE level = 'county'"))
            if len(code) == 12
        }
    )
    for table in TABLES:
        for county in counties:
            upper = "MAXVALUE" if county == "999999" else f"'{int(county) + 1:06d}000000'"
            op.execute(
                f"CREATE TABLE {table}_c{county} PARTITION OF {table} FOR VALUES FROM ('{county}000000') TO ({upper})"
            )


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    rebuilt = {table: _rebuild(bind, table, partitioned=True) for table in TABLES}
    _county_partitions(bind)
    for table, (old, indexes, foreign_keys) in rebuilt.items():
        _finish(table, old, indexes, foreign_keys, partitioned=True)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in TABLES:
        old, indexes, foreign_keys = _rebuild(bind, table, partitioned=False)
        _finish(table, old, indexes, foreign_keys, partitioned=False)
