"""kill -9 of a gunicorn worker at random moments during filings, --kills times (default 100).

    .venv/bin/python bench/faults/kill_workers.py [--kills 100] [--phones 8] [--gap 0.3 1.2]

Own PostgreSQL, Redis and gunicorn -w 4 (bench/faults/rig.py). Phones file complaints with a
photo without pause; a phone whose POST gets no answer (its worker died) sends the same form with
the same ticket once more, as complaint-form.js does. Every 0.3–1.2 s (random, --gap) one worker gets
SIGKILL, one in the middle of a request (it holds an accepted connection; not one still booting);
the master starts another. Then:
every case number a phone was shown exists exactly once, every case is whole (clocks, its
received event, its photo row and file), and after one `flask uploads prune` no file is left
that no case names. Exit 1 if any of that fails.
"""

import argparse
import json
import os
import random
import signal
import sys
import time

from rig import Load, Rig, audit, log, stamp


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--phones", type=int, default=8)
    parser.add_argument(
        "--gap",
        type=float,
        nargs=2,
        default=(0.3, 1.2),
        metavar=("MIN", "MAX"),
        help="seconds between kills, drawn uniformly (a respawned worker needs a few to boot)",
    )
    args = parser.parse_args()
    when = stamp()
    with Rig() as rig, Load(rig.base, rig.villages, phones=args.phones) as load:
        time.sleep(2)
        kills, busy = 0, 0
        started = time.time()
        while kills < args.kills:
            time.sleep(random.uniform(*args.gap))
            victim, was_busy = _victim(rig)
            if victim is None:
                continue
            try:
                os.kill(victim, signal.SIGKILL)
            except ProcessLookupError:
                continue
            kills, busy = kills + 1, busy + was_busy
            if kills % 20 == 0:
                log(f"{kills} kills, {len(load.outcomes)} filings so far")
        seconds = time.time() - started
        time.sleep(3)  # the last retries land
        load.__exit__(None, None, None)
        outcomes = load.outcomes
        result = audit(rig, load.acknowledged)
    dropped = sum(1 for o in outcomes if any(e.startswith("post") for e in o.errors))
    form_failed = sum(1 for o in outcomes if o.form_status is None)
    statuses: dict = {}
    for outcome in outcomes:
        statuses[str(outcome.status)] = statuses.get(str(outcome.status), 0) + 1
    report = {
        "when": when,
        "gap_s": args.gap,
        "kills": kills,
        "seconds": round(seconds, 1),
        "kills_of_a_busy_worker": busy,
        "filings_tried": len(outcomes),
        "forms_without_answer": form_failed,
        "posts_without_answer": dropped,
        "retried_then_acknowledged": sum(1 for o in outcomes if o.attempts > 1 and o.code),
        "final_statuses": statuses,
        **result,
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))
    ok = (
        result["lost"] == 0
        and result["duplicate_codes"] == 0
        and result["duplicate_keys"] == 0
        and result["half_written"] == 0
        and result["photo_rows_without_file_after_prune"] == 0
        and result["orphans_after_prune"] == 0
        and "500" not in statuses
    )
    return 0 if ok else 1


def _victim(rig: Rig) -> tuple[int | None, bool]:
    """A worker in the middle of a request: it holds an accepted connection on gunicorn's port
    (a worker still booting after the last kill holds none). Looked for during 15 s."""
    port = int(rig.base.rsplit(":", 1)[1])
    for _ in range(300):
        connected = _client_sockets(port)
        busy = [pid for pid in rig.worker_pids() if _socket_inodes(pid) & connected]
        if busy:
            return random.choice(busy), True
        time.sleep(0.05)
    return None, False


def _client_sockets(port: int) -> set[str]:
    """Inodes of established connections whose local end is `port` (the server side of a request)."""
    found = set()
    for line in open("/proc/net/tcp").readlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
            found.add(fields[9])
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in os.scandir(f"/proc/{pid}/fd"):
            target = os.readlink(fd.path)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


if __name__ == "__main__":
    sys.exit(main())
