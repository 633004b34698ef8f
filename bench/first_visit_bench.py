"""First visit on a weak signal: first contentful paint and bytes, QR scan to painted page (issue 16).

    .venv/bin/python bench/first_visit_bench.py [--samples 5] [--workers 2]

A throwaway SQLite database (the public bench's generator, a realistic size: 4 villages, 150
ledger rows a month, 200 people on each roster), a QR token for a village and for an inspection
round of that village, static files built as `flask static build` builds them, gunicorn on
loopback. Debian's Chromium (never a downloaded one) with the network emulated through CDP
(Network.emulateNetworkConditions): 400 ms round trip, 400 kbit/s down and up. Each sample
launches Chromium on a fresh profile directory and opens the page (first visit), then reloads
it (repeat visit: the browser revalidates the page as it does once its 60 s are up, and takes
anything immutable from its cache). Measured for:
  (a) a village's QR code (/q/<token>: the village page),
  (b) a round's QR code (/q/<token>: the round's notice) and the complaint form it links to,
  (c) a ledger month (100 of its 150 rows shown), (d) a subsidy roster (a month of one item),
and a near-empty page (/bench/empty, added by public_app.py only) as the floor of the same run.
Reported: median and worst first contentful paint (performance API, from navigation start) and
the median bytes transferred (headers included, from the performance API's transferSize).
Prints a Markdown table for bench/README.md.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import public_data  # noqa: E402
from core.assets.build import build  # noqa: E402
from public_bench import free_port, log, machine, serve  # noqa: E402
from tools.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

# Weak rural 4G, as the issue measured it.
WEAK_4G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
# First contentful paint, and every byte the page took (document and resources, headers included).
MEASURE = """() => new Promise(resolve => {
  const done = () => {
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    if (!paint) return setTimeout(done, 20);
    const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
    resolve({fcp: paint.startTime, bytes: entries.reduce((sum, e) => sum + (e.transferSize || 0), 0)});
  };
  done();
})"""
TARGETS = {"first": 800, "repeat": 600, "bytes": 30_000}


def main() -> None:
    args = parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"Debian chromium not installed ({CHROMIUM} missing): apt-get install chromium")
    print(machine(), file=sys.stderr)
    workdir = Path(tempfile.mkdtemp(prefix="first_visit_"))
    try:
        uri = public_data.create_database("sqlite", workdir, "")
        build(ROOT / "static", workdir / "static")  # as `flask static build` does before serving
        public_data.migrate(uri, workdir)
        shape = public_data.Shape(
            ledger_rows=20_000, subsidy_rows=20_000, villages=4, subsidy_months=24, people_per_village=200
        )
        loaded = public_data.load(uri, shape, date.today())
        pages = prepare(uri, workdir, loaded)
        process, base = start(uri, workdir, args.workers)
        try:
            results = {label: measure(base + path, args.samples) for label, path in pages.items()}
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        print(table(results, args))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=5, help="fresh profiles per page (default 5)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    return parser.parse_args()


def prepare(uri: str, workdir: Path, loaded) -> dict[str, str]:
    """QR tokens for a village and a round, the static build; the pages to open."""
    from app import create_app
    from complaints.models import InspectionRound
    from complaints.qr import round_target, token_for, village_target
    from core.extensions import db
    from core.regions.models import Region

    village, month = loaded.villages[0], loaded.months[-2]
    app = create_app(public_data.app_config(uri, workdir))
    with app.app_context():
        today = date.today()
        inspection = InspectionRound(
            name="第三轮巡察",
            team_name="县委第一巡察组",
            county_code=public_data.COUNTY,
            starts_on=today,
            ends_on=date.fromordinal(today.toordinal() + 30),
            villages=[db.session.get(Region, village)],
        )
        db.session.add(inspection)
        db.session.commit()
        village_token, round_token = token_for(village_target(village)), token_for(round_target(inspection.id))
        db.engine.dispose()
    return {
        "floor: near-empty page": "/bench/empty",
        "(a) village QR code → village page": f"/q/{village_token}",
        "(b) round QR code → round notice": f"/q/{round_token}",
        "(b) → complaint form": f"/complain?village={village}&round={round_token}",
        "(c) ledger month": f"/r/{village}/ledger?month={month}",
        "(d) subsidy roster": f"/r/{village}/subsidies?item={quote(public_data.ITEMS[0])}&month={month}",
    }


def start(uri: str, workdir: Path, workers: int):
    env = dict(os.environ, BENCH_DATABASE_URI=uri, BENCH_WORKDIR=str(workdir))
    return serve(["-w", str(workers), "public_app:app"], free_port(), env)


def measure(url: str, samples: int) -> dict:
    """Each sample on a fresh profile: the first visit, then a reload (the repeat visit)."""
    from playwright.sync_api import sync_playwright

    runs = []
    with sync_playwright() as playwright:
        urllib_warm(url)  # the server's own first render is not what a phone's first visit measures
        for _ in range(samples):
            profile = tempfile.mkdtemp(prefix="first_visit_profile_")
            try:
                context = playwright.chromium.launch_persistent_context(
                    profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, **PHONE
                )
                page = context.pages[0] if context.pages else context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", WEAK_4G)
                page.goto(url, wait_until="load")
                first = page.evaluate(MEASURE)
                page.reload(wait_until="load")
                repeat = page.evaluate(MEASURE)
                runs.append((first, repeat))
                context.close()
            finally:
                shutil.rmtree(profile, ignore_errors=True)
    log(f"{url}: {runs}")
    return {
        visit: {"fcp": [run[index]["fcp"] for run in runs], "bytes": [run[index]["bytes"] for run in runs]}
        for index, visit in enumerate(("first", "repeat"))
    }


def urllib_warm(url: str) -> None:
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(url, headers={"Accept-Encoding": "gzip"}), timeout=60).close()


def table(results: dict, args) -> str:
    load = open("/proc/loadavg").read().split()[:3]
    lines = [
        f"Run of {date.today()} · {machine()} · load average {' '.join(load)} at the end · "
        f"{args.samples} fresh profiles per page, {args.workers} gunicorn workers",
        "",
        "| page | first visit FCP, median (worst) | bytes | repeat visit FCP, median (worst) | bytes |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, result in results.items():
        cells = []
        for visit in ("first", "repeat"):
            fcp, size = result[visit]["fcp"], statistics.median(result[visit]["bytes"])
            mark = "" if label.startswith("floor") or statistics.median(fcp) <= TARGETS[visit] else " ⚠"
            cells += [
                f"{statistics.median(fcp):.0f} ms ({max(fcp):.0f}){mark}",
                f"{size:,.0f}{' ⚠' if visit == 'first' and size > TARGETS['bytes'] else ''}",
            ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
