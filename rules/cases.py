"""New warnings as cases in the handlers' queue: a Complaint of channel 预警 with the grade's clock
(DEADLINES.md), written a table at a time — a first run over a county may raise thousands.

Such a case has no complainant and no tracking secret that could open it (its secret hash is
empty, which no secret matches), and the public pages and statistics leave channel 预警 out."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert

from complaints.clocks import deadline_for
from complaints.codes import reserve_numbers
from complaints.models import CaseClock, CaseEvent, Channel, ClockKind, Complaint, Status
from core.bulk import bulk_insert
from core.extensions import db
from core.fields import field_cipher
from core.timezone import local
from rules.models import RuleWarning

# DEADLINES.md: grade 1 within 24 hours; grade 2 within 3 working days; grade 3 no clock.
GRADE_CLOCKS = {1: (24, "hours"), 2: (3, "working")}
GRADE_LABELS = {1: "一级", 2: "二级", 3: "三级"}
SERIES = "YJ"  # warnings are numbered apart from complaints: YJ2026-629901101-0001


@dataclass(frozen=True)
class NewWarning:
    rule_code: str
    village_code: str
    township_code: str
    subject_key: str
    subject_cipher: str | None
    previous_id: int | None
    sequence: int


def subject_display(subject: str, private: bool) -> str:
    """How a case page and a summary show a subject: ID numbers and accounts partly hidden."""
    if not private or len(subject) < 8:
        return subject
    return subject[:6] + "*" * (len(subject) - 10) + subject[-4:]


def _codes(warnings: list[NewWarning], year: int) -> list[str]:
    by_township: dict[str, list[int]] = defaultdict(list)
    for position, warning in enumerate(warnings):
        by_township[warning.township_code].append(position)
    codes = [""] * len(warnings)
    for township, positions in sorted(by_township.items()):
        last = reserve_numbers(SERIES + township[:9], year, len(positions))
        for number, position in enumerate(positions, start=last - len(positions) + 1):
            codes[position] = f"{SERIES}{year}-{township[:9]}-{number:04d}"
    return codes


def open_cases(warnings: list[NewWarning], rules: dict, *, run_id: int, now: datetime) -> int:
    """Insert the warnings with their cases, clocks and first timeline event (flush only)."""
    if not warnings:
        return 0
    cipher = field_cipher()
    deadlines = {grade: deadline_for(now, amount, unit) for grade, (amount, unit) in GRADE_CLOCKS.items()}
    codes = _codes(warnings, local(now).year)
    summaries = []
    for warning in warnings:
        rule = rules[warning.rule_code]
        subject = cipher.decrypt(warning.subject_cipher) if warning.subject_cipher else warning.subject_key
        summaries.append(f"{rule.description}（{rule.subject}：{subject_display(subject, rule.is_private_subject)}）")
    cases = [
        {
            "code": code,
            "village_code": w.village_code,
            "township_code": w.township_code,
            "category": rules[w.rule_code].category.value,
            "channel": Channel.WARNING.value,
            "text": summary,
            "secret_hash": "",
            "received_at": now,
            "status": Status.RECEIVED.value,
            "queue_rank": 1,
            "next_due_at": deadlines[rules[w.rule_code].grade].at if rules[w.rule_code].grade in deadlines else None,
        }
        for w, code, summary in zip(warnings, codes, summaries)
    ]
    connection = db.session.connection()
    ids = (
        connection.execute(insert(Complaint).returning(Complaint.id, sort_by_parameter_order=True), cases)
        .scalars()
        .all()
    )
    clocks = [
        {
            "complaint_id": case_id,
            "kind": ClockKind.VERIFY.value,
            "starts_at": now,
            "amount": GRADE_CLOCKS[grade][0],
            "unit": GRADE_CLOCKS[grade][1],
            "due_at": deadlines[grade].at,
            "provisional": deadlines[grade].is_provisional,
        }
        for case_id, grade in ((case_id, rules[w.rule_code].grade) for case_id, w in zip(ids, warnings))
        if grade in GRADE_CLOCKS
    ]
    # Only the cases need their ids back; the rest go in by COPY on PostgreSQL (core/bulk.py).
    bulk_insert(CaseClock.__table__, clocks)
    bulk_insert(
        CaseEvent.__table__,
        [
            {
                "complaint_id": case_id,
                "at": now,
                "kind": "rule_raised",
                "is_public": False,
                "body": f"{GRADE_LABELS[rules[w.rule_code].grade]}预警：{rules[w.rule_code].title}",
            }
            for case_id, w in zip(ids, warnings)
        ],
    )
    bulk_insert(
        RuleWarning.__table__,
        [
            {
                "rule_code": w.rule_code,
                "village_code": w.village_code,
                "subject_key": w.subject_key,
                "subject_cipher": w.subject_cipher,
                "sequence": w.sequence,
                "grade": rules[w.rule_code].grade,
                "summary": summary,
                "complaint_id": case_id,
                "previous_id": w.previous_id,
                "created_run_id": run_id,
                "created_at": now,
            }
            for case_id, w, summary in zip(ids, warnings, summaries)
        ],
    )
    return len(ids)
