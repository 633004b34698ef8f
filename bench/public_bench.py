"""Public pages under load: village page and a month's ledger against hello world, side by side.

    .venv/bin/python bench/public_bench.py [--db sqlite|postgresql|both] [--small]

Needs wrk (Debian: `apt-get install -y wrk`). For each backend: a throwaway database, migrated
and bulk-loaded (10^6 ledger + 10^6 subsidy rows; --small: 20,000 each, short runs); then
gunicorn (the same sync-worker config for every route, loopback, a free port) in three modes —
the default (server-side page cache, village state remembered 1 s), the state queried on every
request, and no page cache (every GET a full render) — and wrk -c16 -t2 against hello world,
the village page and a month's ledger page (plain GET, and with If-None-Match as a revisiting
phone sends it). Every wrk run sends Accept-Encoding: gzip, as phones do. Then the 我的补贴
lookup's server time over 200 calls through the test client. Prints a Markdown table for
bench/README.md (the lookup's plan line goes in a file under bench/plans/); the database is dropped
at the end.
"""

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import public_data  # noqa: E402
from machine import cpu_model  # noqa: E402
from core.assets.build import build  # noqa: E402

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
WRK_INSTALL = "wrk is not installed: `apt-get install -y wrk` (Debian package), then run again."
# (label, page cache entries, seconds the village's state is remembered); the first is the default.
MODES = [
    ("page cache, state memo 1 s", 256, 1),
    ("page cache, state query per request", 256, 0),
    ("no page cache: full render", 0, 1),
]


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit(WRK_INSTALL)
    shape = (
        public_data.Shape(
            ledger_rows=20_000, subsidy_rows=20_000, villages=4, subsidy_months=24, people_per_village=200
        )
        if args.small
        else public_data.Shape()
    )
    print(machine(), file=sys.stderr)
    tables = []
    for backend in ["sqlite", "postgresql"] if args.db == "both" else [args.db]:
        tables.append(run_backend(backend, shape, args))
    print("\n".join(tables))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--small", action="store_true", help="20,000 rows each and 3 s runs: a quick check")
    parser.add_argument("--duration", type=int, help="seconds per wrk run (default 10, --small 3)")
    parser.add_argument("--rounds", type=int, help="hello-world/route pairs per route (default 3, --small 1)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (README: 2 × cores)")
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_POSTGRES", SERVER),
        help="PostgreSQL server URL for the throwaway database",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    args = parser.parse_args()
    args.duration = args.duration or (3 if args.small else 10)
    args.rounds = args.rounds or (1 if args.small else 3)
    return args


def machine() -> str:
    return f"{date.today()} · {os.cpu_count()} CPUs · {cpu_model()} · Python {platform.python_version()}"


def run_backend(backend: str, shape, args) -> str:
    workdir = Path(tempfile.mkdtemp(prefix="public_bench_"))
    uri = public_data.create_database(backend, workdir, args.server)
    try:
        build(ROOT / "static", workdir / "static")  # as `flask static build` does before serving
        public_data.migrate(uri, workdir)
        loaded = public_data.load(uri, shape, date.today())
        log(f"{backend}: loaded {loaded.counts} in {loaded.seconds:.0f} s")
        village = loaded.villages[0]
        # A whole month (150 rows; the page shows the first 100): the month before the current one.
        pages = {"village page": f"/r/{village}", "ledger month": f"/r/{village}/ledger?month={loaded.months[-2]}"}
        rows = []
        for mode in MODES:
            rows += measure_server(uri, workdir, pages, mode, args)
        lookup = time_lookup(uri, workdir, loaded.people)
        return table(backend, loaded, rows, lookup, args)
    finally:
        if args.keep:
            log(f"kept {uri}")
        else:
            public_data.drop_database(uri, args.server)
            shutil.rmtree(workdir, ignore_errors=True)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# Gunicorn and wrk -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(uri: str, workdir: Path, mode: tuple, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(
        os.environ,
        BENCH_DATABASE_URI=uri,
        BENCH_WORKDIR=str(workdir),
        BENCH_PAGE_CACHE_ENTRIES=str(mode[1]),
        BENCH_STATE_SECONDS=str(mode[2]),
    )
    return serve(["-w", str(workers), "public_app:app"], port, env)


def serve(options: list[str], port: int, env: dict) -> tuple[subprocess.Popen, str]:
    """Start gunicorn on 127.0.0.1:port with these options and wait (20 s at most) for /bench/hello."""
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-b",
        f"127.0.0.1:{port}",
        "--chdir",
        str(HERE),
        "--log-level",
        "warning",
        *options,
    ]
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/bench/hello", timeout=2).close()
            return process, base
        except OSError:
            if process.poll() is not None:
                sys.exit("gunicorn did not start")
            time.sleep(0.2)
    process.terminate()
    sys.exit("gunicorn did not answer within 20 s")


def fetch(url: str, **headers) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip", **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def wrk(url: str, seconds: int, connections: int, headers: dict) -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(HERE / "public_wrk.lua"),
        "-H",
        "Accept-Encoding: gzip",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    result = json.loads(output.strip().splitlines()[-1])
    if result["socket_errors"] or result["status_errors"]:
        log(f"  errors in {url}: {result}")
    return result


def measure_server(uri: str, workdir: Path, pages: dict, config: tuple, args) -> list[dict]:
    """Each route measured right after hello world, pair by pair, for args.rounds rounds: the
    machine's other load hits both alike, and the medians of the pairs' ratios are reported."""
    process, base = start_gunicorn(uri, workdir, config, args.workers)
    mode, cache = config[0], config[1]
    try:
        hello = base + "/bench/hello"
        targets = []
        for name, path in pages.items():
            status, headers = fetch(base + path)
            assert status == 200 and "ETag" in headers, (path, status)
            conditional = {"If-None-Match": headers["ETag"]}
            assert fetch(base + path, **conditional)[0] == 304, path
            targets.append((f"{name}, GET", path, {}))
            if cache:  # the 304 path renders nothing, so the page cache is irrelevant to it
                targets.append((f"{name}, If-None-Match → 304", path, conditional))
        for url, headers in [(hello, {})] + [(base + path, headers) for _, path, headers in targets]:
            wrk(url, max(1, args.duration // 4), args.connections, headers)  # warm-up
        pairs = {name: [] for name, _, _ in targets}
        for _ in range(args.rounds):
            for name, path, headers in targets:
                pairs[name].append(
                    (
                        wrk(hello, args.duration, args.connections, {}),
                        wrk(base + path, args.duration, args.connections, headers),
                    )
                )
        rows = [summary(mode, name, runs) for name, runs in pairs.items()]
        for row in rows:
            log(
                f"  {mode:36} {row['route']:36} {row['rps']:8.1f} req/s {row['ratio']:5.0%}  p95 {row['p95_ms']:.1f} ms"
            )
        return rows
    finally:
        process.terminate()
        process.wait(timeout=30)


def summary(mode: str, route: str, runs: list[tuple[dict, dict]]) -> dict:
    median = statistics.median
    return {
        "mode": mode,
        "route": route,
        "hello_rps": median(h["rps"] for h, _ in runs),
        "rps": median(r["rps"] for _, r in runs),
        "ratio": median(r["rps"] / h["rps"] for h, r in runs),
        "p50_ms": median(r["p50_ms"] for _, r in runs),
        "p95_ms": median(r["p95_ms"] for _, r in runs),
        "hello_p95_ms": median(h["p95_ms"] for h, _ in runs),
    }


# 我的补贴 ---------------------------------------------------------------------------------------


def time_lookup(uri: str, workdir: Path, people: list[tuple[str, str]]) -> dict:
    """Server time of 200 lookups that find payments and 200 that find none (test client)."""
    from app import create_app
    from core.extensions import db

    config = public_data.app_config(uri, workdir) | {"RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False}
    app = create_app(config)
    client = app.test_client()
    timings = {"found": [], "not found": []}
    with app.app_context():
        for name, number in people[:20]:  # warm-up
            client.post("/lookup", data={"name": name, "id_number": number}).close()
        for name, number in people:
            for label, asked in (("found", name), ("not found", name + "某")):
                start = time.perf_counter()
                response = client.post("/lookup", data={"name": asked, "id_number": number})
                timings[label].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200 and ("未查到" in response.text) == (label == "not found")
                response.close()
        plan = explain_lookup(db, uri)
        db.engine.dispose()
    return {label: percentiles(values) for label, values in timings.items()} | {"plan": plan}


def explain_lookup(db, uri: str) -> str:
    from sqlalchemy import text

    where = "WHERE id_hash = :h AND name = :n AND published AND superseded_by_batch_id IS NULL"
    prefix = "EXPLAIN QUERY PLAN" if uri.startswith("sqlite") else "EXPLAIN"
    rows = db.session.execute(
        text(f"{prefix} SELECT id FROM subsidy_payments {where}"), {"h": "0" * 64, "n": "某"}
    ).all()
    steps = [str(row[-1]).strip() for row in rows]
    return " / ".join(step for step in steps if "INDEX" in step.upper()) or " / ".join(steps)


def percentiles(values: list[float]) -> dict:
    cuts = statistics.quantiles(values, n=100)
    return {"calls": len(values), "p50_ms": round(cuts[49], 2), "p95_ms": round(cuts[94], 2)}


# Report -----------------------------------------------------------------------------------------


def table(backend: str, loaded, rows: list[dict], lookup: dict, args) -> str:
    lines = [
        f"### {backend}: {loaded.counts['ledger_entries']:,} ledger rows, "
        f"{loaded.counts['subsidy_payments']:,} subsidy rows, {len(loaded.villages)} villages",
        "",
        f"gunicorn -w {args.workers} (sync), wrk -t2 -c{args.connections} -d{args.duration}s, "
        f"Accept-Encoding: gzip; medians of {args.rounds} rounds, each route right after hello world.",
        "",
        "| server | route | req/s | hello world req/s | ratio | p50 ms | p95 ms |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['mode']} | {row['route']} | {row['rps']:,.0f} | {row['hello_rps']:,.0f} | "
            f"{row['ratio']:.0%} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} |"
        )
    lines += ["", "| 我的补贴 lookup (test client, server time) | calls | p50 ms | p95 ms |", "|---|---:|---:|---:|"]
    for label in ("found", "not found"):
        found = lookup[label]
        lines.append(f"| {label} | {found['calls']} | {found['p50_ms']} | {found['p95_ms']} |")
    lines += ["", f"Lookup plan: `{lookup['plan']}`", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
