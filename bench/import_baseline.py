"""The baseline: a bare bulk insert of the bench rows into the same tables, no validation.

Run by import_bench.py in its own process: `import_baseline.py KIND DATABASE_URI ROWS VILLAGES`.
The rows are the ones the generated file holds, in their stored form (ID numbers and accounts
sealed as the importer seals them); they are prepared chunk by chunk outside the clock, so the
time is only the inserts — sqlite3 executemany on SQLite, psycopg COPY on PostgreSQL — and the
commit. Prints one JSON line: {"seconds": …, "rows": …}.
"""

import json
import sys
import time
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import import_data  # noqa: E402
from core.crypto import FieldCipher, keys_from_setting  # noqa: E402
from import_db import SECRETS  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

CHUNK = 10_000
COMMON = ("batch_id", "village_code", "row_number", "published", "withdrawn")
COLUMNS = {
    "ledger": COMMON
    + (
        "entry_on",
        "month",
        "year",
        "voucher_no",
        "direction",
        "category",
        "summary",
        "amount",
        "counterparty",
        "link_code",
    ),
    "subsidies": COMMON
    + (
        "item",
        "month",
        "name",
        "id_hash",
        "id_cipher",
        "public_ref",
        "amount",
        "paid_on",
        "account_hash",
        "account_cipher",
    ),
}
TABLES = {"ledger": "ledger_entries", "subsidies": "subsidy_payments"}
BATCH_COLUMNS = (
    "id",
    "village_code",
    "kind",
    "period",
    "status",
    "is_correction",
    "reason",
    "source_filename",
    "row_count",
    "uploaded_at",
    "review_note",
    "published_at",
)
# Data rows start below the title lines and the header, as in the generated files.
FIRST_ROW = {"ledger": 4, "subsidies": 3}
DIRECTIONS = {"收入": "income", "支出": "expense"}


class Rows:
    """The stored form of the generated rows, with the batch each belongs to."""

    def __init__(self, kind: str, total: int, village_count: int):
        self.kind = kind
        codes = import_data.villages(village_count)
        keys, current = keys_from_setting(SECRETS["DATA_ENCRYPTION_KEY"])
        self.cipher = FieldCipher("aes", keys, current, hmac_key=SECRETS["ID_HMAC_KEY"])
        generate = import_data.ledger_rows if kind == "ledger" else import_data.subsidy_rows
        self.source = enumerate(generate(total, codes), start=FIRST_ROW[kind])
        # The batches come first (the rows point at them): one cheap pass to know them.
        found = {(row[0], f"{row[1]:%Y-%m}" if kind == "ledger" else None) for row in generate(total, codes)}
        self.batches = dict.fromkeys(sorted(found, key=lambda key: (key[0], key[1] or "")), 0)

    def number_batches(self, after: int) -> None:
        """Batch ids after the largest one stored (the template holds the seeded contracts)."""
        for ident, key in enumerate(self.batches, start=after + 1):
            self.batches[key] = ident

    def batch(self, village: str, period: str | None) -> int:
        return self.batches[village, period]

    def _ledger(self, number: int, row: tuple) -> tuple:
        village, day, voucher, side, category, summary, amount, party, link = row
        month = f"{day:%Y-%m}"
        return (
            self.batch(village, month),
            village,
            number,
            True,
            False,
            day,
            month,
            day.year,
            voucher,
            DIRECTIONS[side],
            category,
            summary,
            amount,
            party,
            link,
        )

    def _subsidy(self, number: int, row: tuple) -> tuple:
        village, item, month, name, id_number, amount, paid_on, account = row
        seal = self.cipher
        return (
            self.batch(village, None),
            village,
            number,
            True,
            False,
            item,
            month,
            name,
            seal.lookup_hash(id_number),
            seal.encrypt(id_number),
            seal.public_ref(id_number),
            amount,
            paid_on,
            seal.lookup_hash(account) if account else None,
            seal.encrypt(account) if account else None,
        )

    def chunks(self):
        make = self._ledger if self.kind == "ledger" else self._subsidy
        while chunk := [make(number, row) for number, row in islice(self.source, CHUNK)]:
            yield chunk

    def batch_rows(self) -> list[tuple]:
        now = datetime.now(UTC)
        return [
            (ident, village, self.kind, period, "published", False, "", "baseline", 0, now, "", now)
            for (village, period), ident in self.batches.items()
        ]


def _insert_sql(table: str, columns: tuple[str, ...], mark: str) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"


def run_sqlite(path: str, rows: Rows) -> float:
    import sqlite3

    def plain(value):
        # What SQLAlchemy stores on SQLite: ISO dates and datetimes, Decimal as its text.
        return (
            value.isoformat(" ")
            if isinstance(value, datetime)
            else (
                value.isoformat()
                if hasattr(value, "isoformat")
                else str(value)
                if hasattr(value, "quantize")
                else value
            )
        )

    connection = sqlite3.connect(path)
    # The app's connection pragmas (core/security.py).
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA journal_mode=WAL")
    rows.number_batches(connection.execute("SELECT coalesce(max(id), 0) FROM disclosure_batches").fetchone()[0])
    batches = [tuple(map(plain, row)) for row in rows.batch_rows()]
    sql = _insert_sql(TABLES[rows.kind], COLUMNS[rows.kind], "?")
    start = time.perf_counter()
    connection.executemany(_insert_sql("disclosure_batches", BATCH_COLUMNS, "?"), batches)
    clock = time.perf_counter() - start
    for chunk in rows.chunks():
        chunk = [tuple(map(plain, row)) for row in chunk]
        start = time.perf_counter()
        connection.executemany(sql, chunk)
        clock += time.perf_counter() - start
    start = time.perf_counter()
    connection.commit()
    clock += time.perf_counter() - start
    connection.close()
    return clock


def run_postgres(uri: str, rows: Rows) -> float:
    import psycopg

    url = make_url(uri).set(drivername="postgresql")
    clock = 0.0
    with psycopg.connect(url.render_as_string(hide_password=False)) as connection:
        cursor = connection.cursor()
        rows.number_batches(cursor.execute("SELECT coalesce(max(id), 0) FROM disclosure_batches").fetchone()[0])
        batches = rows.batch_rows()
        copy_sql = f"COPY {TABLES[rows.kind]} ({', '.join(COLUMNS[rows.kind])}) FROM STDIN"
        start = time.perf_counter()
        with cursor.copy(f"COPY disclosure_batches ({', '.join(BATCH_COLUMNS)}) FROM STDIN") as copy:
            for row in batches:
                copy.write_row(row)
        clock += time.perf_counter() - start
        for chunk in rows.chunks():
            start = time.perf_counter()
            with cursor.copy(copy_sql) as copy:
                for row in chunk:
                    copy.write_row(row)
            clock += time.perf_counter() - start
        start = time.perf_counter()
        connection.commit()
        clock += time.perf_counter() - start
    return clock


def main(kind: str, uri: str, total: int, village_count: int) -> None:
    rows = Rows(kind, total, village_count)
    if uri.startswith("sqlite"):
        seconds = run_sqlite(make_url(uri).database, rows)
    else:
        seconds = run_postgres(uri, rows)
    print(json.dumps({"seconds": seconds, "rows": total}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
