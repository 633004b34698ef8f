"""PostgreSQL stopped and started again under filing load, --cycles times.

    .venv/bin/python bench/faults/pg_restart.py [--cycles 3] [--down 8] [--phones 8]

Own PostgreSQL, Redis and gunicorn -w 4 (bench/faults/rig.py). Phones file complaints with a
photo without pause, and a probe asks /readyz and a village page every 0.1 s. Each cycle:
`pg_ctl stop -m fast` (every open connection is cut), --down seconds, `pg_ctl start -w`; "back" is
the moment pg_ctl start returns (the server accepts connections). Measured: what was answered while
it was down (503 expected, never a 500), and how long after "back" the last request started after
it still failed, per kind (filing, form, page, readyz), for requests started within 10 s of it. Then the audit: every acknowledged case exists
once, every case whole, no file left after a prune. Exit 1 on a 500, a lost case, or a recovery
over 5 s.
"""

import argparse
import json
import sys
import threading
import time
from dataclasses import dataclass

from rig import Load, Rig, audit, log, request, stamp

RECOVERY_TARGET = 5.0
WATCHED = 10.0  # seconds after "back" whose requests are judged; the next cycle stops at 12


@dataclass
class Answer:
    kind: str
    started: float
    ended: float
    status: int | None


class Probe(threading.Thread):
    """GET /readyz and a public page every 0.1 s."""

    def __init__(self, base: str, page: str):
        super().__init__(daemon=True)
        self.base, self.page, self.answers, self.stopping = base, page, [], threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for kind, path in (("readyz", "/readyz"), ("page", self.page)):
                started = time.time()
                try:
                    status = request(self.base, "GET", path)[0]
                except OSError:
                    status = None
                self.answers.append(Answer(kind, started, time.time(), status))
            time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--down", type=float, default=8)
    parser.add_argument("--phones", type=int, default=8)
    args = parser.parse_args()
    when, cycles = stamp(), []
    with Rig() as rig:
        probe = Probe(rig.base, f"/r/{rig.villages[0]}")
        probe.start()
        with Load(rig.base, rig.villages, phones=args.phones) as load:
            time.sleep(5)
            for n in range(args.cycles):
                stopped = time.time()
                rig.postgres.stop("fast")
                time.sleep(args.down)
                rig.postgres.start()
                back = time.time()
                log(f"cycle {n + 1}: down {back - stopped:.1f} s")
                time.sleep(12)
                cycles.append((stopped, back))
            load.__exit__(None, None, None)
        probe.stopping.set()
        probe.join(10)
        answers = probe.answers + [
            Answer("filing", o.started, o.ended, o.status)
            for o in load.outcomes
            if o.form_status == 200 or o.status is not None
        ]
        forms = [Answer("form", o.started, o.ended, o.form_status) for o in load.outcomes]
        result = audit(rig, load.acknowledged)
    report = {
        "when": when,
        "cycles": [summary(answers + forms, stopped, back) for stopped, back in cycles],
        "statuses_overall": counts(answers + forms),
        "filings_tried": len(load.outcomes),
        **result,
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))
    worst = max(kind["recovered_after_s"] or 0 for cycle in report["cycles"] for kind in cycle["after_back"].values())
    ok = (
        result["lost"] == 0
        and result["half_written"] == 0
        and result["orphans_after_prune"] == 0
        and "500" not in report["statuses_overall"]
        and worst < RECOVERY_TARGET
    )
    return 0 if ok else 1


def summary(answers: list[Answer], stopped: float, back: float) -> dict:
    """While down: what each kind of request was answered. After back: for each kind, the first
    success and the end of the last failure among requests that started after back (seconds)."""
    during = [a for a in answers if stopped + 0.5 <= a.started and a.ended <= back]
    after: dict = {}
    for kind in ("filing", "form", "page", "readyz"):
        mine = [a for a in answers if a.kind == kind and back <= a.started <= back + WATCHED]
        failed = [a.ended - back for a in mine if a.status != 200]
        failed_statuses = counts([a for a in mine if a.status != 200])
        succeeded = [a.ended - back for a in mine if a.status == 200]
        after[kind] = {
            "first_success_s": round(min(succeeded), 2) if succeeded else None,
            "recovered_after_s": round(max(failed), 2) if failed else 0.0,
            "failures": failed_statuses,
            "answers": len(mine),
        }
    slowest = max((a.ended - a.started for a in during), default=0)
    return {
        "down_s": round(back - stopped, 1),
        "while_down": {
            kind: counts([a for a in during if a.kind == kind]) for kind in ("filing", "form", "page", "readyz")
        },
        "slowest_answer_while_down_s": round(slowest, 2),
        "after_back": after,
    }


def counts(answers: list[Answer]) -> dict:
    found: dict = {}
    for answer in answers:
        found[str(answer.status)] = found.get(str(answer.status), 0) + 1
    return found


if __name__ == "__main__":
    sys.exit(main())
