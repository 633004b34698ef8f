"""What the rules page reads: each rule's warnings by state and its hit rate, and recent runs."""

from dataclasses import dataclass

from sqlalchemy import case, func, select, true

from complaints.models import Complaint
from core.extensions import db
from core.users.models import User
from core.users.permissions import scope_filter
from rules.models import RuleRun, RuleWarning
from rules.state import CLEARED, CLOSED, OPEN, VERIFIED, state_of

RUNS_SHOWN = 20


@dataclass
class RuleCounts:
    open: int = 0
    cleared: int = 0
    closed: int = 0
    verified: int = 0

    @property
    def hit_rate(self) -> str:
        """转化率: closed warnings verified 属实 or 部分属实, of all a handler closed."""
        return f"{100 * self.verified / self.closed:.0f}%" if self.closed else "—"


def counts_by_rule(user: User | None = None) -> dict[str, RuleCounts]:
    """Warnings by rule and state, within the user's scope (all of them without a user)."""
    state = state_of()
    rows = db.session.execute(
        select(
            RuleWarning.rule_code,
            state,
            func.count(),
            func.sum(case((Complaint.classification.in_(VERIFIED), 1), else_=0)),
        )
        .join(Complaint, Complaint.id == RuleWarning.complaint_id)
        .where(scope_filter(user, RuleWarning.village_code) if user is not None else true())
        .group_by(RuleWarning.rule_code, state)
    )
    found: dict[str, RuleCounts] = {}
    for code, name, count, verified in rows:
        counts = found.setdefault(code, RuleCounts())
        if name == OPEN:
            counts.open = count
        elif name == CLEARED:
            counts.cleared = count
        elif name == CLOSED:
            counts.closed, counts.verified = count, verified or 0
    return found


def recent_runs() -> list[RuleRun]:
    return list(db.session.scalars(select(RuleRun).order_by(RuleRun.id.desc()).limit(RUNS_SHOWN)))


def last_succeeded_run() -> RuleRun | None:
    return db.session.scalar(select(RuleRun).where(RuleRun.state == "succeeded").order_by(RuleRun.id.desc()).limit(1))
