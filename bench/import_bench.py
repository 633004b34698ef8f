"""Import bench: the real import path against a bare bulk insert of the same rows.

    .venv/bin/python bench/import_bench.py [--rows-subsidies N --rows-ledger N] [--databases sqlite,postgresql]
                                           [--runs N]

Generates (deterministically, in a temp dir) a subsidy roster .xlsx and a ledger .csv, then for
each database and file: a fresh copy of a migrated, seeded database; the baseline
(import_baseline.py: executemany on SQLite, COPY on PostgreSQL) in one subprocess; and
`flask --app app disclosures import KIND FILE --publish` in another — validate, stage, publish,
one transaction. Each child's peak RSS comes from wait4(); the import's time is the whole
command's wall time (interpreter and app start included), the baseline's only its inserts and
commit. Afterwards the import is checked: every row stored and published, `disclosures verify`
clean. With --runs N each measurement is repeated on a fresh database and the fastest kept (on a
shared machine the others' load only ever adds time). Prints a Markdown table for bench/README.md.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(BENCH), str(REPO)]

import import_data  # noqa: E402
from machine import cpu_model  # noqa: E402
from import_db import SECRETS, PostgresDatabases, SqliteDatabases  # noqa: E402

TARGETS = {"subsidies": 20.0, "ledger": 90.0}  # seconds, at the full sizes (issue 3)
FULL_SIZE = {"subsidies": 100_000, "ledger": 1_000_000}
MEMORY_TARGET_MB = 500
TABLES = {"ledger": "ledger_entries", "subsidies": "subsidy_payments"}


@dataclass
class Run:
    seconds: float
    peak_mb: float
    cpu: float = 0.0  # the child's own CPU seconds (not the database server's)


@dataclass
class Result:
    database: str
    kind: str
    rows: int
    imported: Run
    baseline: Run
    load: float  # 1-minute load average when the import finished (2 CPUs: above 2 is contention)

    def row(self) -> str:
        target = TARGETS[self.kind]
        full = self.rows >= FULL_SIZE[self.kind]
        met = self.imported.seconds <= target and self.imported.peak_mb <= MEMORY_TARGET_MB
        verdict = ("yes" if met else "**no**") if full else "(not full size)"
        return (
            f"| {self.database} | {self.kind} | {self.rows:,} | {self.imported.seconds:.1f} s | "
            f"{self.rows / self.imported.seconds:,.0f} | {self.imported.cpu:.1f} s | "
            f"{self.imported.peak_mb:.0f} MB | {self.baseline.seconds:.2f} s | "
            f"{self.rows / self.baseline.seconds:,.0f} | {self.baseline.peak_mb:.0f} MB | "
            f"{self.imported.seconds / self.baseline.seconds:.1f}× | {self.load:.1f} | "
            f"≤ {target:.0f} s, ≤ {MEMORY_TARGET_MB} MB: {verdict} |"
        )


HEADER = (
    "| database | file | rows | import (wall) | rows/s | import CPU | peak RSS | baseline insert | "
    "rows/s | peak RSS | import / baseline | load | target met |\n"
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
)


# A child forked from this (large) process would inherit its peak RSS across exec: each command
# runs under a small launcher that reports the command's own peak, from wait4(), as its last line.
LAUNCHER = (
    "import json, os, subprocess, sys\n"
    "child = subprocess.Popen(sys.argv[1:])\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "sys.stderr.write('\\n' + json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss,\n"
    "                                       usage.ru_utime + usage.ru_stime]))\n"
)


def measure(command: list[str], env: dict | None = None) -> tuple[float, float, float, str]:
    """Run a command; its wall time, its own peak RSS in MB, its CPU seconds and its stdout."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command], cwd=REPO, env=env, capture_output=True, check=False
    )
    seconds = time.perf_counter() - start
    err = done.stderr.decode()
    head, _, last = err.rpartition("\n")
    code, peak_kb, cpu = json.loads(last)
    if code:
        raise RuntimeError(f"{command[:6]} failed ({code}):\n{head[-3000:]}")
    return seconds, peak_kb / 1024, cpu, done.stdout.decode()


def app_env(uri: str, workdir: Path) -> dict:
    return {
        **os.environ,
        **SECRETS,
        "DATABASE_URL": uri,
        "UPLOAD_DIR": str(workdir / "uploads"),
        "PYTHONPATH": str(REPO),
    }


def flask(*arguments: str) -> list[str]:
    return [str(Path(sys.executable).with_name("flask")), "--app", "app", *arguments]


def check_import(uri: str, workdir: Path, kind: str, rows: int) -> None:
    """Every row stored and published, and the hash chain verifies."""
    from sqlalchemy import create_engine, text

    engine = create_engine(uri)
    with engine.connect() as connection:
        stored, published = connection.execute(
            text(f"SELECT count(*), sum(CASE WHEN published THEN 1 ELSE 0 END) FROM {TABLES[kind]}")
        ).one()
    engine.dispose()
    if (stored, published) != (rows, rows):
        raise RuntimeError(f"{kind}: {stored} rows stored, {published} published, expected {rows}")
    measure(flask("disclosures", "verify"), app_env(uri, workdir))


def run_baseline(databases, kind: str, rows: int, villages: int) -> Run:
    uri = databases.create()
    try:
        _, peak, _, out = measure(
            [sys.executable, str(BENCH / "import_baseline.py"), kind, uri, str(rows), str(villages)]
        )
        return Run(json.loads(out.splitlines()[-1])["seconds"], peak)
    finally:
        databases.drop(uri)


def run_import(databases, kind: str, path: Path, rows: int, workdir: Path, verify: bool) -> Run:
    uri = databases.create()
    try:
        seconds, peak, cpu, out = measure(
            flask("disclosures", "import", kind, str(path), "--publish"), app_env(uri, workdir)
        )
        print(f"    {seconds:.1f} s: {out.strip()[:60]}…", file=sys.stderr)
        if verify:
            check_import(uri, workdir, kind, rows)
        return Run(seconds, peak, cpu)
    finally:
        databases.drop(uri)


def bench_one(
    databases, kind: str, path: Path, rows: int, villages: int, workdir: Path, verify: bool, runs: int
) -> Result:
    """Baseline and import side by side, `runs` times each; the fastest of each kept."""
    baselines, imports = [], []
    for _ in range(runs):
        baselines.append(run_baseline(databases, kind, rows, villages))
        imports.append(run_import(databases, kind, path, rows, workdir, verify))
    fastest = min(imports, key=lambda run: run.seconds)
    fastest.peak_mb = max(run.peak_mb for run in imports)  # memory: the worst run counts
    return Result(databases.name, kind, rows, fastest, min(baselines, key=lambda run: run.seconds), os.getloadavg()[0])


def generate(workdir: Path, rows: dict[str, int], villages: int) -> dict[str, Path]:
    codes = import_data.villages(villages)
    files = {"subsidies": workdir / "补贴发放名册.xlsx", "ledger": workdir / "收支明细.csv"}
    for kind, path in files.items():
        if rows[kind]:
            start = time.perf_counter()
            writer = import_data.write_subsidies_xlsx if kind == "subsidies" else import_data.write_ledger_csv
            writer(path, rows[kind], codes)
            print(
                f"generated {path.name}: {rows[kind]:,} rows, {path.stat().st_size / 2**20:.1f} MB "
                f"in {time.perf_counter() - start:.1f} s",
                file=sys.stderr,
            )
    return files


def machine() -> str:
    return f"{os.cpu_count()} CPU ({cpu_model()}), Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows-subsidies", type=int, default=FULL_SIZE["subsidies"])
    parser.add_argument("--rows-ledger", type=int, default=FULL_SIZE["ledger"])
    parser.add_argument("--villages", type=int, default=200, help="villages the rows are spread over")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432",
        help="server for the throwaway PostgreSQL databases",
    )
    parser.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="skip the row count and hash chain check after each import",
    )
    parser.add_argument("--runs", type=int, default=1, help="repeat each measurement, keep the fastest")
    args = parser.parse_args()
    rows = {"subsidies": args.rows_subsidies, "ledger": args.rows_ledger}
    results = []
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="import-bench-") as temp:
        workdir = Path(temp)
        files = generate(workdir, rows, args.villages)
        # What the app alone takes, for reading the peaks: the same command, without a file.
        _, idle_mb, _, _ = measure(flask("disclosures", "import", "--help"), app_env("sqlite://", workdir))
        for name in args.databases.split(","):
            databases = (
                SqliteDatabases(workdir, args.villages)
                if name == "sqlite"
                else PostgresDatabases(workdir, args.villages, args.postgres)
            )
            try:
                for kind in ("subsidies", "ledger"):
                    if rows[kind]:
                        print(f"{databases.name} {kind} …", file=sys.stderr)
                        results.append(
                            bench_one(
                                databases, kind, files[kind], rows[kind], args.villages, workdir, args.verify, args.runs
                            )
                        )
                        loads.append(results[-1].load)
                        print("  " + results[-1].row(), file=sys.stderr)
            finally:
                databases.close()
    print(
        f"{date.today().isoformat()} — {machine()}; {args.villages} villages; best of {args.runs}; "
        f"1-min load {min(loads):.1f}–{max(loads):.1f}; the app alone peaks at {idle_mb:.0f} MB\n"
    )
    print(HEADER)
    for result in results:
        print(result.row())


if __name__ == "__main__":
    main()
