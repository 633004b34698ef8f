"""The fuzz bench (issue 14, item 5): the fuzz tests (tests/test_fuzz_*.py) under the large hypothesis
profile, 10,000 generated inputs per form, GET route and importer unless --examples says fewer,
on SQLite or on PostgreSQL (--postgres). It prints, per form, route and importer, the inputs run
(and for a form the status codes it answered them with: a 302 got past every refusal), and every
failure (a 500, or a refusal that wrote), then a line for bench/README.md.

    python bench/fuzz_bench.py [--examples N] [--only forms params importers] [-k EXPR] [--forms ENDPOINT,…]
                               [--postgres URL]
                               [--tally FILE]

A form without a field (a button that confirms) has one input only: nothing of it can vary.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITES = {
    "forms": "tests/test_fuzz_forms.py",
    "params": "tests/test_fuzz_params.py",
    "importers": "tests/test_fuzz_importers.py",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--only", nargs="+", choices=sorted(SUITES), default=sorted(SUITES))
    parser.add_argument("--postgres", default="", help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--forms", default="", help="only these forms' endpoints, comma-separated")
    parser.add_argument("-k", dest="select", default="", help="pytest -k: only the importers matching, say")
    parser.add_argument("--tally", default="", help="keep the tally here (JSON, written form by form as the run goes)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        tally = Path(args.tally or Path(scratch) / "tally.json")
        tally.unlink(missing_ok=True)
        env = {
            **os.environ,
            "HYPOTHESIS_PROFILE": "bench",
            "FUZZ_EXAMPLES": str(args.examples),
            "FUZZ_TALLY": str(tally),
            "FUZZ_FORMS": args.forms,
        }
        env.pop("DATABASE_URL", None)
        if args.postgres:
            env["DATABASE_URL"] = args.postgres
        started = time.monotonic()
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "--tb=short",
                "-p",
                "no:cacheprovider",
                *(["-k", args.select] if args.select else []),
                *[SUITES[name] for name in args.only],
            ],
            cwd=ROOT,
            env=env,
        )
        seconds = time.monotonic() - started
        found = json.loads(tally.read_text(encoding="utf-8")) if tally.exists() else {"inputs": {}, "failures": []}
    inputs = found["inputs"]
    seconds_each = found.get("seconds", {})
    answers = found.get("answers", {})
    print("\n| form, route or importer | inputs | answers (status: inputs) | seconds |\n|---|---:|---|---:|")
    for name in sorted(inputs):
        answered = ", ".join(f"{status}: {count:,}" for status, count in sorted(answers.get(name, {}).items()))
        print(f"| {name} | {inputs[name]:,} | {answered} | {seconds_each.get(name, '')} |")
    for failure in found["failures"]:
        print(f"FAILURE {failure}")
    groups = {}
    for name, count in inputs.items():
        groups.setdefault(name.split()[0], []).append(count)
    summary = "; ".join(
        f"{group}: {len(counts)}, {sum(counts):,} inputs, fewest {min(counts):,}"
        for group, counts in sorted(groups.items())
    )
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"\n{database}, --examples {args.examples}: {summary}; {len(found['failures'])} failures; "
        f"pytest exit {run.returncode}; {seconds:.0f} s"
    )
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
