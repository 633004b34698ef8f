"""Many rows into one table at once, in the session's transaction."""

from sqlalchemy import Table, insert

from core.extensions import db


def bulk_insert(table: Table, values: list[dict]) -> None:
    """INSERT many rows (dicts with the same keys) in the session's transaction."""
    if not values:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        # Core, not the ORM's bulk insert: nothing here needs the unit of work, which costs ~2×.
        connection.execute(insert(table), values)
        return
    # PostgreSQL runs an executemany row by row; COPY is ~2× faster on a million rows. It skips
    # the columns' Python-side defaults, so those are filled in here; the names are the table's.
    defaults = {
        column.name: column.default.arg
        for column in table.columns
        if column.name not in values[0] and column.default is not None and column.default.is_scalar
    }
    names = [*values[0], *defaults]
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
            for row in values:
                copy.write_row([*row.values(), *defaults.values()])
