"""The largest tables on PostgreSQL, partitioned by county (migration 0026); SQLite has none of this.

A county is the first six digits of a 12-digit region code, so a county's rows are one range of
`village_code`: RANGE partitions on that column need no column of their own, and every query that
names a village (the village page, its record, a correction) is pruned to its county's partition
by the planner without being told. Rows of a county that has no partition yet land in the
table's DEFAULT partition, so nothing is ever refused; making the county's partition later moves
them out of it.

PostgreSQL wants the partition key in a partitioned table's primary key and in any foreign key
that points at it: the tables' key is (id, village_code) and a correction's link to the row it
replaces is (replaces_id, village_code) — a replacement is always in the replaced row's village.
The models keep `id` as their key: ids still come from one sequence and stay unique.
"""

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.engine import Connection

from core.extensions import db

PARTITIONED_TABLES = ("ledger_entries", "subsidy_payments")
COUNTY_DIGITS = 6
# Every session making partitions waits for the one before: two hosts importing the same county
# would otherwise both create its partition and one would fail.
_LOCK_KEY = 7_150_025


def county_of(region_code: str) -> str | None:
    """The county a 12-digit region code belongs to, or None for anything else."""
    if len(region_code) == 12 and region_code.isdigit():
        return region_code[:COUNTY_DIGITS]
    return None


def partition_name(table: str, county: str) -> str:
    return f"{table}_c{county}"


def default_partition_name(table: str) -> str:
    return f"{table}_default"


def is_partition(table: str) -> bool:
    """Whether a table name is one of the partitions this module makes (not a model's table)."""
    return any(table.startswith(f"{parent}_c") or table == f"{parent}_default" for parent in PARTITIONED_TABLES)


def _bounds(county: str) -> tuple[str, str]:
    """The partition's FROM and TO, as SQL literals: every 12-digit code starting with `county`."""
    upper = "MAXVALUE" if county == "9" * COUNTY_DIGITS else f"'{int(county) + 1:06d}000000'"
    return f"'{county}000000'", upper


def existing_partitions(connection: Connection) -> set[str]:
    rows = connection.execute(
        text(
            "SELECT child.relname FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "JOIN pg_class parent ON parent.oid = pg_inherits.inhparent WHERE parent.relname = ANY(:tables)"
        ),
        {"tables": list(PARTITIONED_TABLES)},
    )
    return {name for (name,) in rows}


def create_county_partitions(connection: Connection, counties: Iterable[str]) -> list[str]:
    """Make each county's partition of every partitioned table where it is missing, in the
    caller's transaction; the county's rows waiting in the DEFAULT partition move into it.
    Returns the partitions made. Nothing on SQLite."""
    if connection.dialect.name != "postgresql":
        return []
    wanted = sorted({c for c in counties if len(c) == COUNTY_DIGITS and c.isdigit()})
    if not wanted:
        return []
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    existing = existing_partitions(connection)
    made = []
    for table in PARTITIONED_TABLES:
        for county in wanted:
            name = partition_name(table, county)
            if name in existing:
                continue
            lower, upper = _bounds(county)
            # Built apart and attached, so that the rows can leave the DEFAULT partition first:
            # PostgreSQL refuses a new partition while the default still holds rows of its range.
            connection.execute(text(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"))
            upper_condition = "" if upper == "MAXVALUE" else f" AND village_code < {upper}"
            connection.execute(
                text(
                    f"WITH moved AS (DELETE FROM {default_partition_name(table)} "
                    f"WHERE village_code >= {lower}{upper_condition} RETURNING *) "
                    f"INSERT INTO {name} SELECT * FROM moved"
                )
            )
            connection.execute(
                text(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM ({lower}) TO ({upper})")
            )
            made.append(name)
    return made


def make_county_partitions(counties: Iterable[str]) -> list[str]:
    """Make the counties' partitions (create_county_partitions) in a transaction of its own."""
    made = create_county_partitions(db.session.connection(), counties)
    db.session.commit()
    return made


def make_partitions_for_known_counties() -> list[str]:
    """Every county in the regions table gets its partitions (`flask regions partitions`)."""
    if db.engine.dialect.name != "postgresql":
        return []
    codes = db.session.scalars(text("SELECT code FROM regions WHERE level = 'county'"))
    return make_county_partitions(filter(None, map(county_of, codes)))


def include_in_comparison(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object for comparing the models with a database: the partitions are no
    model's tables, and the link to a replaced row is (replaces_id, village_code) on PostgreSQL
    where the model names replaces_id alone (the module docstring says why); PostgreSQL keeps a
    copy of that link for every partition it points at, under a name of its own making."""
    if type_ == "table" and reflected and is_partition(name):
        return False
    if type_ == "foreign_key_constraint":
        links = {f"fk_{table}_replaces_id_{table}" for table in PARTITIONED_TABLES}
        copies = tuple(f"{table}_replaces_id_village_code_fkey" for table in PARTITIONED_TABLES)
        return name not in links and not (name or "").startswith(copies)
    return True
