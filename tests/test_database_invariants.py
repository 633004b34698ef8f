"""What the database itself refuses (migration 0020): values outside an enum, a merged case
without the case it joined (and the reverse), a second pending request, and the migration's own
refusal to run over rows that already break a rule."""

import pytest
from alembic import command
from alembic.migration import MigrationContext
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import inspect, text
from factories import new_case
from sqlalchemy.exc import IntegrityError

from complaints.models import Complaint
from core.enums import EnumText
from core.extensions import db
from core.schema_migrations import migrations


@pytest.fixture
def filed_case(township_tree, make_user):
    make_user("handler", "handler", ["629901101000"])
    return new_case()


def _alembic(direction: str, revision: str) -> None:
    db.session.remove()
    getattr(command, direction)(migrations(current_app).migrate.get_config(), revision)


def _revision() -> str:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _pending_identity_request(case_id: int, requester_id: int) -> str:
    return (
        "INSERT INTO identity_requests (complaint_id, requester_id, reason, requested_at, status, decision_note) "
        f"VALUES ({case_id}, {requester_id}, '核实', CURRENT_TIMESTAMP, 'pending', '')"
    )


def test_every_check_constraint_of_the_models_is_in_the_migrated_database(app):
    inspector = inspect(db.engine)
    for table in db.metadata.sorted_tables:
        declared = {c.name for c in table.constraints if c.__class__.__name__ == "CheckConstraint"}
        found = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert declared <= found, table.name


def test_every_enum_column_carries_its_check(app):
    enum_columns = [
        (table.name, column.name)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EnumText)
    ]
    assert ("complaints", "status") in enum_columns and ("users", "role") in enum_columns
    for table, column in enum_columns:
        names = {c["name"] for c in inspect(db.engine).get_check_constraints(table)}
        assert any(name.startswith(f"ck_{table}_{column}") for name in names), (table, column)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE users SET role = 'wizard'",
        "UPDATE complaints SET status = 'lost'",
        "UPDATE complaints SET category = 'gossip'",
        "UPDATE complaints SET channel = 'pigeon'",
        "UPDATE complaints SET rating = 'meh'",
        "UPDATE case_events SET kind = 'party'",
        "UPDATE case_clocks SET kind = 'egg'",
        "UPDATE complaints SET status = 'merged'",  # merged into nothing
        "UPDATE complaints SET merged_into_id = id",  # pointing elsewhere without being merged
    ],
)
def test_the_database_refuses_what_the_code_does_not_know(app, filed_case, statement):
    with pytest.raises(IntegrityError):
        db.session.execute(text(statement))
    db.session.rollback()


def test_one_pending_identity_request_per_person_and_case(app, filed_case):
    requester = db.session.scalar(text("SELECT id FROM users WHERE username = 'handler'"))
    db.session.execute(text(_pending_identity_request(filed_case.id, requester)))
    with pytest.raises(IntegrityError):
        db.session.execute(text(_pending_identity_request(filed_case.id, requester)))
    db.session.rollback()


def test_the_migration_refuses_rows_that_break_its_rules_and_runs_once_they_are_fixed(app, filed_case):
    case_id = filed_case.id
    requester = db.session.scalar(text("SELECT id FROM users WHERE username = 'handler'"))
    db.session.commit()
    _alembic("downgrade", "0019")
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE users SET role = 'wizard'"))
        connection.execute(text(f"UPDATE complaints SET status = 'merged' WHERE id = {case_id}"))
        connection.execute(text(_pending_identity_request(case_id, requester)))
        connection.execute(text(_pending_identity_request(case_id, requester)))

    with pytest.raises(CommandError) as refused:
        _alembic("upgrade", "head")
    message = str(refused.value)
    assert "users: ck_users_role_valid" in message
    assert "complaints: ck_complaints_merged_into_iff_merged" in message
    assert "identity_requests: uq_identity_requests_pending" in message and "2 row(s)" in message
    assert "ck_complaints_status_valid" not in message  # 'merged' itself is a valid status
    assert _revision() == "0019"

    with db.engine.begin() as connection:
        connection.execute(text("UPDATE users SET role = 'handler'"))
        connection.execute(text(f"UPDATE complaints SET status = 'received' WHERE id = {case_id}"))
        connection.execute(text("DELETE FROM identity_requests WHERE id = (SELECT max(id) FROM identity_requests)"))
    _alembic("upgrade", "0020")  # this migration's revision, whatever later ones add
    assert _revision() == "0020"
    assert db.session.get(Complaint, case_id).events  # the rows survived the tables' rebuild
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE users SET role = 'wizard'"))
    db.session.rollback()


def test_the_ledger_takes_an_opening_balance_from_0022_on(app, township_tree):
    """Migration 0022 widens the direction check by one value and no more, and goes back down
    only while no opening balance is stored."""
    insert = (
        "INSERT INTO disclosure_batches (village_code, kind, status, is_correction, reason, source_filename, "
        "row_count, uploaded_at, review_note) VALUES ('629901101201', 'ledger', 'pending', false, '', '', 1, "
        "CURRENT_TIMESTAMP, '')"
    )
    row = (
        "INSERT INTO ledger_entries (batch_id, village_code, row_number, published, withdrawn, entry_on, month, "
        "year, voucher_no, direction, category, summary, amount, counterparty, link_code) VALUES "
        "((SELECT max(id) FROM disclosure_batches), '629901101201', 1, false, false, '2026-01-01', '2026-01', "
        "2026, '期初', '{}', '期初余额', '结转', 100, '', '')"
    )
    with db.engine.begin() as connection:
        connection.execute(text(insert))
        connection.execute(text(row.format("opening")))
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text(row.format("transfer")))
    db.session.remove()
    with pytest.raises(CommandError):
        _alembic("downgrade", "0021")
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM ledger_entries"))
    _alembic("downgrade", "0021")
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text(row.format("opening")))
