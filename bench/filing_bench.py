"""Complaint filing under load (issue 4, "Performance"): complaints/s against hello world, zero lost.

    .venv/bin/python bench/filing_bench.py [--db sqlite|postgresql|both] [--quick]

For each backend: a throwaway database (SQLite file in WAL mode, or a PostgreSQL database on
127.0.0.1:5432, dropped at the end), migrated with Alembic, holding --villages (4) villages of one township;
gunicorn on a free loopback port (bench/filing_app.py: sync workers, -w 4 by default); then a load
generator of --procs processes × threads (--clients in all) that, per simulated phone (a new one
each time, no cookies yet), GETs /complain?village=…, reads the CSRF token and the signed ticket,
POSTs a complaint (multipart, no attachments, honeypot left empty) and reads the case number on
the done page that answers it. Hello world (GET /bench/hello) is run by the same
generator right before, on the same gunicorn. After the run the database is asked for every
complaint: each acknowledged case number must be there exactly once (zero lost, no duplicates).
Finally the form page's transferred size (HTML + the CSS and JS it references). Prints Markdown
for bench/README.md. Runs are bounded (--duration, default 20 s; --quick: 5 s).
"""

import argparse
import gzip
import http.client
import multiprocessing
import os
import re
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import replace
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

import public_data  # noqa: E402
from form_post import multipart  # noqa: E402
from public_bench import SERVER, free_port, log, machine, serve  # noqa: E402

TARGET_PER_SECOND = 100
FORM_BUDGET = 40 * 1024
SHAPE = public_data.Shape(ledger_rows=600, subsidy_rows=40, villages=4, subsidy_months=1, people_per_village=10)
CATEGORIES = ("funds", "subsidy", "project", "asset", "conduct", "other")
HIDDEN = re.compile(r'<input[^>]*\bname="(csrf_token|ticket)"[^>]*\bvalue="([^"]*)"')
CASE_CODE = re.compile(r'<p class="case-code">([^<]+)</p>')
TIMEOUT = 30


def main() -> None:
    args = parse_args()
    log(machine())
    out = [f"{machine()} · load average before: {os.getloadavg()[0]:.1f}", ""]
    for backend in ["sqlite", "postgresql"] if args.db == "both" else [args.db]:
        out.append(run_backend(backend, args))
    print("\n".join(out))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="5 s runs")
    parser.add_argument("--duration", type=float, help="seconds per run (default 20, --quick 5)")
    parser.add_argument("--clients", type=int, default=16, help="simulated phones at once (16–32)")
    parser.add_argument("--procs", type=int, default=4, help="load-generator processes (threads split among them)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--villages", type=int, default=4, help="villages of the township the phones file from, in turn (at most 799)"
    )
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (>1: gthread)")
    parser.add_argument(
        "--limits",
        default="redis://127.0.0.1:6379/15",
        help="RATELIMIT_STORAGE_URI for gunicorn (memory:// counts per worker)",
    )
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_POSTGRES", SERVER),
        help="PostgreSQL server URL for the throwaway database",
    )
    args = parser.parse_args()
    args.duration = args.duration or (5 if args.quick else 20)
    args.procs = max(1, min(args.procs, args.clients))
    return args


def run_backend(backend: str, args) -> str:
    workdir = Path(tempfile.mkdtemp(prefix="filing_bench_"))
    uri = public_data.create_database(backend, workdir, args.server)
    process = None
    try:
        public_data.migrate(uri, workdir)
        villages = public_data.load(uri, replace(SHAPE, villages=args.villages), date.today()).villages
        process, base = start_gunicorn(uri, workdir, args)
        run_load(base, "hello", villages, 1, args)  # warm-up: every worker imported and connected
        hello = run_load(base, "hello", villages, args.duration, args)
        log(f"{backend}: hello {hello['rate']:.0f} req/s")
        before = cpu_snapshot(process.pid)
        filing = run_load(base, "file", villages, args.duration, args)
        filing["cpu"] = cpu_spent(before, cpu_snapshot(process.pid), filing)
        log(f"{backend}: {filing['rate']:.1f} complaints/s, {filing['errors']} errors, CPU {filing['cpu']}")
        size = form_size(base, villages[0])
        process.terminate()
        process.wait(timeout=30)
        process = None
        check = check_database(uri, filing["codes"])
        log(f"{backend}: {check}")
        return table(backend, hello, filing, check, size, args)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        public_data.drop_database(uri, args.server)
        shutil.rmtree(workdir, ignore_errors=True)


def start_gunicorn(uri: str, workdir: Path, args) -> tuple[subprocess.Popen, str]:
    port = free_port()
    # Rate-limit counters shared by the workers in Redis, as the README asks of production.
    env = dict(os.environ, BENCH_DATABASE_URI=uri, BENCH_WORKDIR=str(workdir), RATELIMIT_STORAGE_URI=args.limits)
    options = ["-w", str(args.workers)]
    if args.threads > 1:
        options += ["-k", "gthread", "--threads", str(args.threads)]
    return serve(options + ["filing_app:app"], port, env)


# Where the CPU went -------------------------------------------------------------------------------


def cpu_snapshot(master: int) -> dict:
    """CPU seconds so far of the gunicorn workers, of every PostgreSQL process, of this bench's
    finished child processes (the load generator's pools), and the machine's busy and total time."""
    workers, postgres = 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().rsplit(")", 1)
        except OSError:
            continue  # the process ended meanwhile
        fields = rest.split()
        seconds = (int(fields[11]) + int(fields[12])) / tick
        if int(fields[1]) == master:
            workers += seconds
        elif name.endswith("(postgres"):
            postgres += seconds
    generator = resource.getrusage(resource.RUSAGE_CHILDREN)
    times = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return {
        "workers": workers,
        "postgres": postgres,
        "generator": generator.ru_utime + generator.ru_stime,
        "busy": (sum(times) - times[3] - times[4]) / tick,
        "total": sum(times) / tick,
    }


def cpu_spent(before: dict, after: dict, run: dict) -> dict:
    """Milliseconds of CPU per filing by each party, and how busy the machine's CPUs were."""
    done = max(run["count"], 1)
    spent = {key: (after[key] - before[key]) * 1000 / done for key in ("workers", "postgres", "generator")}
    spent["busy"] = (after["busy"] - before["busy"]) / max(after["total"] - before["total"], 1e-9)
    return spent


# Load generator ---------------------------------------------------------------------------------


def run_load(base: str, kind: str, villages: list[str], seconds: float, args) -> dict:
    """--clients loops in --procs processes (the GIL would cap one process), for `seconds`."""
    per_proc = [args.clients // args.procs + (i < args.clients % args.procs) for i in range(args.procs)]
    start_at = time.time() + 0.5
    with multiprocessing.get_context("fork").Pool(args.procs) as pool:
        parts = pool.starmap(_generator, [(base, kind, villages, n, start_at, seconds) for n in per_proc])
    merged = {key: [x for part in parts for x in part[key]] for key in parts[0]}
    done = len(merged["main_ms"])
    return {
        "kind": kind,
        "count": done,
        "rate": done / seconds,
        "codes": merged["codes"],
        "errors": len(merged["errors"]),
        "error_samples": sorted(set(merged["errors"]))[:5],
        "main": percentiles(merged["main_ms"]),
        "form": percentiles(merged["form_ms"]),
        "form_rate": len(merged["form_ms"]) / seconds,
    }


def _generator(base: str, kind: str, villages: list[str], threads: int, start_at: float, seconds: float) -> dict:
    result = {"main_ms": [], "form_ms": [], "codes": [], "errors": []}
    lock = threading.Lock()
    time.sleep(max(0.0, start_at - time.time()))
    deadline = start_at + seconds
    loop = _hello if kind == "hello" else _phone
    workers = [
        threading.Thread(target=_until, args=(loop, base, villages, deadline, result, lock, n)) for n in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return result


def _until(loop, base, villages, deadline, result, lock, n) -> None:
    i = 0
    while time.time() < deadline:  # bounded by the deadline; each request by TIMEOUT
        i += 1
        try:
            record = loop(base, villages[(n + i) % len(villages)])
        except (OSError, ValueError, http.client.HTTPException) as error:
            record = {"error": f"{type(error).__name__}: {str(error)[:80]}"}
        if time.time() > deadline and "error" not in record:
            if record.get("code"):  # acknowledged after the window: checked, not counted in the rate
                with lock:
                    result["codes"].append(record["code"])
            break
        with lock:
            if "error" in record:
                result["errors"].append(record["error"])
                continue
            result["main_ms"].append(record["main_ms"])
            if "form_ms" in record:
                result["form_ms"].append(record["form_ms"])
            if record.get("code"):
                result["codes"].append(record["code"])


def _hello(base: str, _village: str) -> dict:
    start = time.perf_counter()
    status, _cookies, _body = _request(base, "GET", "/bench/hello")
    if status != 200:
        return {"error": f"hello {status}"}
    return {"main_ms": (time.perf_counter() - start) * 1000}


def _phone(base: str, village: str) -> dict:
    """One villager's phone, new to the site: open the form, fill it in, submit, read the case number."""
    path = f"/complain?village={village}"
    start = time.perf_counter()
    status, cookies, page = _request(base, "GET", path)
    form_ms = (time.perf_counter() - start) * 1000
    fields = dict(HIDDEN.findall(page))
    if status != 200 or set(fields) != {"csrf_token", "ticket"}:
        return {"error": f"form {status} without csrf_token/ticket"}
    fields |= {
        "category": secrets.choice(CATEGORIES),
        "identity": "anonymous",
        "name": "",
        "phone": "",
        "website": "",
        "text": f"村道路灯坏了两个月没人修，晚上出行不便。基准测试 {secrets.token_hex(4)}",
    }
    body, content_type = multipart(fields)
    start = time.perf_counter()
    status, _cookies, done = _request(base, "POST", path, body, {"Content-Type": content_type, "Cookie": cookies})
    main_ms = (time.perf_counter() - start) * 1000
    found = CASE_CODE.search(done)
    if status != 200 or not found:
        return {"error": f"POST {status}" + ("" if found else ", no case number")}
    return {"main_ms": main_ms, "form_ms": form_ms, "code": found.group(1).strip()}


def _request(
    base: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, str, str]:
    """One request on its own connection, as gunicorn's sync workers close each one: status, the
    cookies it set (as a Cookie header), the body. http.client, not urllib: the load generator
    shares the server's two CPUs, so its own cost is kept small."""
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        page = response.read().decode()
        cookies = "; ".join(value.split(";", 1)[0] for value in response.headers.get_all("Set-Cookie") or [])
        return response.status, cookies, page
    finally:
        connection.close()


def percentiles(values: list[float]) -> dict:
    if len(values) < 2:
        return {"p50": float("nan"), "p95": float("nan")}
    cuts = statistics.quantiles(values, n=100)
    return {"p50": cuts[49], "p95": cuts[94]}


# Zero lost ----------------------------------------------------------------------------------------


def check_database(uri: str, acknowledged: list[str]) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(uri)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT code, idempotency_key FROM complaints")).all()
    engine.dispose()
    stored = [code for code, _ in rows]
    stored_set = set(stored)
    return {
        "acknowledged": len(acknowledged),
        "distinct_acknowledged": len(set(acknowledged)),
        "in_db": len(stored),
        "lost": len(set(acknowledged) - stored_set),
        "duplicate_codes_in_db": len(stored) - len(stored_set),
        "duplicate_keys_in_db": len([k for _, k in rows]) - len({k for _, k in rows}),
        "unacknowledged_in_db": len(stored_set - set(acknowledged)),
    }


# The form page's weight ---------------------------------------------------------------------------


def form_size(base: str, village: str) -> dict:
    """Body bytes on the wire for the form page and what it references, as sent with and without
    Accept-Encoding: gzip (urllib does not decompress, so len(body) is what travelled)."""
    sizes = {}
    for encoding in ("identity", "gzip"):
        html, sent_encoding = _get(f"{base}/complain?village={village}", encoding)
        page = gzip.decompress(html).decode() if sent_encoding == "gzip" else html.decode()
        refs = re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', page)
        refs += re.findall(r'<script[^>]*src="([^"]+)"', page)
        parts = {"html": (len(html), sent_encoding, len(gzip.compress(page.encode(), 6)))}
        for ref in refs:
            body, enc = _get(urllib.parse.urljoin(base + "/", ref), encoding)
            plain = gzip.decompress(body) if enc == "gzip" else body
            parts[ref] = (len(body), enc, len(gzip.compress(plain, 6)))
            for inner in re.findall(rb"url\(([^)]+)\)", plain):  # fonts/images the CSS pulls in
                target = inner.strip(b"'\" ").decode()
                if not target.startswith("data:"):
                    body, enc = _get(urllib.parse.urljoin(base + ref, target), encoding)
                    parts[target] = (len(body), enc, len(body))
        sizes[encoding] = parts
    sizes["scripts"] = len(re.findall(r"<script", page))
    return sizes


def _get(url: str, encoding: str) -> tuple[bytes, str]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return response.read(), response.headers.get("Content-Encoding", "identity")


# Report -----------------------------------------------------------------------------------------


def table(backend: str, hello: dict, filing: dict, check: dict, size: dict, args) -> str:
    server = (
        f"gunicorn -w {args.workers} "
        + (f"gthread --threads {args.threads}" if args.threads > 1 else "sync")
        + f", rate limits in {args.limits.split('://')[0]}"
    )
    met = filing["rate"] >= TARGET_PER_SECOND and check["lost"] == 0
    cpu = filing["cpu"]
    lines = [
        f"### {backend}",
        "",
        f"{server}, {args.clients} simulated phones ({args.procs} processes), {args.duration:g} s per run, "
        f"load generator on the same 2 CPUs.",
        "",
        "| run | rate /s | p50 ms | p95 ms | errors |",
        "|---|---:|---:|---:|---:|",
        f"| hello world (GET) | {hello['rate']:,.0f} | {hello['main']['p50']:.1f} | "
        f"{hello['main']['p95']:.1f} | {hello['errors']} |",
        f"| **filing: POST answered by the done page** | **{filing['rate']:,.1f}** | {filing['main']['p50']:.1f} | "
        f"{filing['main']['p95']:.1f} | {filing['errors']} |",
        f"| form GET (same phones, before each POST) | {filing['form_rate']:,.1f} | "
        f"{filing['form']['p50']:.1f} | {filing['form']['p95']:.1f} | — |",
        "",
        f"Filings/s ÷ hello req/s: **{filing['rate'] / hello['rate']:.1%}** (a filing is 2 requests, "
        f"form and POST: {2 * filing['rate'] / hello['rate']:.1%} of hello's request rate). "
        f"Target ≥ {TARGET_PER_SECOND}/s: **{'met' if met else 'MISSED'}**.",
        "",
        f"CPU per filing (form + POST): gunicorn workers {cpu['workers']:.1f} ms"
        + (f", PostgreSQL {cpu['postgres']:.1f} ms" if backend == "postgresql" else "")
        + f", load generator {cpu['generator']:.1f} ms; the two CPUs were {cpu['busy']:.0%} busy.",
        "",
        f"Zero lost: {check['acknowledged']} case numbers acknowledged ({check['distinct_acknowledged']} distinct), "
        f"{check['in_db']} complaints in the database, **{check['lost']} lost**, "
        f"{check['duplicate_codes_in_db']} duplicate codes, {check['duplicate_keys_in_db']} duplicate "
        f"idempotency keys, {check['unacknowledged_in_db']} stored but not acknowledged "
        "(a phone whose answer came after the deadline is still checked).",
    ]
    if filing["error_samples"]:
        lines.append(f"Errors seen: {', '.join(filing['error_samples'])}.")
    lines += [
        "",
        "Form page, body bytes transferred (cold cache):",
        "",
        "| resource | sent without gzip | sent with Accept-Encoding: gzip | if gzipped (level 6) |",
        "|---|---:|---:|---:|",
    ]
    totals = [0, 0, 0]
    for name in size["identity"]:
        plain, zipped = size["identity"][name], size["gzip"].get(name, (0, "?", 0))
        totals = [totals[0] + plain[0], totals[1] + zipped[0], totals[2] + plain[2]]
        lines.append(f"| {name} | {plain[0]:,} | {zipped[0]:,} ({zipped[1]}) | {plain[2]:,} |")
    lines.append(f"| **total** (budget {FORM_BUDGET:,}) | **{totals[0]:,}** | **{totals[1]:,}** | **{totals[2]:,}** |")
    lines += ["", f"`<script>` tags on the form page: {size['scripts']}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
