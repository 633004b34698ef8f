"""enum and invariant checks: the database holds what the code assumes

Every string-coded column that `core.enums.EnumText` types gets its CHECK constraint naming the
values it may hold (`ck_<table>_<column>_valid`); a merged case and only a merged case names the
case it went into; a project's progress is a percentage; disclosed amounts are positive (rents and
amounts paid may be zero); an extension asks for at least a day; a clock counts in working days,
calendar days or hours and has announced nothing, due soon or overdue. Partial unique indexes keep one
pending identity request per person and case and one pending extension per clock or referral.

The values below are frozen as of this revision: a later enum member needs its own migration.
Rows that break a constraint stop the upgrade before anything changes, with a count per
constraint, so they can be looked at and fixed by hand first.

Revision ID: 0020
Revises: 0019
"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

DECISIONS = ("pending", "approved", "denied")
ENUM_VALUES = {
    "users": {"role": ("accountant", "reviewer", "handler", "inspector", "admin")},
    "complaints": {
        "category": ("funds", "subsidy", "project", "asset", "conduct", "other"),
        "channel": ("web", "qr", "inspection", "phone_12388", "phone_12345", "letter", "visit", "warning"),
        "status": ("received", "in_progress", "awaiting_info", "closed", "reopened", "merged"),
        "rating": ("satisfied", "basically", "unsatisfied"),
    },
    "case_clocks": {"kind": ("reply", "progress", "legal", "feedback", "review", "verify")},
    "case_events": {
        "kind": (
            "received",
            "assigned",
            "first_reply",
            "progress",
            "request_info",
            "paused",
            "material_received",
            "supplement",
            "note",
            "referred",
            "referred_detail",
            "referral_answer",
            "extended",
            "referral_extended",
            "closed",
            "feedback",
            "reopened",
            "merged",
            "merged_in",
            "merge_reason",
            "conflict",
            "identity_requested",
            "identity_decided",
            "identity_revealed",
            "rated",
            "review_requested",
            "secret_replaced",
            "verify_started",
            "rule_raised",
            "rule_cleared",
            "rule_reopened",
        )
    },
    "complaint_attachments": {"kind": ("image", "audio")},
    "identity_requests": {"status": DECISIONS},
    "clock_extensions": {"status": DECISIONS},
    "reminders": {
        "level": (
            "due_soon",
            "overdue",
            "escalated_township",
            "escalated_county",
            "referral_overdue",
            "identity_revealed",
        )
    },
    "disclosure_batches": {
        "kind": ("ledger", "subsidies", "projects", "contracts"),
        "status": ("pending", "returned", "published"),
    },
    "ledger_entries": {"direction": ("income", "expense")},
    "qr_links": {"target_kind": ("village", "project", "round")},
    "rule_runs": {"state": ("queued", "running", "succeeded", "failed")},
    "roster_versions": {"kind": ("deceased", "public_employees", "cadres", "standards")},
}
INVARIANTS = {
    "complaints": [("merged_into_iff_merged", "(status = 'merged') = (merged_into_id IS NOT NULL)")],
    "project_updates": [
        ("progress_percent", "progress BETWEEN 0 AND 100"),
        ("budget_positive", "budget > 0"),
        ("paid_total_not_negative", "paid_total >= 0"),
    ],
    "ledger_entries": [("amount_positive", "amount > 0")],
    "subsidy_payments": [("amount_positive", "amount > 0")],
    "contracts": [("annual_rent_not_negative", "annual_rent >= 0")],
    "clock_extensions": [("days_positive", "days > 0")],
    "case_clocks": [
        ("unit_valid", "unit IN ('working', 'calendar', 'hours')"),
        ("alerted_state_valid", "alerted_state IN ('', 'due_soon', 'overdue')"),
    ],
}
PENDING_INDEXES = [  # (name, table, columns, rows it covers)
    ("uq_identity_requests_pending", "identity_requests", ["complaint_id", "requester_id"], "status = 'pending'"),
    (
        "uq_clock_extensions_pending_clock",
        "clock_extensions",
        ["clock_id"],
        "status = 'pending' AND clock_id IS NOT NULL",
    ),
    (
        "uq_clock_extensions_pending_referral",
        "clock_extensions",
        ["referral_id"],
        "status = 'pending' AND referral_id IS NOT NULL",
    ),
]


def _checks() -> dict[str, list[tuple[str, str]]]:
    """Each table's (full constraint name, condition)."""
    checks: dict[str, list[tuple[str, str]]] = {}
    for table, columns in ENUM_VALUES.items():
        for column, values in columns.items():
            listed = ", ".join(f"'{value}'" for value in values)
            checks.setdefault(table, []).append((f"ck_{table}_{column}_valid", f"{column} IN ({listed})"))
    for table, conditions in INVARIANTS.items():
        checks.setdefault(table, []).extend((f"ck_{table}_{name}", condition) for name, condition in conditions)
    return checks


def _breaking_rows() -> list[str]:
    """One line per constraint that rows already break: table, constraint, how many rows."""
    connection = op.get_bind()
    found = []
    for table, checks in _checks().items():
        for name, condition in checks:
            count = connection.scalar(sa.text(f"SELECT count(*) FROM {table} WHERE NOT ({condition})"))
            if count:
                found.append(f"  {table}: {name} ({condition}) — {count} row(s) break it")
    for name, table, columns, where in PENDING_INDEXES:
        keys = ", ".join(columns)
        count = connection.scalar(
            sa.text(
                f"SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {table} WHERE {where} "
                f"GROUP BY {keys} HAVING count(*) > 1) AS duplicates"
            )
        )
        if count:
            found.append(f"  {table}: {name} (one row per {keys} where {where}) — {count} row(s) break it")
    return found


def upgrade():
    breaking = _breaking_rows()
    if breaking:
        raise CommandError(
            "migration 0020 stops: existing rows break the constraints it adds. "
            "Correct or remove them, then upgrade again; this migration changed nothing.\n" + "\n".join(breaking)
        )
    with _foreign_keys_off():
        for table, checks in _checks().items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                for name, condition in checks:
                    batch_op.create_check_constraint(op.f(name), condition)
    for name, table, columns, where in PENDING_INDEXES:
        op.create_index(name, table, columns, unique=True, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def downgrade():
    for name, table, _columns, _where in reversed(PENDING_INDEXES):
        op.drop_index(name, table_name=table)
    with _foreign_keys_off():
        for table, checks in reversed(list(_checks().items())):
            with op.batch_alter_table(table, schema=None) as batch_op:
                for name, _condition in reversed(checks):
                    batch_op.drop_constraint(op.f(name), type_="check")


@contextmanager
def _foreign_keys_off():
    """SQLite adds a CHECK by copying a table into a new one and dropping the old; with foreign
    keys enforced, dropping a table other rows point at fails (deferring them does not help: the
    count of broken references is not undone by the rename). SQLite ignores the switch inside a
    transaction, so the steps before are committed first, and the copy is committed before the
    switch goes back on. References are checked before that commit."""
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    if raw.in_transaction:
        raw.commit()
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raw.rollback()
            raise CommandError(f"migration 0020: {len(broken)} broken references after copying tables")
        raw.commit()
    finally:
        raw.execute("PRAGMA foreign_keys = ON")
