"""Every open warning as CSV for commission staff (RULES.md): the subject in full — an ID number or
account is decrypted here, for this export only."""

import csv
import io

from sqlalchemy import func, select

from complaints.models import Complaint
from core.extensions import db
from core.fields import field_cipher
from core.tabular import neutralise_formula
from rules.models import RuleEvidence, RuleWarning
from rules.state import is_open

HEADER = ("rule", "grade", "village_code", "subject", "summary", "evidence_count")


def open_warnings():
    """Open warnings with their evidence counts, in rule, village and subject order."""
    evidence = select(RuleEvidence.warning_id, func.count().label("count")).group_by(RuleEvidence.warning_id).subquery()
    return (
        select(RuleWarning, func.coalesce(evidence.c.count, 0))
        .join(Complaint, Complaint.id == RuleWarning.complaint_id)
        .outerjoin(evidence, evidence.c.warning_id == RuleWarning.id)
        .where(is_open())
        .order_by(RuleWarning.rule_code, RuleWarning.village_code, RuleWarning.subject_key)
    )


def subject_of(warning: RuleWarning) -> str:
    """The subject in full (decrypted when it is an ID number or an account)."""
    return field_cipher().decrypt(warning.subject_cipher) if warning.subject_cipher else warning.subject_key


def export_csv() -> str:
    """The export's text: UTF-8, the RULES.md header, one line per open warning."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    rows = [
        (warning.rule_code, warning.grade, warning.village_code, subject_of(warning), warning.summary, count)
        for warning, count in db.session.execute(open_warnings())
    ]
    rows.sort(key=lambda row: (row[0], row[2], row[3]))
    for rule, grade, village, subject, summary, count in rows:
        writer.writerow((rule, grade, village, neutralise_formula(subject), neutralise_formula(summary), count))
    return buffer.getvalue()
