"""Redis (the rate limits' shared store) stopped under filing load, then started again.

    .venv/bin/python bench/faults/redis_stop.py [--up 8] [--down 20] [--after 40] [--phones 8]

Own PostgreSQL, Redis and gunicorn -w 4 (bench/faults/rig.py), with the product's own per-device
limit (5 filings an hour) instead of the filing bench's loosened one. Phones file with a photo
without pause, each a new device; beside them one greedy device files again and again from the
same cookie, and a probe asks /readyz every 0.2 s. Phases: --up seconds with Redis, --down seconds
after `redis-server` is stopped (SIGTERM), --after seconds once it runs again (same port, empty).
Measured per phase: every answer's status (no 500 expected), filings accepted, and how many the
greedy device got through: at most 5 with Redis, at most 5 per worker (20) while each worker
counts alone. Then the audit. Exit 1 on a 500, a lost case, or the greedy device over its bound.
"""

import argparse
import json
import sys
import threading
import time

from rig import Load, Rig, audit, file_once, log, request, stamp

DEVICE_LIMIT = 5


class Greedy(threading.Thread):
    """One device (one cookie jar) filing every 0.2 s."""

    def __init__(self, base: str, village: str):
        super().__init__(daemon=True)
        self.base, self.village, self.cookies = base, village, {}
        self.outcomes, self.stopping = [], threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.outcomes.append(file_once(self.base, self.village, cookies=self.cookies, retries=0))
            time.sleep(0.2)


class Ready(threading.Thread):
    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.base, self.answers, self.stopping = base, [], threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            started = time.time()
            try:
                status, _cookies, body = request(self.base, "GET", "/readyz")
                status = f"{status} {json.loads(body)['status']}"
            except (OSError, ValueError):
                status = None
            self.answers.append((started, status))
            time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--up", type=float, default=8)
    parser.add_argument("--down", type=float, default=20)
    parser.add_argument("--after", type=float, default=40)
    parser.add_argument("--phones", type=int, default=8)
    args = parser.parse_args()
    when = stamp()
    with Rig(env={"BENCH_LIMIT_PER_DEVICE": f"{DEVICE_LIMIT} per hour"}) as rig:
        greedy, ready = Greedy(rig.base, rig.villages[0]), Ready(rig.base)
        with Load(rig.base, rig.villages, phones=args.phones) as load:
            greedy.start()
            ready.start()
            start = time.time()
            time.sleep(args.up)
            rig.redis.stop()
            stopped = time.time()
            log("redis stopped")
            time.sleep(args.down)
            rig.redis.start()
            back = time.time()
            log("redis back")
            time.sleep(args.after)
            greedy.stopping.set()
            ready.stopping.set()
            load.__exit__(None, None, None)
            end = time.time()
        greedy.join(60)
        ready.join(10)
        result = audit(rig, load.acknowledged + [o.code for o in greedy.outcomes if o.code])
    phases = {"redis up": (start, stopped), "redis stopped": (stopped, back), "redis back": (back, end)}
    report = {
        "when": when,
        "phases": {name: phase(load.outcomes, greedy.outcomes, ready.answers, *span) for name, span in phases.items()},
        **result,
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))
    greedy_bound = {"redis up": DEVICE_LIMIT, "redis stopped": DEVICE_LIMIT * rig.workers}
    ok = (
        result["lost"] == 0
        and result["half_written"] == 0
        and result["orphans_after_prune"] == 0
        and all("500" not in p["statuses"] for p in report["phases"].values())
        and all(report["phases"][name]["greedy_device_accepted"] <= bound for name, bound in greedy_bound.items())
    )
    return 0 if ok else 1


def phase(outcomes, greedy, ready, start: float, end: float) -> dict:
    mine = [o for o in outcomes if start <= o.started < end]
    statuses: dict = {}
    for o in mine + [g for g in greedy if start <= g.started < end]:
        for status in (o.form_status, o.status):
            statuses[str(status)] = statuses.get(str(status), 0) + 1
    readyz: dict = {}
    for started, status in ready:
        if start <= started < end:
            readyz[str(status)] = readyz.get(str(status), 0) + 1
    mine_greedy = [g for g in greedy if start <= g.started < end]
    return {
        "seconds": round(end - start, 1),
        "filings_tried": len(mine),
        "filings_accepted": sum(1 for o in mine if o.code),
        "statuses": statuses,
        "greedy_device_accepted": sum(1 for g in mine_greedy if g.code),
        "greedy_device_refused_429": sum(1 for g in mine_greedy if g.status == 429),
        "readyz": readyz,
    }


if __name__ == "__main__":
    sys.exit(main())
