"""How long `flask --app app …` takes to start, against a baseline checkout run side by side.

    git archive main | tar -x -C /tmp/base
    .venv/bin/python bench/startup_bench.py --base /tmp/base [--runs 5]

Each round runs every command once in the baseline and once here, in alternating order, so both
see the same load; the figures are medians of wall and CPU (user + system) time per command, and
the ratio here/baseline. `--bytecode` compiles both checkouts first (as bin/serve does); without
it, whatever __pycache__ each one has is used, and where PYTHONDONTWRITEBYTECODE is set, a
checkout without one compiles its sources at every start.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
PACKAGES = ["app.py", "core", "admin", "complaints", "disclosures", "portal", "rules", "backup"]
COMMANDS = {
    "flask --help": ["--help"],
    "flask deadlines sweep --help": ["deadlines", "sweep", "--help"],
    "flask users --help": ["users", "--help"],
}


def run_once(checkout: Path, args: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, required=True, help="a checkout of the baseline (git archive main)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bytecode", action="store_true", help="compileall both checkouts first")
    options = parser.parse_args()
    checkouts = {"base": options.base.resolve(), "here": HERE}
    if options.bytecode:
        for checkout in checkouts.values():
            subprocess.run([sys.executable, "-m", "compileall", "-q", *PACKAGES], cwd=checkout, check=True)
    for checkout in checkouts.values():  # a first start creates instance/secrets.json: not measured
        run_once(checkout, ["--help"])
    times = {(side, name): [] for side in checkouts for name in COMMANDS}
    for round_ in range(options.runs):
        order = list(checkouts) if round_ % 2 == 0 else list(reversed(checkouts))
        for name, args in COMMANDS.items():
            for side in order:
                times[side, name].append(run_once(checkouts[side], args))
    print(f"load average {os.getloadavg()[0]:.1f} · {os.cpu_count()} CPUs · median of {options.runs}")
    print("| command | base wall / CPU | here wall / CPU | ratio wall / CPU |")
    print("|---|---:|---:|---:|")
    for name in COMMANDS:
        base = [statistics.median(x) for x in zip(*times["base", name])]
        here = [statistics.median(x) for x in zip(*times["here", name])]
        print(
            f"| `{name}` | {base[0]:.2f} / {base[1]:.2f} s | {here[0]:.2f} / {here[1]:.2f} s "
            f"| {here[0] / base[0]:.2f} / {here[1] / base[1]:.2f} |"
        )


if __name__ == "__main__":
    main()
