"""The village record: verify rebuilds the public view from the chain and names the village and
batch where the database shows something else — a row hidden, moved to another village, or
marked superseded by a correction that never replaced it — for every kind of disclosure."""

import importlib.util
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text

from core.extensions import db
from disclosures.models import ROW_MODELS, Batch, ChainEntry, ChainEvent, Kind
from disclosures.parsed import ParsedBatch, ParsedUpload
from disclosures.services import correct_row, stage_upload

VILLAGE, NEIGHBOUR = "629901101201", "629901101202"


def rows_of(kind: Kind, voucher: str) -> list[dict]:
    """Two rows of a kind, told apart by `voucher`."""
    if kind == Kind.LEDGER:
        return [
            {
                "row_number": n + 2,
                "entry_on": date(2026, 10, 5 + n),
                "month": "2026-10",
                "year": 2026,
                "voucher_no": f"{voucher}-{n}",
                "direction": "expense",
                "category": "管理费用",
                "summary": "办公用品",
                "amount": Decimal("100.00") + n,
                "counterparty": "",
                "link_code": "",
            }
            for n in range(2)
        ]
    if kind == Kind.SUBSIDIES:
        return [
            {
                "row_number": n + 2,
                "item": "最低生活保障金",
                "month": "2026-10",
                "name": f"段凤{voucher}{n}",
                "id_number": f"62990119901204{n}72X",
                "amount": Decimal("650.00"),
                "paid_on": date(2026, 10, 15),
                "account": None,
            }
            for n in range(2)
        ]
    if kind == Kind.PROJECTS:
        return [
            {
                "row_number": n + 2,
                "project_no": f"XM{voucher}{n}",
                "name": "通组道路硬化",
                "project_type": "道路",
                "budget": Decimal("80000.00"),
                "funding_source": "衔接资金",
                "contractor": "",
                "contractor_uscc": "",
                "approved_on": None,
                "start_on": None,
                "planned_end_on": None,
                "progress": 30,
                "paid_total": Decimal("24000.00"),
                "status": "在建",
                "updated_on": date(2026, 10, 25),
                "note": "",
            }
            for n in range(2)
        ]
    return [
        {
            "row_number": n + 2,
            "contract_no": f"HT{voucher}{n}",
            "subject": "村东耕地",
            "category": "资源",
            "party": "王五",
            "party_id": "",
            "start_on": date(2025, 1, 1),
            "end_on": date(2030, 1, 1),
            "annual_rent": Decimal("5000.00"),
            "pay_cycle": "年",
        }
        for n in range(2)
    ]


def publish(kind: Kind, voucher: str, village: str = VILLAGE) -> Batch:
    period = "2026-10" if kind == Kind.LEDGER else None
    upload = ParsedUpload(kind, "up.xlsx", [ParsedBatch(village, kind, period, rows_of(kind, voucher))])
    [batch] = stage_upload(upload, uploader=None, publish=True)
    return batch


def first_row(batch: Batch):
    model = ROW_MODELS[batch.kind]
    return db.session.scalars(select(model).where(model.batch_id == batch.id).order_by(model.id)).first()


def corrected(batch: Batch, *, withdraw: bool = False) -> Batch:
    """Publish a correction (review off) of the batch's first row: a new amount, or a withdrawal."""
    row = first_row(batch)
    values = None
    if not withdraw:
        values = rows_of(batch.kind, "X")[0]
    correction = correct_row(row, new_values=values, reason="录入错误", by=None)
    if correction.status != "published":
        from disclosures.services import approve_batch
        from core.users.models import User

        approve_batch(correction, reviewer=db.session.scalar(select(User).where(User.username == "shenhe")))
    return correction


@pytest.fixture
def people(make_people):
    return make_people("reviewer")


def tamper(sql: str, **values) -> None:
    db.session.execute(text(sql), values)
    db.session.commit()


def verify(cli):
    return cli.invoke(args=["disclosures", "verify"])


@pytest.mark.parametrize("kind", list(Kind))
def test_an_untouched_record_verifies_clean(people, cli, kind):
    batch = publish(kind, "A")
    publish(kind, "B", village=NEIGHBOUR)
    corrected(batch)
    corrected(publish(kind, "C"), withdraw=True)
    result = verify(cli)
    assert result.exit_code == 0, result.stderr
    assert "哈希链完好：2个村" in result.output
    events = db.session.scalars(
        select(ChainEntry.event).where(ChainEntry.village_code == VILLAGE).order_by(ChainEntry.sequence)
    ).all()
    assert events == ["publish", "publish", "supersede", "publish", "publish", "withdraw"]


@pytest.mark.parametrize("kind", list(Kind))
def test_a_row_hidden_in_the_database_is_named(people, cli, kind):
    batch = publish(kind, "A")
    row = first_row(batch)
    tamper(f"UPDATE {ROW_MODELS[kind].__tablename__} SET published = :no WHERE id = :id", no=False, id=row.id)
    result = verify(cli)
    assert result.exit_code == 1
    assert f"{VILLAGE} 批次{batch.id}（{kind.label}）：第{row.row_number}行已不公开" in result.stderr


@pytest.mark.parametrize("kind", list(Kind))
def test_a_row_moved_to_another_village_is_named(people, cli, kind):
    batch = publish(kind, "A")
    publish(kind, "B", village=NEIGHBOUR)
    row = first_row(batch)
    tamper(f"UPDATE {ROW_MODELS[kind].__tablename__} SET village_code = :to WHERE id = :id", to=NEIGHBOUR, id=row.id)
    result = verify(cli)
    assert result.exit_code == 1
    assert f"{VILLAGE} 批次{batch.id}（{kind.label}）：第{row.row_number}行被移到{NEIGHBOUR}" in result.stderr
    # The village it shows up in is told too: none of its published batches holds the row.
    assert f"{NEIGHBOUR} 批次{batch.id}（{kind.label}）：1行在本村公开，记录中本村没有公开这一批次" in result.stderr


@pytest.mark.parametrize("kind", list(Kind))
def test_a_row_marked_superseded_by_another_batch_is_named(people, cli, kind):
    batch = publish(kind, "A")
    other = publish(kind, "B")
    row = first_row(batch)
    tamper(
        f"UPDATE {ROW_MODELS[kind].__tablename__} SET superseded_by_batch_id = :by WHERE id = :id",
        by=other.id,
        id=row.id,
    )
    result = verify(cli)
    assert result.exit_code == 1
    assert (
        f"{VILLAGE} 批次{batch.id}（{kind.label}）：第{row.row_number}行被标记为由批次{other.id}更正，"
        f"记录中没有这次更正"
    ) in result.stderr


@pytest.mark.parametrize("kind", [Kind.LEDGER, Kind.SUBSIDIES])
def test_a_correction_undone_in_the_database_is_named(people, cli, kind):
    """The replaced row shown again beside its new version; and a correction pointed elsewhere."""
    batch = publish(kind, "A")
    correction = corrected(batch)
    row = first_row(batch)
    table = ROW_MODELS[kind].__tablename__
    tamper(f"UPDATE {table} SET superseded_by_batch_id = NULL WHERE id = :id", id=row.id)
    result = verify(cli)
    assert result.exit_code == 1
    assert (
        f"{VILLAGE} 批次{batch.id}（{kind.label}）：第{row.row_number}行记录中已由批次{correction.id}更正，"
        f"数据库中未标记"
    ) in result.stderr
    tamper(
        f"UPDATE {table} SET superseded_by_batch_id = :by, withdrawn = :no WHERE id = :id",
        by=correction.id,
        no=False,
        id=row.id,
    )
    other = db.session.scalars(
        select(ROW_MODELS[kind].id).where(ROW_MODELS[kind].batch_id == batch.id).order_by(ROW_MODELS[kind].id)
    ).all()[1]
    tamper(f"UPDATE {table} SET replaces_id = :other WHERE batch_id = :by", other=other, by=correction.id)
    result = verify(cli)
    assert result.exit_code == 1
    assert f"{VILLAGE} 批次{correction.id}（{kind.label}）：第2行所更正的原数据与记录不符" in result.stderr


def test_a_batch_taken_off_or_a_record_entry_edited_is_named(people, cli):
    first, second = publish(Kind.LEDGER, "A"), publish(Kind.CONTRACTS, "B")
    tamper("UPDATE disclosure_batches SET status = 'pending' WHERE id = :id", id=second.id)
    result = verify(cli)
    assert f"{VILLAGE} 批次{second.id}（资产资源）：记录中已公开，数据库中状态为待审核" in result.stderr
    tamper("UPDATE disclosure_batches SET status = 'published' WHERE id = :id", id=second.id)
    assert verify(cli).exit_code == 0
    tamper("UPDATE chain_entries SET batch_id = :other WHERE batch_id = :id", other=second.id, id=first.id)
    result = verify(cli)
    assert result.exit_code == 1 and "记录已被改动，哈希不符" in result.stderr
    assert f"{VILLAGE} 批次{first.id}（收支明细）：数据库中为已公开，记录中没有公开这一批次" in result.stderr


def _migration():
    path = Path(__file__).parents[2] / "migrations" / "versions" / "0019_village_record.py"
    spec = importlib.util.spec_from_file_location("village_record_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_builds_the_record_publishing_writes(people, cli, monkeypatch):
    """Data published before the record existed gets, on upgrade, the entries publishing would
    have written — built from the batches, not the rows' flags, so tampering done before the
    upgrade is still found after it."""
    ledger = publish(Kind.LEDGER, "A")
    corrected(ledger)
    corrected(publish(Kind.SUBSIDIES, "S"), withdraw=True)
    publish(Kind.PROJECTS, "P", village=NEIGHBOUR)
    columns = (
        ChainEntry.village_code,
        ChainEntry.sequence,
        ChainEntry.event,
        ChainEntry.batch_id,
        ChainEntry.detail,
        ChainEntry.prev_hash,
        ChainEntry.entry_hash,
    )
    written = db.session.execute(select(*columns).order_by(ChainEntry.id)).all()
    db.session.execute(delete(ChainEntry))
    hidden = first_row(publish(Kind.CONTRACTS, "C"))
    db.session.execute(delete(ChainEntry).where(ChainEntry.batch_id == hidden.batch_id))
    db.session.execute(text("UPDATE contracts SET published = :no WHERE id = :id"), {"no": False, "id": hidden.id})
    migration = _migration()
    monkeypatch.setattr(
        migration.op, "bulk_insert", lambda table, values: db.session.execute(table.insert(), values), raising=False
    )
    migration._record_published_batches(db.session.connection())
    db.session.commit()
    rebuilt = db.session.execute(select(*columns).order_by(ChainEntry.village_code, ChainEntry.sequence)).all()
    assert [entry for entry in rebuilt if entry.batch_id != hidden.batch_id] == sorted(
        written, key=lambda entry: (entry.village_code, entry.sequence)
    )
    result = verify(cli)
    assert result.exit_code == 1
    assert f"{VILLAGE} 批次{hidden.batch_id}（资产资源）：第2行已不公开" in result.stderr
    assert ChainEvent.WITHDRAW in {entry.event for entry in rebuilt}
