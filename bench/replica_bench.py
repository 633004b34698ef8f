"""Reads on a streaming replica against the primary, in one run, and reads failing over when the
replica stops.

    .venv/bin/python bench/replica_bench.py [--seconds 5] [--rounds 3] [--clients 8] [--workers 2] [--full]

Makes its own primary and replica with bin/replica (Debian's PostgreSQL, run as postgres when
root) under a temporary folder on two free ports, migrates and loads the public bench's data
(bench/public_data.py; --small shape unless --full), files a complaint and opens its tracking page
in a browser session, then serves bench/public_app.py under gunicorn with DATABASE_REPLICA_URL
set. Each page is measured in alternating pairs: without cookies (the replica) and with the
`rw=1` cookie a browser carries after a write (the primary), the same server and the same
second; the page cache is off and the village's state is queried on every request, so that each
request reads the database. pg_stat_database's transaction counts on each server show where
the reads went. Then, under load on the village page, the replica is stopped (pg_ctl -m fast):
the errors and the longest request around the stop are the failover's cost. Prints a Markdown
table for bench/README.md; the pair is stopped and removed at the end.

The load comes from Python threads on the same 2 CPUs (no wrk here): the figures compare the two
databases with each other, not with public_bench.py's.
"""

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import public_data  # noqa: E402
from public_bench import free_port, log, machine, serve  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from core.assets.build import build  # noqa: E402

SCRIPT = ROOT / "bin" / "replica"
SERVER = "postgresql+psycopg://postgres@127.0.0.1:{}/{}"
SMALL = public_data.Shape(
    ledger_rows=20_000, subsidy_rows=20_000, villages=4, subsidy_months=24, people_per_village=200
)


def main() -> None:
    args = parse_args()
    log(machine())
    folder = Path(tempfile.mkdtemp(prefix="replica_bench_"))
    os.chmod(folder, 0o755)  # the servers run as postgres
    pair = folder / "pair"
    ports = free_port(), free_port()
    started = time.perf_counter()
    subprocess.run(
        [SCRIPT, "setup", pair],
        check=True,
        capture_output=True,
        env=dict(os.environ, PRIMARY_PORT=str(ports[0]), REPLICA_PORT=str(ports[1])),
    )
    log(f"pair set up in {time.perf_counter() - started:.1f} s on ports {ports}")
    try:
        primary, replica = (SERVER.format(port, "cunwu") for port in ports)
        _sql(SERVER.format(ports[0], "postgres"), "CREATE DATABASE cunwu")
        build(ROOT / "static", folder / "static")
        public_data.migrate(primary, folder)
        loaded = public_data.load(primary, public_data.Shape() if args.full else SMALL, date.today())
        log(f"loaded {loaded.counts} in {loaded.seconds:.0f} s")
        cookie = open_tracking_page(primary, folder)
        wait_caught_up(replica)
        process, base = serve(
            ["-w", str(args.workers), "public_app:app"],
            free_port(),
            dict(
                os.environ,
                BENCH_DATABASE_URI=primary,
                BENCH_WORKDIR=str(folder),
                BENCH_PAGE_CACHE_ENTRIES="0",
                BENCH_STATE_SECONDS="0",
                DATABASE_REPLICA_URL=replica,
                DATABASE_REPLICA_CHECK_SECONDS="2",
            ),
        )
        try:
            pages = {
                "village page": (f"/r/{loaded.villages[0]}", {}),
                "tracking page": ("/track/case", {"Cookie": cookie}),
            }
            rows = [
                measure(base, name, path, headers, (primary, replica), args) for name, (path, headers) in pages.items()
            ]
            failover = stop_under_load(base, pages["village page"][0], pair, args)
        finally:
            process.terminate()
            process.wait(timeout=30)
        print(table(rows, failover, args))
    finally:
        subprocess.run([SCRIPT, "stop", pair], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5, help="length of each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="replica/primary pairs per page")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--full", action="store_true", help="the public bench's full data (10^6 rows each)")
    return parser.parse_args()


def _sql(url: str, sql: str):
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            result = connection.execute(text(sql))
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


def wait_caught_up(replica: str) -> None:
    for _ in range(200):
        if _sql(replica, "SELECT pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()"):
            return
        time.sleep(0.05)
    sys.exit("the replica did not catch up")


def open_tracking_page(primary: str, folder: Path) -> str:
    """File a complaint and open its tracking page as a browser does: the session cookie."""
    from app import create_app
    from complaints.codes import format_secret
    from complaints.models import Category, Channel
    from complaints.services import file_complaint
    from core.extensions import db
    from core.regions.models import Level, Region
    from sqlalchemy import select

    app = create_app(public_data.app_config(primary, folder))
    with app.app_context():
        village = db.session.scalar(select(Region).where(Region.level == Level.VILLAGE.value).limit(1))
        filed = file_complaint(
            village=village, category=Category.FUNDS, text="村道维修款去向不明", channel=Channel.WEB, identity=None
        )
        client = app.test_client()
        page = client.get("/track").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        answer = client.post(
            "/track", data={"csrf_token": token, "code": filed.code, "secret": format_secret(filed.secret)}
        )
        assert answer.status_code == 302, answer.status_code
        session = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
        db.session.remove()
        db.engine.dispose()
    return f"{app.config['SESSION_COOKIE_NAME']}={session}"


# Load ----------------------------------------------------------------------------------------------


def get(base: str, path: str, headers: dict) -> int:
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=30)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip", **headers})
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        connection.close()


def load(base: str, path: str, headers: dict, clients: int, until, record: list) -> None:
    """`clients` threads asking for `path` until until() is true; (start, end, status) each."""

    def run():
        while not until():
            start = time.perf_counter()
            status = get(base, path, headers)
            record.append((start, time.perf_counter(), status))

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def commits(url: str) -> int:
    return _sql(url, "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'cunwu'")


def measure(base: str, name: str, path: str, headers: dict, urls: tuple, args) -> dict:
    assert get(base, path, headers) == 200, (name, path)
    runs = {"replica": [], "primary": []}
    transactions = {"replica": [0, 0], "primary": [0, 0]}  # (on the primary, on the replica)
    for _ in range(args.rounds):
        for target, extra in (
            ("replica", {}),
            ("primary", {"Cookie": "; ".join(filter(None, [headers.get("Cookie"), "rw=1"]))}),
        ):
            before = [commits(url) for url in urls]
            record: list = []
            end = time.perf_counter() + args.seconds
            load(base, path, {**headers, **extra}, args.clients, lambda: time.perf_counter() > end, record)
            time.sleep(1.1)  # the statistics collector flushes about once a second
            after = [commits(url) for url in urls]
            transactions[target] = [t + a - b for t, a, b in zip(transactions[target], after, before)]
            good = [r for r in record if r[2] == 200]
            if len(good) != len(record):
                log(f"  {name} on the {target}: {len(record) - len(good)} errors")
            runs[target].append(len(good) / args.seconds)
            log(f"  {name:14} {target:8} {runs[target][-1]:7.1f} req/s")
    return {
        "page": name,
        **{target: statistics.median(values) for target, values in runs.items()},
        "transactions": transactions,
    }


def stop_under_load(base: str, path: str, pair: Path, args) -> dict:
    record: list = []
    marks: dict = {}

    def stop():
        time.sleep(3)
        marks["stop"] = time.perf_counter()
        subprocess.run([SCRIPT, "stop", pair, "replica"], check=True, capture_output=True)
        marks["stopped"] = time.perf_counter()
        time.sleep(5)
        marks["end"] = time.perf_counter()

    stopper = threading.Thread(target=stop)
    stopper.start()
    # As many clients as workers: a request's time is then its own, not a queue's.
    load(base, path, {}, args.workers, lambda: "end" in marks, record)
    stopper.join()
    before = [r[1] - r[0] for r in record if r[1] < marks["stop"]]
    around = [r[1] - r[0] for r in record if r[1] >= marks["stop"] and r[0] <= marks["stopped"] + 2]
    after = [r for r in record if r[0] > marks["stopped"]]
    result = {
        "errors": sum(r[2] != 200 for r in record),
        "requests": len(record),
        "stop_seconds": marks["stopped"] - marks["stop"],
        "median_before_ms": statistics.median(before) * 1000,
        "longest_around_ms": max(around) * 1000,
        "after_rps": sum(r[2] == 200 for r in after) / (marks["end"] - marks["stopped"]),
    }
    log(f"  failover: {result}")
    return result


def table(rows: list[dict], failover: dict, args) -> str:
    lines = [
        f"{machine()} · {args.workers} gunicorn workers, {args.clients} client threads, "
        f"{args.rounds} × {args.seconds:g} s per figure (median)",
        "",
        "| page (full render, state per request) | replica req/s | primary req/s | transactions on primary · replica while reading the replica | … while reading the primary |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        on_replica, on_primary = row["transactions"]["replica"], row["transactions"]["primary"]
        lines.append(
            f"| {row['page']} | {row['replica']:.1f} | {row['primary']:.1f} | "
            f"{on_replica[0]:,} · {on_replica[1]:,} | {on_primary[0]:,} · {on_primary[1]:,} |"
        )
    lines += [
        "",
        f"Replica stopped under load on the village page ({failover['requests']:,} requests in "
        f"all, {args.workers} clients): **{failover['errors']} errors**; longest request around the stop "
        f"{failover['longest_around_ms']:.0f} ms (median before it {failover['median_before_ms']:.0f} ms; "
        f"`pg_ctl stop -m fast` took {failover['stop_seconds']:.2f} s); afterwards "
        f"{failover['after_rps']:.1f} req/s from the primary.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
