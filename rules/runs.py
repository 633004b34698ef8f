"""Run the rules: a run is recorded before it starts (so the admins' page shows it queued or
running), does all its work in one transaction, and ends succeeded with its counts or failed
with the reason — in which case nothing it did is kept."""

import json
import logging
from datetime import date
from time import perf_counter

from sqlalchemy import func, select, update

from complaints.models import Complaint
from core.audit import record_audit
from core.db import utcnow
from core.extensions import db
from core.timezone import local_date
from rules.engine import _lock, collect_hits, hit_counts, merge_hits, open_counts
from rules.fingerprint import data_fingerprint
from rules.models import RuleRun, RuleWarning, RunState
from rules.registry import BUILTIN
from rules.state import CLEARED

log = logging.getLogger(__name__)


def active_rules() -> dict:
    """Every rule a run applies, by code: the built-in ones and the saved custom ones."""
    from rules.custom.registry import custom_rules

    return {rule.code: rule for rule in (*BUILTIN, *custom_rules())}


def queue_run(*, as_of: date | None = None, trigger: str, by=None) -> RuleRun:
    """Record a run waiting to start; one transaction."""
    run = RuleRun(
        as_of=as_of,
        trigger=trigger,
        state=RunState.QUEUED,
        requested_at=utcnow(),
        requested_by_id=getattr(by, "id", None),
    )
    db.session.add(run)
    db.session.commit()
    return run


def _per_rule(run: RuleRun, codes, timings: dict, hits: dict, now) -> dict:
    new = dict(
        db.session.execute(
            select(RuleWarning.rule_code, func.count())
            .where(RuleWarning.created_run_id == run.id)
            .group_by(RuleWarning.rule_code)
        ).all()
    )
    cleared = dict(
        db.session.execute(
            select(RuleWarning.rule_code, func.count())
            .join(Complaint, Complaint.id == RuleWarning.complaint_id)
            .where(Complaint.classification == CLEARED, Complaint.closed_at == now)
            .group_by(RuleWarning.rule_code)
        ).all()
    )
    opened = open_counts(codes)
    return {
        code: {
            "hits": hits.get(code, 0),
            "new": new.get(code, 0),
            "cleared": cleared.get(code, 0),
            "open": opened.get(code, 0),
            "ms": timings.get(code, 0),
        }
        for code in codes
    }


def _unchanged_since(run: RuleRun) -> RuleRun | None:
    """The last successful run, if this one would find exactly what it found."""
    if run.fingerprint is None:
        return None
    last = db.session.scalar(
        select(RuleRun)
        .where(RuleRun.state == RunState.SUCCEEDED, RuleRun.id != run.id)
        .order_by(RuleRun.id.desc())
        .limit(1)
    )
    return last if last is not None and last.fingerprint == run.fingerprint else None


def _skip(run: RuleRun, last: RuleRun, clock: float) -> None:
    counts = {
        code: numbers | {"new": 0, "cleared": 0, "ms": 0}
        if code != "_total"
        else {"new": 0, "cleared": 0, "reopened": 0}
        for code, numbers in last.counts_dict.items()
    }
    run.counts, run.skipped = json.dumps(counts, ensure_ascii=False), True
    run.state, run.finished_at = RunState.SUCCEEDED, utcnow()
    run.duration_ms = round((perf_counter() - clock) * 1000)
    db.session.commit()


def execute_run(run_id: int, *, force: bool = False) -> RuleRun:
    """Do a queued run now; it ends succeeded or failed, never half done. Nothing changed since
    the last successful run (same fingerprint), it is done at once, unless `force`.

    Idempotent, so that a job delivered twice, or taken by two workers on two hosts, runs once:
    the run is claimed by the one statement that moves it from queued to running, and a run
    already claimed is returned as it stands."""
    started, clock = utcnow(), perf_counter()
    claimed = db.session.execute(
        update(RuleRun)
        .where(RuleRun.id == run_id, RuleRun.state == RunState.QUEUED)
        .values(state=RunState.RUNNING, started_at=started)
    ).rowcount
    db.session.commit()
    run = db.session.get(RuleRun, run_id)
    if not claimed:
        return run
    run.as_of = run.as_of or local_date(started)
    db.session.commit()
    try:
        _lock()
        run.fingerprint = data_fingerprint(run.as_of)
        last = None if force else _unchanged_since(run)
        if last is not None:
            _skip(run, last, clock)
            return run
        rules = active_rules()
        timings = collect_hits(rules.values(), run.id, run.as_of)
        hits = hit_counts(run.id)
        totals = merge_hits(rules, run.id, now=started, as_of=run.as_of)
        run.counts = json.dumps(_per_rule(run, rules, timings, hits, started) | {"_total": totals}, ensure_ascii=False)
        run.state, run.finished_at = RunState.SUCCEEDED, utcnow()
        run.duration_ms = round((perf_counter() - clock) * 1000)
        record_audit(
            "rules.run",
            target_type="rule_run",
            target_id=run.id,
            actor=_requester(run),
            detail={"as_of": run.as_of.isoformat(), "trigger": run.trigger, **totals},
        )
        db.session.commit()
    except Exception as error:  # noqa: BLE001 — whatever failed, the run says so and keeps nothing
        db.session.rollback()
        log.exception("rule run %s failed", run_id)
        run = db.session.get(RuleRun, run_id)
        run.state, run.finished_at, run.error = RunState.FAILED, utcnow(), _reason(error)
        run.duration_ms = round((perf_counter() - clock) * 1000)
        db.session.commit()
    return run


def _requester(run: RuleRun):
    from core.users.models import User

    return db.session.get(User, run.requested_by_id) if run.requested_by_id else None


def _reason(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"{type(error).__name__}: {text}"[:1000]


def run_rules(*, as_of: date | None = None, trigger: str = "cli", by=None, force: bool = False) -> RuleRun:
    """Queue and execute a run at once (the command line and tests)."""
    return execute_run(queue_run(as_of=as_of, trigger=trigger, by=by).id, force=force)
