"""The public-pages bench database: a throwaway SQLite file or PostgreSQL database, migrated with
Alembic, then bulk-loaded (sqlite3 executemany / psycopg COPY) with published ledger and subsidy
rows of a few villages, their batches in hash-chain order, and a pool of recipients to look up.

The batches' content_hash is a SHA-256 chain over the batch metadata, not compute_batch_hash
over the rows (that would take longer than the bench): `disclosures verify` would report these
batches, which is fine for a database thrown away at the end.
"""

import hashlib
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

COUNTY, TOWNSHIP = "629950000000", "629950101000"
SECRETS = {
    "SECRET_KEY": "bench-public-secret-key-0123456789",
    "ID_HMAC_KEY": "bench-public-id-hmac-key-0123456789",
    "DATA_ENCRYPTION_KEY": "bench-public-data-encryption-key-0123456789",
    "TRACKING_SECRET_KEY": "bench-public-tracking-key-0123456789",
}
ITEMS = ("最低生活保障金", "耕地地力保护补贴")
CATEGORIES = {
    "income": ("经营收入", "发包及上交收入", "补助收入", "其他收入"),
    "expense": ("管理费用", "公益支出", "其他支出", "经营支出"),
}
SUMMARIES = (
    "购买办公用品",
    "村道维修",
    "水电费",
    "集体经营分红",
    "上级转移支付",
    "干部误工补贴",
    "耕地承包费",
    "路灯维修",
    "垃圾清运费",
    "会议误餐费",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
LEDGER_COLUMNS = (
    "batch_id",
    "village_code",
    "row_number",
    "published",
    "withdrawn",
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
)
SUBSIDY_COLUMNS = (
    "batch_id",
    "village_code",
    "row_number",
    "published",
    "withdrawn",
    "item",
    "month",
    "name",
    "id_hash",
    "id_cipher",
    "public_ref",
    "amount",
    "paid_on",
)
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
    "sequence",
    "prev_hash",
    "content_hash",
)


@dataclass
class Shape:
    """How many rows, villages and months the bench database holds."""

    ledger_rows: int = 1_000_000
    subsidy_rows: int = 1_000_000
    villages: int = 20
    ledger_per_month: int = 150  # a busy village month; the ledger page shows 100 per page
    subsidy_months: int = 120
    people_per_village: int = 1000

    @property
    def ledger_months(self) -> int:
        return -(-self.ledger_rows // (self.villages * self.ledger_per_month))


@dataclass
class Loaded:
    """What the bench needs to know about the loaded data."""

    uri: str
    villages: list[str]
    months: list[str]  # ledger months, oldest first
    people: list[tuple[str, str]] = field(default_factory=list)  # (name, ID number) with payments
    counts: dict = field(default_factory=dict)  # rows per table
    seconds: float = 0.0


def id_number(serial: int) -> str:
    first17 = f"629950{1950 + serial % 50}{1 + serial % 12:02d}{1 + serial % 28:02d}{serial % 1000:03d}"
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS))
    return first17 + "10X98765432"[total % 11]


def month_list(count: int, last: date) -> list[str]:
    """`count` months ending with `last`'s month, oldest first."""
    index = last.year * 12 + last.month - 1
    return [f"{m // 12}-{m % 12 + 1:02d}" for m in range(index - count + 1, index + 1)]


# Throwaway databases ----------------------------------------------------------------------------


def create_database(backend: str, workdir: Path, server: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'public_bench.db'}"
    name = f"bench_public_{uuid.uuid4().hex[:8]}"
    _admin(server, f'CREATE DATABASE "{name}"')
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_database(uri: str, server: str) -> None:
    url = make_url(uri)
    if url.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(url.database + suffix).unlink(missing_ok=True)
    else:
        _admin(server, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


def _admin(server: str, sql: str) -> None:
    engine = create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(sql))
    engine.dispose()


def app_config(uri: str, workdir: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": uri,
        "UPLOAD_DIR": str(workdir / "uploads"),
        "PORTAL_PAGE_CACHE_DIR": str(workdir / "page-cache"),
        "STATIC_BUILD_DIR": str(workdir / "static"),
        "PUBLIC_BASE_URL": "http://bench.test",
        **SECRETS,
    }


def migrate(uri: str, workdir: Path) -> None:
    from flask_migrate import upgrade

    from app import create_app
    from core.extensions import db
    from core.schema_migrations import migrations

    app = create_app(app_config(uri, workdir))
    with app.app_context():
        migrations(app)
        upgrade()
        db.engine.dispose()


# Generated rows -----------------------------------------------------------------------------------


class Generator:
    """Regions, batches in chain order, and the rows of each batch."""

    def __init__(self, shape: Shape, today: date):
        from core.crypto import FieldCipher, keys_from_setting

        self.shape = shape
        self.villages = [f"629950101{201 + n:03d}" for n in range(shape.villages)]
        self.months = month_list(shape.ledger_months, today)
        self.subsidy_months = month_list(min(shape.subsidy_months, len(self.months)), today)
        keys, current = keys_from_setting(SECRETS["DATA_ENCRYPTION_KEY"])
        cipher = FieldCipher("aes", keys, current, hmac_key=SECRETS["ID_HMAC_KEY"])
        rng = random.Random(7)
        self.people = {}  # village → [(name, ID number, hash, cipher, public ref)]
        for v, code in enumerate(self.villages):
            pool = []
            for n in range(shape.people_per_village):
                number = id_number(v * shape.people_per_village + n)
                name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
                pool.append(
                    (name, number, cipher.lookup_hash(number), cipher.encrypt(number), cipher.public_ref(number))
                )
            self.people[code] = pool

    def regions(self) -> list[dict]:
        rows = [
            {"code": COUNTY, "name": "基准县", "level": "county", "parent_code": None},
            {"code": TOWNSHIP, "name": "基准镇", "level": "township", "parent_code": COUNTY},
        ]
        return rows + [
            {"code": code, "name": f"基准{n + 1}村", "level": "village", "parent_code": TOWNSHIP}
            for n, code in enumerate(self.villages)
        ]

    def batches(self) -> list[tuple]:
        """(id, village, kind, period) in publication order: each month's ledger, then its rosters."""
        found, ident = [], 0
        for code in self.villages:
            for month in self.months:
                ident += 1
                found.append((ident, code, "ledger", month))
                if month in self.subsidy_months:
                    ident += 1
                    found.append((ident, code, "subsidies", month))
        return found

    def ledger_rows(self, batch_id: int, code: str, month: str) -> list[tuple]:
        year, number = int(month[:4]), int(month[5:])
        rows = []
        for n in range(self.shape.ledger_per_month):
            direction = "income" if n % 3 == 0 else "expense"
            day = date(year, number, 1 + n % 28)
            amount = Decimal(f"{(n * 7919 + number * 131) % 30000 + 50}.{n % 100:02d}")
            rows.append(
                (
                    batch_id,
                    code,
                    n + 4,
                    True,
                    False,
                    day,
                    month,
                    year,
                    f"记{year}-{n + 1:04d}",
                    direction,
                    CATEGORIES[direction][n % 4],
                    SUMMARIES[n % len(SUMMARIES)],
                    amount,
                    f"青川县{SURNAMES[n % 20]}家商店",
                    "",
                )
            )
        return rows

    def subsidy_rows(self, batch_id: int, code: str, month: str) -> list[tuple]:
        per_item = -(-self.shape.subsidy_rows // (len(self.villages) * len(self.subsidy_months) * len(ITEMS)))
        pool, start = self.people[code], self.subsidy_months.index(month) * per_item
        year, number = int(month[:4]), int(month[5:])
        rows = []
        for i, item in enumerate(ITEMS):
            for n in range(per_item):
                name, _, id_hash, sealed, ref = pool[(start + n + i * 7) % len(pool)]
                rows.append(
                    (
                        batch_id,
                        code,
                        len(rows) + 3,
                        True,
                        False,
                        item,
                        month,
                        name,
                        id_hash,
                        sealed,
                        ref,
                        Decimal("620.00") if i == 0 else Decimal("120.50"),
                        date(year, number, 10),
                    )
                )
        return rows

    def lookup_sample(self, count: int) -> list[tuple[str, str]]:
        rng = random.Random(11)
        return [
            (name, number)
            for name, number, *_ in (rng.choice(self.people[rng.choice(self.villages)]) for _ in range(count))
        ]


def chain(batches: list[tuple], today: date) -> list[tuple]:
    """Batch rows with their per-village sequence and a SHA-256 chain (see module docstring)."""
    now = datetime.combine(today, datetime.min.time(), UTC)
    last: dict[str, tuple[int, str | None]] = {}
    rows = []
    for ident, code, kind, period in batches:
        sequence, prev = last.get(code, (0, None))
        digest = hashlib.sha256(f"{prev}|{code}|{kind}|{period}|{sequence + 1}".encode()).hexdigest()
        rows.append(
            (ident, code, kind, period, "published", False, "", "bench", 0, now, "", now, sequence + 1, prev, digest)
        )
        last[code] = (sequence + 1, digest)
    return rows


# Bulk load -------------------------------------------------------------------------------------


def load(uri: str, shape: Shape, today: date) -> Loaded:
    """Fill the migrated database; returns what the bench needs to address it."""
    import time

    start = time.perf_counter()
    gen = Generator(shape, today)
    batches = gen.batches()
    writer = _SqliteWriter(uri) if uri.startswith("sqlite") else _PostgresWriter(uri)
    counts = {"ledger_entries": 0, "subsidy_payments": 0}
    with writer:
        writer.write(
            "regions",
            ("code", "name", "level", "parent_code", "pinyin", "initials"),
            [(r["code"], r["name"], r["level"], r["parent_code"], "", "") for r in gen.regions()],
        )
        writer.write("disclosure_batches", BATCH_COLUMNS, chain(batches, today))
        for ident, code, kind, period in batches:
            table, columns, rows = (
                ("ledger_entries", LEDGER_COLUMNS, gen.ledger_rows(ident, code, period))
                if kind == "ledger"
                else ("subsidy_payments", SUBSIDY_COLUMNS, gen.subsidy_rows(ident, code, period))
            )
            writer.write(table, columns, rows)
            counts[table] += len(rows)
    loaded = Loaded(uri, gen.villages, gen.months, gen.lookup_sample(200), counts)
    loaded.seconds = time.perf_counter() - start
    return loaded


class _SqliteWriter:
    def __init__(self, uri: str):
        import sqlite3

        self.connection = sqlite3.connect(make_url(uri).database)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=OFF")  # a throwaway file

    def write(self, table: str, columns: tuple, rows: list[tuple]) -> None:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        self.connection.executemany(sql, [tuple(map(_plain, row)) for row in rows])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.connection.commit()
        self.connection.execute("ANALYZE")
        self.connection.close()


def _plain(value):
    # What SQLAlchemy stores on SQLite: ISO dates and datetimes, Decimal as its text.
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if isinstance(value, Decimal) else value


class _PostgresWriter:
    def __init__(self, uri: str):
        import psycopg

        self.url = make_url(uri).set(drivername="postgresql").render_as_string(hide_password=False)
        self.connection = psycopg.connect(self.url)

    def write(self, table: str, columns: tuple, rows: list[tuple]) -> None:
        with self.connection.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        import psycopg

        self.connection.commit()
        self.connection.close()
        # The visibility map lets PostgreSQL answer from indexes alone, as autovacuum would.
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
