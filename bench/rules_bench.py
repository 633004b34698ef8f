"""The rules bench: every rule over 10^6 subsidy payments, 10^6 ledger rows and 10^5 roster rows,
on SQLite and PostgreSQL: the first run and a re-run with nothing changed (`flask rules run`, in
its own process: wall time, peak RSS), each rule's time and plan, and the same joins on DuckDB
(a bench-only dependency: pip install duckdb) over the same rows.

    python bench/rules_bench.py [--subsidies N] [--ledger N] [--rosters N] [--villages N]
                                [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--no-sqlite]
"""

import argparse
import csv
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))
from import_bench import app_env, flask, measure  # noqa: E402
from import_db import app_config  # noqa: E402

AS_OF = "2026-11-20"
TABLES = (
    "subsidy_payments",
    "ledger_entries",
    "project_updates",
    "contracts",
    "roster_versions",
    "roster_deceased",
    "roster_public_employees",
    "roster_cadres",
    "roster_standards",
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subsidies", type=int, default=1_000_000)
    parser.add_argument("--ledger", type=int, default=1_000_000)
    parser.add_argument("--rosters", type=int, default=100_000)
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--postgres", default="")
    parser.add_argument("--no-sqlite", action="store_true")
    return parser.parse_args()


def rule_statements(uri: str, workdir: Path):
    """(code, select) of every built-in rule, built in an app context on the bench database."""
    from app import create_app
    from rules.hits import RunContext
    from rules.registry import BUILTIN
    from rules.settings import all_county_params, pairs_table, params_table
    from datetime import date

    app = create_app(app_config(uri, workdir))
    with app.app_context():
        as_of = date.fromisoformat(AS_OF)
        counties = all_county_params()
        context = RunContext(as_of, params_table(counties, as_of), pairs_table(counties))
        return [(rule.code, rule.query(context)) for rule in BUILTIN], app


def compiled(statement, dialect) -> str:
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def plans_and_counts(uri: str, workdir: Path) -> tuple[dict, dict, dict]:
    """Per rule: its plan, its evidence rows, and the seconds a count of them takes here."""
    statements, app = rule_statements(uri, workdir)
    engine = create_engine(uri)
    plans, counts, seconds = {}, {}, {}
    with app.app_context(), engine.connect() as connection:
        dialect = engine.dialect
        for code, statement in statements:
            sql = compiled(statement, dialect)
            explain = "EXPLAIN QUERY PLAN " if dialect.name == "sqlite" else "EXPLAIN "
            plans[code] = "\n".join(
                " | ".join(str(part) for part in row) if dialect.name == "sqlite" else row[0]
                for row in connection.exec_driver_sql(explain + sql)
            )
            started = time.perf_counter()
            counts[code] = connection.exec_driver_sql(f"SELECT count(*) FROM ({sql}) AS hits").scalar()
            seconds[code] = time.perf_counter() - started
    engine.dispose()
    return plans, counts, seconds


def load_duckdb(uri: str, workdir: Path):
    """The rules' input tables, copied from the bench database into an in-memory DuckDB."""
    import duckdb

    from rules.models import RuleHit  # noqa: F401  (every model imported: the metadata is complete)
    from core.extensions import db

    statements, app = rule_statements(uri, workdir)
    duck = duckdb.connect()
    duck.execute("SET integer_division = true")  # `/` on integers as PostgreSQL has it (the rent installments)
    engine = create_engine(uri)
    with app.app_context(), engine.connect() as connection:
        for name in TABLES:
            table = db.metadata.tables[name]
            columns = ", ".join(
                f"{column.name} {column.type.compile(dialect=postgresql.dialect())}" for column in table.columns
            )
            duck.execute(f"CREATE TABLE {name} ({columns})")
            path = workdir / f"{name}.csv"
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow([column.name for column in table.columns])
                result = connection.execution_options(yield_per=50_000).execute(table.select())
                for row in result:
                    writer.writerow(
                        ["true" if value is True else "false" if value is False else value for value in row]
                    )
            duck.execute(f"INSERT INTO {name} SELECT * FROM read_csv('{path}', header=true, all_varchar=true)")
            path.unlink()
    engine.dispose()
    return duck, statements


def duckdb_times(duck, statements) -> tuple[dict, dict]:
    counts, seconds = {}, {}
    for code, statement in statements:
        sql = compiled(statement, postgresql.dialect())
        started = time.perf_counter()
        counts[code] = duck.execute(f"SELECT count(*) FROM ({sql}) AS hits").fetchone()[0]
        seconds[code] = time.perf_counter() - started
    return counts, seconds


def last_run(uri: str) -> dict:
    engine = create_engine(uri)
    with engine.connect() as connection:
        duration, counts = connection.execute(
            text("SELECT duration_ms, counts FROM rule_runs ORDER BY id DESC LIMIT 1")
        ).one()
    engine.dispose()
    return {"duration_ms": duration, "counts": json.loads(counts)}


def bench(name: str, uri: str, workdir: Path, args) -> dict:
    print(f"[{name}] filling", flush=True)
    fill_seconds, _, _, out = measure(
        [
            sys.executable,
            str(BENCH / "rules_data.py"),
            uri,
            str(args.subsidies),
            str(args.ledger),
            str(args.rosters),
            str(args.villages),
        ]
    )
    result = {"database": name, "fill_seconds": fill_seconds, "rows": eval(out.strip().splitlines()[-1])}  # noqa: S307 (our own dict)
    env = app_env(uri, workdir)
    for attempt, extra in (("first", ()), ("again", ()), ("forced", ("--force",))):
        print(f"[{name}] run {attempt}", flush=True)
        seconds, peak, cpu, output = measure(flask("rules", "run", "--as-of", AS_OF, *extra), env)
        result[attempt] = {"wall": seconds, "peak_mb": peak, "cpu": cpu, **last_run(uri), "output": output}
    print(f"[{name}] plans and DuckDB", flush=True)
    result["plans"], result["counts"], result["count_seconds"] = plans_and_counts(uri, workdir)
    duck, statements = load_duckdb(uri, workdir)
    result["duck_counts"], result["duck_seconds"] = duckdb_times(duck, statements)
    return result


def report(result: dict) -> str:
    first, again, forced = result["first"], result["again"], result["forced"]
    lines = [
        f"### {result['database']}",
        "",
        f"Rows: {result['rows']}",
        "",
        f"First run: {first['wall']:.1f} s wall (the run itself {first['duration_ms'] / 1000:.1f} s), "
        f"peak RSS {first['peak_mb']:.0f} MB, CPU {first['cpu']:.1f} s; "
        f"warnings raised: {first['counts']['_total']['new']}.",
        f"Re-run, nothing changed: {again['wall']:.1f} s wall (the run {again['duration_ms'] / 1000:.2f} s: "
        f"skipped by its fingerprint).",
        f"Re-run forced (`--force`, every query again): {forced['wall']:.1f} s wall (the run "
        f"{forced['duration_ms'] / 1000:.1f} s), peak RSS {forced['peak_mb']:.0f} MB; new "
        f"{forced['counts']['_total']['new']}, cleared {forced['counts']['_total']['cleared']}.",
        "",
        "| rule | first run | forced re-run | evidence rows | count query | DuckDB | ratio | same count |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for code, seconds in result["count_seconds"].items():
        duck = result["duck_seconds"][code]
        lines.append(
            f"| {code} | {first['counts'][code]['ms']} ms | {forced['counts'][code]['ms']} ms | "
            f"{result['counts'][code]:,} | {seconds * 1000:.0f} ms | {duck * 1000:.0f} ms | "
            f"{seconds / duck if duck else 0:.1f}× | {'yes' if result['counts'][code] == result['duck_counts'][code] else 'NO'} |"
        )
    return "\n".join(lines)


def commit() -> str:
    import subprocess

    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=BENCH, capture_output=True, text=True
    ).stdout.strip()


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="rules-bench-"))
    results = []
    if not args.no_sqlite:
        results.append(bench("SQLite", f"sqlite:///{workdir / 'rules.db'}", workdir, args))
    if args.postgres:
        server = make_url(args.postgres)
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        name = f"bench_rules_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            results.append(
                bench("PostgreSQL", server.set(database=name).render_as_string(hide_password=False), workdir, args)
            )
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    for result in results:
        print(report(result))
        plans = BENCH / "plans" / f"rules-{result['database'].lower()}-{time.strftime('%Y-%m-%d')}.txt"
        head = (
            f"bench/rules_bench.py, EXPLAIN of each rule's query as a run sends it; "
            f"commit {commit()}; {result['rows']}\n\n"
        )
        plans.write_text(head + "\n\n".join(f"== {code}\n{plan}" for code, plan in result["plans"].items()) + "\n")
    (workdir / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    print(f"results: {workdir / 'results.json'}")


if __name__ == "__main__":
    main()
