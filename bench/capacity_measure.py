"""The figures docs/capacity.md extrapolates from: bytes per row and per index on PostgreSQL, WAL
per imported row and per filing, CPU per request of each kind, and the backup's speed.

    .venv/bin/python bench/capacity_measure.py                # 13–18 minutes on a busy 2-core machine
    .venv/bin/python bench/capacity_measure.py --ledger 20000 --subsidies 20000 --cases 2000 --requests 50
    # --server URL (a shared server: its WAL figures then include the neighbours'), --keep

PostgreSQL only, on a cluster of its own by default (initdb under /tmp with Debian's binaries, as
bench/faults/ does), because WAL positions count every database of a cluster.

A throwaway database, migrated with Alembic (the production indexes), filled by
the benches' own generators: published ledger and subsidy rows (bench/public_data.py, COPY, ID
numbers sealed by the real FieldCipher), cases with clocks, events, referrals
(bench/queue_bench.py's INSERT … SELECT), plus audit entries and attachment rows written here in
the shapes the app writes. Then, after VACUUM ANALYZE:

- **bytes per row**: heap (pg_relation_size + TOAST) and indexes (pg_indexes_size) of each large
  table divided by its rows, and the mean pg_column_size of a row;
- **WAL**: pg_current_wal_lsn() around the bulk load (per row), and around filings made by the real
  `file_complaint` in this process, once right after a CHECKPOINT (each page's first change writes
  the whole page) and once more straight after (steady state);
- **CPU per request**: one gunicorn sync worker (bench/filing_app.py: the product plus the filing
  bench's loosened brakes) asked one request at a time; the worker's CPU and that of this
  database's server backends, from /proc, divided by the requests. CPU time, not req/s, so the
  neighbours' load on a shared machine changes it little. Modes as in the public bench: the default
  (state remembered 1 s, page cache on), the state queried per request, the page cache off;
- **backup**: `flask backup` of the whole database, its wall time and archive size.

Prints a Markdown report for bench/README.md ("Capacity inputs").
"""

import argparse
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE), str(HERE / "faults")]

import public_data  # noqa: E402
from filing_bench import _phone  # noqa: E402
from public_bench import free_port, log, machine, serve  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

TABLES = (
    "ledger_entries",
    "subsidy_payments",
    "disclosure_batches",
    "chain_entries",
    "complaints",
    "case_clocks",
    "case_events",
    "referrals",
    "complaint_attachments",
    "audit_entries",
)

# Audit entries as record_audit writes them: a staff action, its target and a small JSON detail.
AUDIT = """
INSERT INTO audit_entries (at, actor_id, actor_name, action, target_type, target_id, detail, address)
SELECT timestamptz '2026-11-25 10:00:00+08' - make_interval(mins => g % 525600),
       (SELECT min(id) FROM users), '乡镇经办人',
       (ARRAY['case.assign','case.reply','case.close','disclosure.publish','disclosure.upload','user.login'])[1 + g % 6],
       (ARRAY['complaint','complaint','complaint','batch','batch','user'])[1 + g % 6],
       (g % 200000)::text,
       '{"village": "629901101201", "kind": "ledger", "period": "2026-10", "rows": ' || (g % 150) || '}',
       '10.12.' || (g % 250) || '.' || (g % 200)
FROM generate_series(1, :rows) AS g
"""

# One photo row for every fifth case, as a filing with a photo stores it (the file lives in storage).
ATTACHMENTS = """
INSERT INTO complaint_attachments (token, complaint_id, kind, stored_name, content_type, size, created_at)
SELECT md5(c.id::text), c.id, 'image', md5(c.id::text || 'f') || '.jpg', 'image/jpeg', 114000 + c.id % 50000,
       c.received_at
FROM complaints c WHERE c.id % 5 = 0
"""


def main() -> None:
    args = parse_args()
    log(machine())
    started = time.perf_counter()
    cluster = None
    if not args.server:
        # WAL positions are the whole cluster's: on a shared server the neighbours' writes would count.
        from rig import Postgres

        cluster = Postgres()
        args.server = cluster.server
    workdir = Path(tempfile.mkdtemp(prefix="capacity_"))
    uri = public_data.create_database("postgresql", workdir, args.server)
    report = [f"Run of {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC · {machine()} · load average {load()}"]
    try:
        public_data.migrate(uri, workdir)
        shape = public_data.Shape(
            ledger_rows=args.ledger,
            subsidy_rows=args.subsidies,
            villages=args.villages,
            subsidy_months=24,
            people_per_village=200,
        )
        before = lsn(uri)
        loaded = public_data.load(uri, shape, date(2026, 11, 25))
        load_wal = lsn(uri) - before
        rows_loaded = sum(loaded.counts.values())
        log(f"loaded {loaded.counts} in {loaded.seconds:.0f} s; WAL {load_wal / 1e6:.1f} MB")
        app = product_app(uri, workdir)
        cases = seed_cases(app, args)
        sizes = table_sizes(uri)
        filing = wal_per_filing(app, uri, args.filings)
        requests = request_costs(uri, workdir, loaded, args)
        backup = time_backup(uri, workdir)
        report += render(loaded, rows_loaded, load_wal, cases, sizes, filing, requests, backup, args)
        report += demo_sizes(workdir, args)
        report += sample_rates()
    finally:
        if args.keep:
            log(f"kept {uri}")
        else:
            public_data.drop_database(uri, args.server)
            shutil.rmtree(workdir, ignore_errors=True)  # the backup archive, page caches
        if cluster:
            cluster.close()
    report.append(f"\nWhole run {time.perf_counter() - started:.0f} s; load average at the end {load()}.")
    print("\n".join(report))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--server", default="", help="a PostgreSQL server URL; default: a cluster of its own (bench/faults/rig.py)"
    )
    parser.add_argument("--ledger", type=int, default=300_000)
    parser.add_argument("--subsidies", type=int, default=300_000)
    parser.add_argument("--villages", type=int, default=100)
    parser.add_argument("--cases", type=int, default=30_000)
    parser.add_argument("--events-per-case", type=int, default=10)
    parser.add_argument("--audit", type=int, default=300_000)
    parser.add_argument("--filings", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def load() -> str:
    return " / ".join(Path("/proc/loadavg").read_text().split()[:3])


def sql(uri: str, statement: str, **params):
    engine = create_engine(uri, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            result = connection.execute(text(statement), params)
            return result.all() if result.returns_rows else None
    finally:
        engine.dispose()


def lsn(uri: str) -> int:
    return sql(uri, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")[0][0]


def product_app(uri: str, workdir: Path):
    from app import create_app

    config = public_data.app_config(uri, workdir)
    # A cheap hash method (the bench's users never sign in), not a secret.
    config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"  # pragma: allowlist secret
    return create_app(config)


# Rows --------------------------------------------------------------------------------------------


def seed_cases(app, args) -> dict:
    import queue_bench

    from core.extensions import db

    with app.app_context():
        counts = queue_bench.seed(db, args.cases, args.events_per_case)
        connection = db.session.connection()
        connection.execute(text(AUDIT), {"rows": args.audit})
        connection.execute(text(ATTACHMENTS))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
            autocommit.execute(text("VACUUM ANALYZE"))
        db.session.remove()
        db.engine.dispose()
    log(f"cases: {counts}")
    return counts


def table_sizes(uri: str) -> list[dict]:
    found = []
    for table in TABLES:
        (rows, heap, toast, indexes, total, mean_row, indexes_n) = sql(
            uri,
            f"""SELECT (SELECT count(*) FROM {table}),
                       pg_relation_size('{table}'),
                       pg_total_relation_size('{table}') - pg_relation_size('{table}') - pg_indexes_size('{table}'),
                       pg_indexes_size('{table}'), pg_total_relation_size('{table}'),
                       (SELECT avg(pg_column_size(t.*)) FROM {table} AS t),
                       (SELECT count(*) FROM pg_indexes WHERE tablename = '{table}')""",
        )[0]
        found.append(
            {
                "table": table,
                "rows": rows,
                "heap": heap + toast,
                "indexes": indexes,
                "total": total,
                "mean_row": float(mean_row or 0),
                "index_count": indexes_n,
            }
        )
    return found


def wal_per_filing(app, uri: str, count: int) -> dict:
    """WAL bytes and this process's CPU per filing by the real service, cold and warm."""
    from sqlalchemy import select

    from complaints.models import Category, Channel
    from complaints.services import file_complaint
    from core.extensions import db
    from core.regions.models import Level, Region

    result = {}
    with app.app_context():
        villages = db.session.scalars(select(Region).where(Region.level == Level.VILLAGE.value).limit(50)).all()
        for phase in ("after a checkpoint", "steady"):
            if phase == "after a checkpoint":
                sql(uri, "CHECKPOINT")
            before, cpu = lsn(uri), time.process_time()
            for n in range(count):
                file_complaint(
                    village=villages[n % len(villages)],
                    category=Category.FUNDS,
                    text=f"村道维修款去向不明，请核查。容量测算第{n}号",
                    channel=Channel.WEB,
                    identity=None,
                    idempotency_key=uuid.uuid4().hex,
                )
            result[phase] = {
                "wal": (lsn(uri) - before) / count,
                "cpu_ms": (time.process_time() - cpu) * 1000 / count,
            }
        db.session.remove()
        db.engine.dispose()
    log(f"filing WAL: {result}")
    return result


# CPU per request ---------------------------------------------------------------------------------

MODES = (
    ("default (state memo 1 s, page cache on)", "256", "1"),
    ("state queried per request", "256", "0"),
    ("page cache off (full render)", "0", "1"),
)


def request_costs(uri: str, workdir: Path, loaded, args) -> list[dict]:
    from replica_bench import open_tracking_page

    tracking_cookie = open_tracking_page(uri, workdir)
    village = loaded.villages[0]
    pages = {
        "hello world (floor)": ("/bench/hello", {}),
        "village page": (f"/r/{village}", {"Accept-Encoding": "gzip"}),
        "ledger month (150 rows)": (f"/r/{village}/ledger?month={loaded.months[-2]}", {"Accept-Encoding": "gzip"}),
        "village page, 304": (f"/r/{village}", {"Accept-Encoding": "gzip"}),
    }
    rows = []
    for mode, entries, state in MODES:
        env = dict(
            os.environ,
            BENCH_DATABASE_URI=uri,
            BENCH_WORKDIR=str(workdir),
            BENCH_PAGE_CACHE_ENTRIES=entries,
            BENCH_STATE_SECONDS=state,
            RATELIMIT_STORAGE_URI="memory://",
            PORTAL_PAGE_CACHE_DIR=str(workdir / f"cache-{entries}-{state}"),
        )
        process, base = serve(["-w", "1", "filing_app:app"], free_port(), env)
        try:
            worker = next(pid for pid in children(process.pid))
            chosen = pages if mode.startswith("default") else {k: v for k, v in pages.items() if "hello" not in k}
            for name, (path, headers) in chosen.items():
                if name.endswith("304"):
                    headers = headers | {"If-None-Match": etag(base, path, headers)}
                count = args.requests if "off" not in mode else max(args.requests // 5, 20)
                rows.append({"mode": mode, "request": name} | measure(uri, base, worker, count, path, headers))
            if mode.startswith("default"):
                rows.append(
                    {"mode": mode, "request": "tracking page (signed in to a case)"}
                    | measure(uri, base, worker, args.requests, "/track/case", {"Cookie": tracking_cookie})
                )
                rows.append(
                    {"mode": mode, "request": "filing: form GET + POST"}
                    | measure_filing(uri, base, worker, loaded, args)
                )
        finally:
            process.terminate()
            process.wait()
    return rows


def children(master: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            found.append(int(stat.parent.name))
    return found


def cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backends(uri: str) -> dict[int, float]:
    """CPU seconds so far of this database's server processes (not this query's own)."""
    from sqlalchemy.engine import make_url

    name = make_url(uri).database
    pids = sql(uri, "SELECT pid FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()", name=name)
    return {pid: cpu(pid) for (pid,) in pids}


def request(base: str, path: str, headers: dict, method: str = "GET") -> int:
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=60)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def etag(base: str, path: str, headers: dict) -> str:
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.getheader("ETag") or ""
    finally:
        connection.close()


def measure(uri: str, base: str, worker: int, count: int, path: str, headers: dict) -> dict:
    statuses = {request(base, path, headers) for _ in range(5)}  # warm-up: connections, memo, cache
    return _timed(uri, worker, count, lambda: request(base, path, headers), statuses)


def measure_filing(uri: str, base: str, worker: int, loaded, args) -> dict:
    villages = loaded.villages
    for n in range(3):
        _phone(base, villages[n % len(villages)])
    count = max(args.requests // 4, 20)
    calls = iter(range(count))

    def one() -> int:
        outcome = _phone(base, villages[next(calls) % len(villages)])
        return 200 if "code" in outcome else 500

    return _timed(uri, worker, count, one, set())


def _timed(uri: str, worker: int, count: int, call, statuses: set) -> dict:
    db_before, worker_before, wall = backends(uri), cpu(worker), time.perf_counter()
    for _ in range(count):
        statuses.add(call())
    wall = time.perf_counter() - wall
    worker_ms = (cpu(worker) - worker_before) * 1000 / count
    db_after = backends(uri)
    db_ms = sum(seconds - db_before.get(pid, 0.0) for pid, seconds in db_after.items()) * 1000 / count
    return {
        "count": count,
        "worker_ms": worker_ms,
        "db_ms": db_ms,
        "wall_ms": wall * 1000 / count,
        "statuses": sorted(statuses),
    }


# Backup ------------------------------------------------------------------------------------------


def time_backup(uri: str, workdir: Path) -> dict:
    out = workdir / "backup.tar"
    env = dict(
        os.environ,
        DATABASE_URL=uri,
        UPLOAD_DIR=str(workdir / "uploads"),
        **public_data.SECRETS,
    )
    size = sql(uri, "SELECT pg_database_size(current_database())")[0][0]
    started = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "app", "backup", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        log(f"backup failed: {done.stderr[-2000:]}")
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return {"database": size, "archive": out.stat().st_size, "seconds": seconds}


# The demo county: rows written by the product's own services ------------------------------------


def demo_sizes(workdir: Path, args) -> list[str]:
    """`flask demo` into a second throwaway database: the same tables' bytes per row when the rows
    come from the real importers, publication, filings and staff actions (chain entries and audit
    entries included), at a county's small size."""
    uri = public_data.create_database("postgresql", workdir, args.server)
    try:
        env = dict(os.environ, DATABASE_URL=uri, UPLOAD_DIR=str(workdir / "demo-uploads"), **public_data.SECRETS)
        flask = str(Path(sys.executable).parent / "flask")
        for command in (["db", "upgrade"], ["demo"]):
            subprocess.run([flask, "--app", "app", *command], cwd=ROOT, env=env, check=True, capture_output=True)
        sql(uri, "VACUUM ANALYZE")
        sizes = table_sizes(uri)
    finally:
        public_data.drop_database(uri, args.server)
    lines = [
        "",
        "`flask demo` (rows written by the product's services; tables under 1,000 rows left out, their pages "
        "dominate):",
        "",
        "| table | rows | heap+TOAST B/row | indexes B/row | total B/row | mean pg_column_size |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in sizes:
        if row["rows"] >= 1000:
            n = row["rows"]
            lines.append(
                f"| {row['table']} | {n:,} | {row['heap'] / n:,.0f} | {row['indexes'] / n:,.0f} | "
                f"{row['total'] / n:,.0f} | {row['mean_row']:,.0f} |"
            )
    return lines


def sample_rates() -> list[str]:
    """Published rows a village a year in the repository's sample township (data/sample/)."""
    import csv

    lines = ["", "Sample township (data/sample/): rows a village a year", ""]
    for name, month_column in (
        ("ledger", "日期"),
        ("subsidies", "发放年月"),
        ("projects", "更新日期"),
        ("contracts", "起始日期"),
    ):
        with open(ROOT / "data" / "sample" / f"{name}.csv", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        villages = {row["村代码"] for row in rows}
        months = {row[month_column][:7] for row in rows}
        span = 22  # the sample's ledger and rosters run January 2025 – October 2026
        lines.append(
            f"- {name}: {len(rows):,} rows, {len(villages)} villages, dated over {len(months)} months → "
            f"{len(rows) / len(villages) / span * 12:,.0f} a village a year (over the sample's {span} months)"
        )
    return lines


# Report ------------------------------------------------------------------------------------------


def render(loaded, rows_loaded, load_wal, cases, sizes, filing, requests, backup, args) -> list[str]:
    lines = [
        f"Rows: {loaded.counts['ledger_entries']:,} ledger and {loaded.counts['subsidy_payments']:,} subsidy rows in "
        f"{args.villages} villages (COPY, {loaded.seconds:.0f} s); {cases.get('complaints', 0):,} cases with "
        f"{cases.get('case_events', 0):,} events, {cases.get('case_clocks', 0):,} clocks; {args.audit:,} audit entries.",
        "",
        "| table | rows | heap+TOAST B/row | indexes B/row | indexes | total B/row | mean pg_column_size |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in sizes:
        n = max(row["rows"], 1)
        lines.append(
            f"| {row['table']} | {row['rows']:,} | {row['heap'] / n:,.0f} | {row['indexes'] / n:,.0f} | "
            f"{row['index_count']} | {row['total'] / n:,.0f} | {row['mean_row']:,.0f} |"
        )
    lines += [
        "",
        f"WAL of the bulk load (COPY + VACUUM ANALYZE): {load_wal / 1e6:,.1f} MB for {rows_loaded:,} rows = "
        f"{load_wal / rows_loaded:,.0f} B/row.",
        "",
        "| filing by `file_complaint` in-process | WAL per filing | CPU per filing (this process) |",
        "|---|---:|---:|",
    ]
    for phase, figures in filing.items():
        lines.append(f"| {args.filings} filings, {phase} | {figures['wal']:,.0f} B | {figures['cpu_ms']:.1f} ms |")
    lines += [
        "",
        "| mode | request | n | worker CPU ms | PostgreSQL CPU ms | wall ms (one at a time) | statuses |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for row in requests:
        lines.append(
            f"| {row['mode']} | {row['request']} | {row['count']} | {row['worker_ms']:.1f} | {row['db_ms']:.1f} | "
            f"{row['wall_ms']:.1f} | {', '.join(map(str, row['statuses']))} |"
        )
    lines.append("")
    if "error" in backup:
        lines.append(f"Backup: failed ({backup['error']}).")
    else:
        lines.append(
            f"Backup (`flask backup`): database {backup['database'] / 1e6:,.0f} MB → archive "
            f"{backup['archive'] / 1e6:,.0f} MB in {backup['seconds']:.1f} s = "
            f"{backup['database'] / 1e6 / backup['seconds']:,.0f} MB/s of database."
        )
    return lines


if __name__ == "__main__":
    main()
