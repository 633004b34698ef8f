"""One run of the rules: each rule's query writes its evidence rows into rule_hits, then a few
set-based statements merge them into warnings (RULES.md):

- a subject with hits and no warning, or whose warning a handler closed while the hits bring
  evidence that warning does not have, gets a new warning (linked to the closed one);
- a warning a run had marked 已消除 whose subject is hit again is open again;
- hits add the evidence the open warning does not have yet — never a second warning;
- an open warning of a rule that ran, whose subject has no hits as of the run's date, is 已消除.

The whole run is one transaction: a failure leaves warnings exactly as they were."""

from datetime import date, datetime
from time import perf_counter

from sqlalchemy import and_, case, delete, exists, func, insert, literal, not_, select, text, update
from sqlalchemy.orm import aliased

from complaints.models import CaseClock, CaseEvent, ClockKind, Complaint, Status
from core.bulk import bulk_insert
from core.extensions import db
from core.regions.models import Region
from rules.cases import NewWarning, open_cases
from rules.hits import RunContext
from rules.models import RuleEvidence, RuleHit, RuleWarning
from rules.settings import all_county_params, pairs_table, params_table
from rules.state import CLEARED, FINISHED, is_cleared, is_closed, is_open

LOCK_KEY = 620_426_012  # one run at a time on PostgreSQL (SQLite's write lock does the same)
HIT_COLUMNS = ["run_id", "rule_code", "village_code", "subject_key", "subject_cipher", "source", "row_id"]


def _lock() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def collect_hits(rules, run_id: int, as_of: date) -> dict[str, int]:
    """Each rule's query into rule_hits; milliseconds per rule."""
    counties = all_county_params()
    context = RunContext(as_of, params_table(counties, as_of), pairs_table(counties))
    timings = {}
    for rule in rules:
        started = perf_counter()
        if rule.fetch is not None:
            bulk_insert(
                RuleHit.__table__,
                [
                    {
                        "run_id": run_id,
                        "rule_code": rule.code,
                        "village_code": found.village_code,
                        "subject_key": found.subject_key,
                        "subject_cipher": found.subject_cipher,
                        "source": found.source,
                        "row_id": found.row_id,
                    }
                    for found in rule.fetch(context)
                ],
            )
            timings[rule.code] = round((perf_counter() - started) * 1000)
            continue
        found = rule.query(context).subquery("found")
        db.session.execute(
            insert(RuleHit).from_select(
                HIT_COLUMNS,
                select(
                    literal(run_id),
                    literal(rule.code),
                    found.c.village_code,
                    found.c.subject_key,
                    found.c.subject_cipher,
                    found.c.source,
                    found.c.row_id,
                ),
            )
        )
        timings[rule.code] = round((perf_counter() - started) * 1000)
    return timings


def _hits(run_id: int):
    return select(RuleHit).where(RuleHit.run_id == run_id).subquery("hits")


def _latest():
    """Each subject's newest warning (the only one that can be open)."""
    newest = (
        select(
            RuleWarning.rule_code,
            RuleWarning.village_code,
            RuleWarning.subject_key,
            func.max(RuleWarning.sequence).label("sequence"),
        )
        .group_by(RuleWarning.rule_code, RuleWarning.village_code, RuleWarning.subject_key)
        .subquery()
    )
    return (
        select(
            RuleWarning.id,
            RuleWarning.rule_code,
            RuleWarning.village_code,
            RuleWarning.subject_key,
            RuleWarning.sequence,
            RuleWarning.complaint_id,
        )
        .join(
            newest,
            and_(
                newest.c.rule_code == RuleWarning.rule_code,
                newest.c.village_code == RuleWarning.village_code,
                newest.c.subject_key == RuleWarning.subject_key,
                newest.c.sequence == RuleWarning.sequence,
            ),
        )
        .subquery("latest")
    )


def _same_subject(a, b):
    return and_(a.rule_code == b.rule_code, a.village_code == b.village_code, a.subject_key == b.subject_key)


def _new_warnings(run_id: int) -> list[NewWarning]:
    """Subjects hit that need a new warning: none yet, or a closed one and evidence it lacks."""
    hits, latest = _hits(run_id), _latest()
    keys = (
        select(
            hits.c.rule_code,
            hits.c.village_code,
            hits.c.subject_key,
            func.max(hits.c.subject_cipher).label("subject_cipher"),
        )
        .group_by(hits.c.rule_code, hits.c.village_code, hits.c.subject_key)
        .subquery("keys")
    )
    more = aliased(RuleHit)
    unseen = exists().where(
        more.run_id == run_id,
        _same_subject(more, keys.c),
        not_(
            exists().where(
                RuleEvidence.warning_id == latest.c.id,
                RuleEvidence.source == more.source,
                RuleEvidence.row_id == more.row_id,
            )
        ),
    )
    rows = db.session.execute(
        select(
            keys.c.rule_code,
            keys.c.village_code,
            Region.parent_code,
            keys.c.subject_key,
            keys.c.subject_cipher,
            latest.c.id,
            latest.c.sequence,
        )
        .join(Region, Region.code == keys.c.village_code)
        .outerjoin(latest, _same_subject(latest.c, keys.c))
        .outerjoin(Complaint, Complaint.id == latest.c.complaint_id)
        .where(latest.c.id.is_(None) | and_(is_closed(), unseen))
        .order_by(keys.c.rule_code, keys.c.village_code, keys.c.subject_key)
    )
    return [
        NewWarning(rule, village, township, key, cipher, previous, (sequence or 0) + 1)
        for rule, village, township, key, cipher, previous, sequence in rows
    ]


def _event(chosen, kind: str, body: str, now: datetime) -> None:
    """An internal timeline event on each case whose id `chosen` selects."""
    db.session.execute(
        insert(CaseEvent).from_select(
            ["complaint_id", "at", "kind", "is_public", "body", "actor_label"],
            select(
                chosen.c.id, literal(now, CaseEvent.at.type), literal(kind), literal(False), literal(body), literal("")
            ),
        )
    )


def _reopen_cleared(run_id: int, now: datetime) -> int:
    """Warnings marked 已消除 whose subject is hit again: their cases go back into the queue."""
    hits, latest = _hits(run_id), _latest()
    chosen = (
        select(Complaint.id)
        .join(latest, latest.c.complaint_id == Complaint.id)
        .where(is_cleared(), exists().where(_same_subject(hits.c, latest.c)))
        .subquery()
    )
    ids = db.session.scalars(select(chosen.c.id)).all()
    if not ids:
        return 0
    _event(chosen, "rule_reopened", "预警条件再次成立，重新进入办理", now)
    verified = exists().where(
        CaseClock.complaint_id == Complaint.id, CaseClock.kind == ClockKind.VERIFY, CaseClock.met_at.is_not(None)
    )
    next_due = (
        select(func.min(CaseClock.due_at))
        .where(CaseClock.complaint_id == Complaint.id, CaseClock.met_at.is_(None), CaseClock.paused_at.is_(None))
        .scalar_subquery()
    )
    db.session.execute(
        update(Complaint)
        .where(Complaint.id.in_(ids))
        .values(
            status=case((verified, Status.IN_PROGRESS.value), else_=Status.RECEIVED.value),
            queue_rank=1,
            classification="",
            result="",
            closed_at=None,
            next_due_at=next_due,
        )
        .execution_options(synchronize_session=False)
    )
    return len(ids)


def _add_evidence(run_id: int) -> None:
    """Hits become evidence of their subject's open warning, each row once."""
    hits, latest = _hits(run_id), _latest()
    rows = (
        select(latest.c.id, hits.c.source, hits.c.row_id, literal(run_id))
        .join(hits, _same_subject(hits.c, latest.c))
        .join(Complaint, Complaint.id == latest.c.complaint_id)
        .where(
            is_open(),
            not_(
                exists().where(
                    RuleEvidence.warning_id == latest.c.id,
                    RuleEvidence.source == hits.c.source,
                    RuleEvidence.row_id == hits.c.row_id,
                )
            ),
        )
        .distinct()
    )
    db.session.execute(insert(RuleEvidence).from_select(["warning_id", "source", "row_id", "run_id"], rows))


def _clear(codes: list[str], run_id: int, now: datetime, as_of: date) -> int:
    """Open warnings of these rules with no hits this run are 已消除, their cases closed as such."""
    hits = _hits(run_id)
    chosen = (
        select(Complaint.id)
        .join(RuleWarning, RuleWarning.complaint_id == Complaint.id)
        .where(is_open(), RuleWarning.rule_code.in_(codes), not_(exists().where(_same_subject(hits.c, RuleWarning))))
        .subquery()
    )
    ids = db.session.scalars(select(chosen.c.id)).all()
    if not ids:
        return 0
    result = f"截至{as_of.isoformat()}，预警条件已不成立，由规则运行自动消除"
    _event(chosen, "rule_cleared", result, now)
    db.session.execute(
        update(Complaint)
        .where(Complaint.id.in_(ids))
        .values(status=Status.CLOSED.value, classification=CLEARED, result=result, closed_at=now, next_due_at=None)
        .execution_options(synchronize_session=False)
    )
    return len(ids)


def merge_hits(rules: dict, run_id: int, *, now: datetime, as_of: date) -> dict[str, int]:
    """Turn this run's hits into warnings, evidence and cleared warnings; totals of what changed."""
    new = _new_warnings(run_id)
    created = open_cases(new, rules, run_id=run_id, now=now)
    reopened = _reopen_cleared(run_id, now)
    _add_evidence(run_id)
    cleared = _clear(sorted(rules), run_id, now, as_of)
    db.session.execute(delete(RuleHit).where(RuleHit.run_id == run_id))
    return {"new": created, "reopened": reopened, "cleared": cleared}


def open_counts(codes) -> dict[str, int]:
    """Open warnings per rule code."""
    rows = db.session.execute(
        select(RuleWarning.rule_code, func.count())
        .join(Complaint, Complaint.id == RuleWarning.complaint_id)
        .where(is_open(), RuleWarning.rule_code.in_(list(codes)))
        .group_by(RuleWarning.rule_code)
    )
    return dict(rows.all())


def hit_counts(run_id: int) -> dict[str, int]:
    """Subjects hit per rule in this run (before the hits are emptied)."""
    subjects = (
        select(RuleHit.rule_code, RuleHit.village_code, RuleHit.subject_key)
        .where(RuleHit.run_id == run_id)
        .distinct()
        .subquery()
    )
    return dict(db.session.execute(select(subjects.c.rule_code, func.count()).group_by(subjects.c.rule_code)).all())


__all__ = ["FINISHED", "collect_hits", "hit_counts", "merge_hits", "open_counts", "_lock"]
