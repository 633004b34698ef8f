"""Announcements from the public side; the back office listens (the portal never imports it)."""

from blinker import Namespace

signals = Namespace()
# Sent after the audit entry is committed, once a day at most, with limit="3000 per 1 day".
lookup_budget_spent = signals.signal("lookup-budget-spent")
