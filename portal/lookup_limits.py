"""How many misses 我的补贴 allows, counted across every address and every worker.

A name with guessed ID numbers would confirm an ID in a few dozen tries if only addresses were
counted (a phone changes address at will). So misses are also counted per name, per village that
lists the name, and for the whole county; once a count is spent, lookups it covers are refused for
the rest of its day, right ID number or not, so that no answer confirms anything. The counters live
in flask-limiter's storage (Redis in production: every worker shares it) under keyed hashes of the
name, never the name itself. A hit counts nothing; every miss does the same work.
"""

from dataclasses import dataclass

from flask import current_app
from limits import parse

from core.audit import record_audit
from core.extensions import db, limiter
from core.fields import field_cipher
from core.names import normalise_name
from portal import queries
from portal.signals import lookup_budget_spent

ONCE_A_DAY = parse("1 per day")


def _limit(setting: str):
    return parse(current_app.config[setting])


@dataclass(frozen=True)
class LookupGate:
    name_key: str
    villages: tuple[str, ...]

    @classmethod
    def for_name(cls, name: str) -> "LookupGate":
        normalised = normalise_name(name)
        key = field_cipher().lookup_hash("lookup-name:" + normalised)
        return cls(key, tuple(queries.villages_listing(normalised)))

    def _counters(self):
        yield _limit("LOOKUP_MISSES_PER_NAME"), "lookup-miss-name", self.name_key
        for village in self.villages:
            yield _limit("LOOKUP_MISSES_PER_VILLAGE"), "lookup-miss-village", village
        yield _limit("LOOKUP_MISSES_PER_COUNTY"), "lookup-miss-county", "all"

    def is_open(self) -> bool:
        """False once any counter covering this name is spent for the day."""
        strategy = limiter.limiter
        return all(strategy.test(limit, scope, key) for limit, scope, key in self._counters())

    def count_miss(self) -> None:
        strategy = limiter.limiter
        for limit, scope, key in self._counters():
            strategy.hit(limit, scope, key)
            if scope == "lookup-miss-county" and not strategy.test(limit, scope, key):
                _alert_once(limit)  # this miss spent the county's budget


def _alert_once(limit) -> None:
    """Tell the administrators, once a day, that the county's budget is spent: either the county
    is being probed, or the budget is too small for its villagers."""
    if not limiter.limiter.hit(ONCE_A_DAY, "lookup-budget-alert", "all"):
        return
    record_audit("lookup.budget_spent", target_type="lookup", detail={"limit": str(limit)}, by_system=True)
    db.session.commit()
    lookup_budget_spent.send(current_app._get_current_object(), limit=str(limit))
