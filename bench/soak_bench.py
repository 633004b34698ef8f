"""The mixed soak (issue 14): the whole portal under a steady mix for ten minutes on PostgreSQL.

    .venv/bin/python bench/soak_bench.py [--duration 600] [--small]

A throwaway PostgreSQL database, migrated with Alembic and bulk-loaded with a county of ~10^6
ledger + ~10^6 subsidy rows (public_data.py) and, in a second county, 20,000 cases with their
timelines, clocks and staff accounts (queue_bench.py's generator); gunicorn -w 4 (sync, the
filing bench's app: the filing brakes loosened for one address, see filing_app.py) with rate
limits in Redis; a few cases filed first so that there are pairs to track. Then locust
(soak_locust.py, headless, in its own process) sends the mix of soak_mix.py — 80 % public pages,
10 % case tracking, 5 % complaints with a photo, 5 % staff queue work, as shares of actions —
at a fixed pace per simulated visitor, so the offered rate does not sag when the server slows:

0. as after a publication, the app's own warm-up (portal/warming.py) renders each village's
   landing pages into the shared page cache before any load: a real county has them warm;
1. ramp: steps of rising rate, each until it has --min-requests requests (so that a low rate's
   p99 is not its slowest one or two requests) or its time cap (step_seconds); a step holds if it
   has those requests, 0 errors, p99 under 300 ms and reaches 90 % of the rate asked; the last
   step that held is the sustainable rate (the first one if none held, and the report says so);
2. each gunicorn worker's VmRSS (/proc/<pid>/status), the ramp having warmed them;
3. the soak: --duration seconds at that rate, worker memory sampled every 30 s;
4. each worker's VmRSS again; every case number a filing was answered with looked up in the
   database (none lost).

Cold renders are not hidden: each public page's first request in the bench (after the warm-up
above; the page cache is a folder all workers share, so a page is rendered once, not once per
worker) is counted, and the report gives the p99 of all requests beside the p99 without those.

Prints Markdown for bench/README.md. --small: a 20,000-row county, 2,000 cases, short steps and
a 60-second soak, to check the harness.
"""

import argparse
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE), str(HERE / "faults")]

import public_data  # noqa: E402
from public_bench import SERVER, free_port, log, machine, serve  # noqa: E402
from soak_mix import MIX  # noqa: E402

P99_TARGET_MS = 300
_runs = itertools.count(1)  # each locust run's seed: a retried step draws other pages
PACE = 0.5  # actions per second per simulated visitor: rate / PACE visitors
STAFF_PASSWORD = "bench-password-1"  # pragma: allowlist secret
FULL = {
    "shape": public_data.Shape(),
    "cases": 20_000,
    "steps": (0.5, 1, 2, 3, 4, 6, 8, 11, 15, 20, 27, 36),
    "step": 20,
    "min_requests": 400,
}
SMALL = {
    "shape": public_data.Shape(
        ledger_rows=20_000, subsidy_rows=20_000, villages=4, subsidy_months=24, people_per_village=200
    ),
    "cases": 2_000,
    "steps": (2, 4, 8, 15),
    "step": 8,
    "min_requests": 60,
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="a small county, short steps, a 60 s soak")
    parser.add_argument("--duration", type=int, help="seconds of the soak (default 600, --small 60)")
    parser.add_argument(
        "--step", type=int, help="seconds of the warm-up, and the least a step's cap (default 20, --small 8)"
    )
    parser.add_argument("--steps", help="ramp rates in actions/s, comma-separated (default 0.5,1,2,3,4,6,8,…)")
    parser.add_argument("--min-requests", type=int, help="requests a ramp step runs for (default 400, --small 60)")
    parser.add_argument(
        "--wait-while",
        metavar="PATTERN",
        help="after loading the database, wait until no process matches PATTERN (pgrep -f) before any load",
    )
    parser.add_argument("--rate", type=float, help="skip the ramp: soak at this many actions/s")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--limits", default="redis://127.0.0.1:6379/13", help="RATELIMIT_STORAGE_URI")
    parser.add_argument("--server", default=os.environ.get("BENCH_POSTGRES", SERVER), help="PostgreSQL server URL")
    args = parser.parse_args()
    preset = SMALL if args.small else FULL
    args.shape, args.cases = preset["shape"], preset["cases"]
    args.steps = tuple(float(x) for x in args.steps.split(",")) if args.steps else preset["steps"]
    args.min_requests = args.min_requests or preset["min_requests"]
    args.duration = args.duration or (60 if args.small else 600)
    args.step = args.step or preset["step"]
    return args


def main() -> None:
    args = parse_args()
    if shutil.which(str(Path(sys.executable).parent / "locust")) is None:
        sys.exit("locust is not installed: `.venv/bin/pip install -e '.[bench]'`, then run again.")
    workdir = Path(tempfile.mkdtemp(prefix="soak_bench_"))
    uri = public_data.create_database("postgresql", workdir, args.server)
    gunicorn = None
    try:
        plan, counts = prepare(uri, workdir, args)
        seen = warm_published(uri, workdir, plan["villages"])
        if args.wait_while:
            wait_while(args.wait_while)
        started = datetime.now(UTC)
        load_before = os.getloadavg()
        gunicorn, base = serve(
            ["-w", str(args.workers), "filing_app:app"],
            free_port(),
            dict(os.environ, BENCH_DATABASE_URI=uri, BENCH_WORKDIR=str(workdir), RATELIMIT_STORAGE_URI=args.limits),
        )
        plan["pairs"] = file_first(base, plan["villages"], 20)
        (workdir / "plan.json").write_text(json.dumps(plan))
        steps = [] if args.rate else ramp(base, workdir, args, seen)
        rate = args.rate or sustainable(steps)
        pids = workers_of(gunicorn.pid)
        memory = {"start": rss(pids)}
        log(f"soak: {rate} actions/s for {args.duration} s; workers {memory['start']}")
        samples = []
        sampler = threading.Thread(target=sample_memory, args=(pids, samples, args.duration), daemon=True)
        sampler.start()
        load_ramp = os.getloadavg()
        soak = run_locust(base, workdir, rate, args.duration, "soak", seen)
        memory["end"] = rss(pids)
        memory["end_pids"] = workers_of(gunicorn.pid)
        memory["samples"] = samples
        soak["lost"] = lost(uri, soak["filed"])
        print(report(args, counts, steps, rate, soak, memory, started, (load_before, load_ramp)))
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        public_data.drop_database(uri, args.server)
        shutil.rmtree(workdir, ignore_errors=True)


# The database --------------------------------------------------------------------------------


def prepare(uri: str, workdir: Path, args) -> tuple[dict, dict]:
    """Migrate, load the public county and the staff county; the plan the locustfile reads."""
    from core.assets.build import build
    from rig import photo_bytes

    build(ROOT / "static", workdir / "static")  # as `flask static build` does before serving
    public_data.migrate(uri, workdir)
    loaded = public_data.load(uri, args.shape, date.today())
    log(f"public county: {loaded.counts} in {loaded.seconds:.0f} s")
    counts = dict(loaded.counts) | seed_cases(uri, workdir, args.cases)
    log(f"staff county: {counts}")
    (workdir / "photo.jpg").write_bytes(photo_bytes())
    plan = {
        "villages": loaded.villages,
        "months": loaded.months,
        "subsidy_months": loaded.months[-args.shape.subsidy_months :],
        "regions": [public_data.COUNTY, public_data.TOWNSHIP],
        "staff": [f"h{n:02d}" for n in range(1, 21)] + ["county"],
        "password": STAFF_PASSWORD,
        "photo": str(workdir / "photo.jpg"),
        "shape": asdict(args.shape),
    }
    return plan, counts


def seed_cases(uri: str, workdir: Path, cases: int) -> dict:
    """queue_bench.py's cases, clocks, events and staff (h01–h20 per township, a county lead)."""
    import queue_bench
    from app import create_app
    from core.extensions import db

    config = public_data.app_config(uri, workdir) | {"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    app = create_app(config)
    with app.app_context():
        found = queue_bench.seed(db, cases, 10)
        db.session.remove()
        db.engine.dispose()
    return {key: found[key] for key in ("complaints", "case_events")}


def warm_published(uri: str, workdir: Path, villages: list[str]) -> set[str]:
    """What the app renders after a publication (portal/warming.py), rendered the same way into
    the page cache folder the gunicorn workers share; the paths it warmed. The bench loads its
    rows straight into the tables, so no publication ran to do it."""
    from flask import url_for

    from app import create_app
    from core.extensions import db
    from portal import warming

    app = create_app(public_data.app_config(uri, workdir))
    started = time.perf_counter()
    with app.app_context():
        warming.warm_villages(villages)
        with app.test_request_context():
            paths = {url_for(endpoint, code=code) for code in villages for endpoint in warming.PAGES}
        db.engine.dispose()
    log(f"warmed {len(paths)} pages as after a publication in {time.perf_counter() - started:.0f} s")
    return paths


def wait_while(pattern: str) -> None:
    """Wait for another job on this shared machine (e.g. a CI run) to end before measuring."""
    while subprocess.run(["pgrep", "-f", pattern], capture_output=True).returncode == 0:
        log(f"waiting: a process matching {pattern!r} is running (load {os.getloadavg()[0]:.1f})")
        time.sleep(30)


def file_first(base: str, villages: list[str], count: int) -> list[tuple[str, str]]:
    """Cases filed before the load, each with its photo: the pairs tracking opens."""
    import re

    from rig import CASE_CODE, HIDDEN, PHOTO, multipart, request

    secret_box = re.compile(r'<p class="secret-box">([^<]+)</p>')
    pairs = []
    for n in range(count):
        path = f"/complain?village={villages[n % len(villages)]}"
        status, cookies, page = request(base, "GET", path)
        fields = dict(HIDDEN.findall(page)) | {
            "category": "funds",
            "identity": "anonymous",
            "name": "",
            "phone": "",
            "website": "",
            "text": f"村务公开栏半年没有更新，请核查。浸泡测试第{n + 1}件",
        }
        body, content_type = multipart(fields, PHOTO)
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        status, _cookies, done = request(base, "POST", path, body, {"Content-Type": content_type, "Cookie": cookie})
        code, secret = CASE_CODE.search(done), secret_box.search(done)
        if status != 200 or not code or not secret:
            sys.exit(f"filing a case to track failed: HTTP {status}")
        pairs.append((code.group(1).strip(), secret.group(1).replace(" ", "")))
    return pairs


def lost(uri: str, filed: list[str]) -> int:
    """Case numbers the filings were answered with that the database does not hold."""
    from sqlalchemy import create_engine, text

    engine = create_engine(uri)
    with engine.connect() as connection:
        stored = set(connection.execute(text("SELECT code FROM complaints")).scalars())
    engine.dispose()
    return len(set(filed) - stored)


# Load ----------------------------------------------------------------------------------------


def ramp(base: str, workdir: Path, args, seen: set[str]) -> list[dict]:
    """Rising steps until one does not hold twice running; every step's figures. A warm-up at
    the first step's rate comes first and is not counted (the workers' first connections and
    imports); a step that misses is run once more, as another session's burst on this shared
    machine can spoil a step."""
    run_locust(base, workdir, args.steps[0], args.step, "warm-up", seen)
    steps = []
    for rate in args.steps:
        for attempt in (1, 2):
            cap = step_seconds(rate, args.min_requests, args.step)
            step = run_locust(base, workdir, rate, cap, f"step{rate:g}-{attempt}", seen, args.min_requests)
            step["held"] = holds(step, rate, args.min_requests)
            steps.append(step)
            log(
                f"ramp {rate:g} actions/s: {step['requests']} requests in {step['seconds']:.0f} s, "
                f"{step['actions_per_s']:.1f} actions/s, {step['rps']:.1f} req/s, p99 "
                f"{step['p99']:.0f} ms, {step['errors']} errors → {'held' if step['held'] else 'did not hold'}"
            )
            if step["held"]:
                break
        if not step["held"]:
            break
    return steps


def step_seconds(rate: float, min_requests: int, least: int) -> int:
    """A ramp step's time cap: it normally ends at `min_requests` requests, which an action a
    second brings in at most min_requests / rate seconds (an action is at least one request);
    half as long again for a step that slows, and never under `least`. At 0.5 actions/s and 400
    requests that is 1,200 s: a low rate is judged on as many requests as a high one."""
    return max(least, math.ceil(1.5 * min_requests / rate))


def holds(step: dict, rate: float, min_requests: int = 0) -> bool:
    """0 errors, p99 under target over at least `min_requests` requests, ≥ 90 % of the rate."""
    return (
        step["errors"] == 0
        and step["requests"] >= min_requests
        and step["p99"] < P99_TARGET_MS
        and step["actions_per_s"] >= 0.9 * rate
    )


def sustainable(steps: list[dict]) -> float:
    held = [step["rate"] for step in steps if step["held"]]
    return held[-1] if held else steps[0]["rate"]


def run_locust(
    base: str, workdir: Path, rate: float, seconds: int, label: str, seen: set[str], min_requests: int = 0
) -> dict:
    """One headless locust run: rate / PACE visitors, each PACE actions per second, for `seconds`
    or until it has `min_requests` requests. `seen`: the public pages requested before (updated)."""
    users = max(1, math.ceil(rate / PACE))
    out = workdir / f"{label}.json"
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(HERE / "soak_locust.py"),
        "--headless",
        "--only-summary",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, users // 2)),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "30",
        "--host",
        base,
        "--loglevel",
        "WARNING",
    ]
    env = dict(os.environ, SOAK_PLAN=str(workdir / "plan.json"), SOAK_PACE=str(PACE), SOAK_OUT=str(out))
    env["SOAK_SEED"] = str(next(_runs))
    env["SOAK_MIN_REQUESTS"] = str(min_requests)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
    with open(workdir / f"{label}.log", "w") as log_file:
        subprocess.run(command, env=env, stdout=log_file, stderr=subprocess.STDOUT, timeout=seconds + 120)
    if not out.exists():
        sys.exit(f"locust wrote nothing; see its log:\n{(workdir / f'{label}.log').read_text()[-2000:]}")
    record = json.loads(out.read_text())
    if min_requests and record["requests"]:
        # A step that stops at its request count ran shorter than its cap: rates are over the time
        # from its first request sent to its last answer.
        sent = min(t - ms / 1000 for t, _name, ms, _error, _path in record["requests"])
        seconds = min(seconds, max(t for t, *_ in record["requests"]) - sent)
    return summarise(record, rate, seconds, seen)


def first_requests(requests: list, seen: set[str]) -> list[bool]:
    """For each request (in the order sent), whether it is a public page's first request in the
    bench — its first render, unless the warm-up after a publication rendered it — adding the
    pages to `seen`. The page cache is one folder for every worker, so a page is rendered once,
    not once per worker; one evicted from it (it keeps 2,000 files) and rendered again counts as
    a repeat here."""
    first = []
    for _t, name, _ms, _error, path in requests:
        is_first = name.startswith("public:") and path is not None and path not in seen
        if path is not None and name.startswith("public:"):
            seen.add(path)
        first.append(is_first)
    return first


def summarise(record: dict, rate: float, seconds: float, seen: set[str]) -> dict:
    # Ordered by when each request was sent (a record is written when its answer comes).
    requests = sorted(record["requests"], key=lambda request: request[0] - request[2] / 1000)
    first = first_requests(requests, seen)
    times = sorted(ms for _t, _name, ms, _error, _path in requests)
    repeat_times = sorted(request[2] for request, cold in zip(requests, first, strict=True) if not cold)
    first_times = sorted(request[2] for request, cold in zip(requests, first, strict=True) if cold)
    errors = [(name, error) for _t, name, _ms, error, _path in requests if error]
    by_name = {}
    for _t, name, ms, _error, _path in requests:
        by_name.setdefault(name, []).append(ms)
    actions = {kind: 0 for kind in MIX}
    for _t, kind in record["actions"]:
        actions[kind] += 1
    return {
        "rate": rate,
        "seconds": seconds,
        "requests": len(requests),
        "rps": len(requests) / seconds,
        "actions_per_s": sum(actions.values()) / seconds,
        "actions": actions,
        "errors": len(errors),
        "error_samples": sorted({f"{name}: {error}" for name, error in errors})[:8],
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "p99": percentile(times, 99),
        "max": times[-1] if times else float("nan"),
        "first": len(first_times),
        "p99_repeat": percentile(repeat_times, 99),
        "p99_first": percentile(first_times, 99),
        "p50_first": percentile(first_times, 50),
        "by_name": {
            name: {"count": len(ms), "p50": percentile(sorted(ms), 50), "p99": percentile(sorted(ms), 99)}
            for name, ms in sorted(by_name.items())
        },
        "p99_by_minute": by_minute(requests),
        "filed": record["filed"],
    }


def percentile(ordered: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def by_minute(requests: list) -> list[float]:
    if not requests:
        return []
    first = min(t for t, *_ in requests)
    minutes = {}
    for t, _name, ms, _error, _path in requests:
        minutes.setdefault(int((t - first) // 60), []).append(ms)
    return [round(percentile(sorted(minutes[m]), 99)) for m in sorted(minutes)]


# Worker memory --------------------------------------------------------------------------------


def workers_of(master: int) -> list[int]:
    return sorted(int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split())


def rss(pids: list[int]) -> dict[int, int | None]:
    """VmRSS in KiB of each pid (None: the process is gone, e.g. a worker gunicorn replaced)."""
    found = {}
    for pid in pids:
        try:
            line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmRSS:"))
            found[pid] = int(line.split()[1])
        except (OSError, StopIteration):
            found[pid] = None
    return found


def sample_memory(pids: list[int], samples: list, seconds: int) -> None:
    end = time.time() + seconds
    while time.time() < end:
        time.sleep(min(30, max(0.0, end - time.time())))
        samples.append(rss(pids))


# Report ---------------------------------------------------------------------------------------


def report(args, counts, steps, rate, soak, memory, started, loads) -> str:
    shape = args.shape
    load_before, load_ramp = loads
    load_after = os.getloadavg()
    lines = [
        f"### Mixed soak, {started:%Y-%m-%d %H:%M} UTC: {soak['seconds']} s at {rate:g} actions/s",
        "",
        f"{machine()} · load average (1 / 5 / 15 min) before {_load(load_before)}, after the ramp "
        f"{_load(load_ramp)}, after the soak {_load(load_after)} (a shared machine: other sessions' work runs "
        "alongside).",
        "",
        f"PostgreSQL, {counts['ledger_entries']:,} ledger + {counts['subsidy_payments']:,} subsidy rows in "
        f"{shape.villages} villages; {counts['complaints']:,} cases, {counts['case_events']:,} events; "
        f"gunicorn -w {args.workers} sync; locust {math.ceil(rate / PACE)} visitors × {PACE} actions/s.",
        "",
    ]
    if steps:
        lines += [
            f"Ramp steps of {args.min_requests} requests each (time cap: step_seconds); first = a public page's "
            "first request in the bench.",
            "",
            "| ramp step, actions/s | s | requests | reached | req/s | p50 ms | p95 ms | p99 ms "
            "| p99 without first ms | first | errors | held |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for step in steps:
            lines.append(
                f"| {step['rate']:g} | {step['seconds']:.0f} | {step['requests']} | {step['actions_per_s']:.1f} | "
                f"{step['rps']:.1f} | {step['p50']:.0f} | {step['p95']:.0f} | {step['p99']:.0f} | "
                f"{step['p99_repeat']:.0f} | {step['first']} | {step['errors']} | {'yes' if step['held'] else 'no'} |"
            )
        if not any(step["held"] for step in steps):
            lines.append(f"\nNo step held: the soak ran at the first step's {rate:g} actions/s.")
        lines.append("")
    growth = []
    mem_rows = []
    for pid, start in memory["start"].items():
        end = memory["end"].get(pid)
        peak = max([start] + [s.get(pid) or 0 for s in memory["samples"]])
        change = f"{(end - start) / start:+.1%}" if start and end else "worker replaced"
        if start and end:
            growth.append((end - start) / start)
        mem_rows.append(f"| {pid} | {start / 1024:.1f} | {peak / 1024:.1f} | {(end or 0) / 1024:.1f} | {change} |")
    actions = soak["actions"]
    total_actions = max(sum(actions.values()), 1)
    lines += [
        "| soak | req/s | actions/s | requests | p50 ms | p95 ms | p99 ms | max ms | errors | filings lost |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {soak['seconds']} s | {soak['rps']:.1f} | {soak['actions_per_s']:.1f} | {soak['requests']:,} | "
        f"{soak['p50']:.0f} | {soak['p95']:.0f} | {soak['p99']:.0f} | {soak['max']:.0f} | {soak['errors']} | "
        f"{soak['lost']} of {len(soak['filed'])} |",
        "",
        "Actions: " + ", ".join(f"{kind} {n:,} ({n / total_actions:.1%})" for kind, n in actions.items()),
        f"First requests of a public page (its render, unless warmed as after a publication): {soak['first']:,} "
        f"of {soak['requests']:,} ({soak['first'] / max(soak['requests'], 1):.1%}), p50 {soak['p50_first']:.0f} ms, "
        f"p99 {soak['p99_first']:.0f} ms. p99 of all requests {soak['p99']:.0f} ms; p99 without those first "
        f"requests {soak['p99_repeat']:.0f} ms.",
        f"p99 per minute (ms): {', '.join(map(str, soak['p99_by_minute']))}",
        "",
        "| request | count | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    for name, row in soak["by_name"].items():
        lines.append(f"| {name} | {row['count']:,} | {row['p50']:.0f} | {row['p99']:.0f} |")
    lines += [
        "",
        "| worker pid | VmRSS start MiB | peak MiB | end MiB | growth |",
        "|---:|---:|---:|---:|---:|",
        *mem_rows,
        "",
    ]
    replaced = set(memory["end_pids"]) - set(memory["start"])
    if replaced:
        lines.append(f"Workers started during the soak (gunicorn replaced one): {sorted(replaced)}")
    if soak["error_samples"]:
        lines.append("Errors: " + "; ".join(soak["error_samples"]))
    verdict = [
        f"errors {soak['errors']} (target 0)",
        f"p99 {soak['p99']:.0f} ms of all requests, {soak['p99_repeat']:.0f} ms without first renders "
        f"(target < {P99_TARGET_MS})",
        f"largest worker growth {max(growth):+.1%} (target < 10 %)" if growth else "worker growth unknown",
    ]
    lines += ["", "Verdict: " + "; ".join(verdict) + ".", ""]
    return "\n".join(lines)


def _load(averages) -> str:
    return " / ".join(f"{x:.1f}" for x in averages)


if __name__ == "__main__":
    main()
