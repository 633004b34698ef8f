"""What a run's answer depends on, in one hash: the as-of date, the published batches, the current
roster versions, the counties' rule settings and the custom rules. A run whose fingerprint equals
the last successful run's would find exactly the same hits, so it is skipped (unless forced)."""

import hashlib
import json
from datetime import date

from sqlalchemy import func, select

from core.extensions import db
from core.settings import CountySettings
from disclosures.models import Batch, BatchStatus
from rules.custom.models import CustomRule
from rules.models import RuleSettings
from rules.rosters.models import RosterVersion


def data_fingerprint(as_of: date) -> str | None:
    """The hash, or None when a rule reads what no fingerprint covers (an enabled SQL rule)."""
    if db.session.scalar(
        select(CustomRule.id).where(CustomRule.kind == "sql", CustomRule.is_enabled.is_(True)).limit(1)
    ):
        return None
    published = db.session.execute(
        select(func.count(), func.max(Batch.id), func.max(Batch.published_at)).where(
            Batch.status == BatchStatus.PUBLISHED
        )
    ).one()
    parts = {
        "as_of": as_of.isoformat(),
        "published": [str(value) for value in published],
        "rosters": db.session.scalars(
            select(RosterVersion.id).where(RosterVersion.is_current.is_(True)).order_by(RosterVersion.id)
        ).all(),
        "thresholds": [
            str(row)
            for row in db.session.execute(
                select(CountySettings.county_code, CountySettings.approval_threshold).order_by(
                    CountySettings.county_code
                )
            )
        ],
        "settings": [
            str(row)
            for row in db.session.execute(
                select(
                    RuleSettings.county_code,
                    RuleSettings.split_window_days,
                    RuleSettings.rent_grace_days,
                    RuleSettings.exclusive_pairs,
                ).order_by(RuleSettings.county_code)
            )
        ],
        "custom": [
            str(row)
            for row in db.session.execute(
                select(CustomRule.code, CustomRule.version, CustomRule.is_enabled).order_by(CustomRule.code)
            )
        ],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
