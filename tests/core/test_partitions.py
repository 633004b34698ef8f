"""County partitions of the disclosed-row tables on PostgreSQL (migration 0026, core/partitions.py)."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from support import ON_POSTGRES, subsidy_upload

from core.extensions import db
from core.fields import field_cipher
from core.partitions import make_county_partitions
from core.regions.importer import import_regions
from disclosures.chain import verify_chain
from disclosures.models import Kind, LedgerEntry, SubsidyPayment
from disclosures.parsed import ParsedBatch, ParsedUpload
from disclosures.services import approve_batch, correct_row, stage_upload
from portal.queries import ledger_month_rows

postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="partitions exist only on PostgreSQL; SQLite tables stay plain"
)

VILLAGE = "629901101201"
OTHER_COUNTY_VILLAGE = "629902101201"
REGIONS = (
    "代码,名称,级别,上级代码\n"
    "629902000000,白龙县,县,\n"
    "629902101000,石门镇,乡镇,629902000000\n"
    "629902101201,石门村,村,629902101000\n"
)


def ledger_row(voucher: str, amount: str) -> dict:
    return {
        "row_number": 2,
        "entry_on": date(2026, 10, 5),
        "month": "2026-10",
        "year": 2026,
        "voucher_no": voucher,
        "direction": "expense",
        "category": "管理费用",
        "summary": "办公用品",
        "amount": Decimal(amount),
        "counterparty": "青川县商店",
        "link_code": "",
    }


def ledger_upload(row: dict) -> ParsedUpload:
    return ParsedUpload(Kind.LEDGER, "10月.xlsx", [ParsedBatch(VILLAGE, Kind.LEDGER, "2026-10", [row])])


def partitions_of(table: str) -> set[str]:
    return set(
        db.session.scalars(
            text("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = CAST(:t AS regclass)"),
            {"t": table},
        )
    )


def partition_holding(model, row_id: int) -> str:
    return db.session.scalar(select(text("tableoid::regclass::text")).select_from(model).where(model.id == row_id))


def explain(statement) -> str:
    sql = statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    return "\n".join(db.session.scalars(text(f"EXPLAIN {sql}")))


@pytest.fixture
def people(make_people):
    return make_people("accountant", "reviewer")


@postgres_only
def test_the_large_tables_are_partitioned_by_village_code_range(app):
    rows = db.session.execute(
        text(
            "SELECT partrelid::regclass::text, partstrat, a.attname FROM pg_partitioned_table p "
            "JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] ORDER BY 1"
        )
    ).all()
    assert [tuple(row) for row in rows] == [
        ("ledger_entries", "r", "village_code"),
        ("subsidy_payments", "r", "village_code"),
    ]
    assert partitions_of("ledger_entries") == {"ledger_entries_default"}


@postgres_only
def test_importing_a_county_makes_its_partitions_once(app):
    import_regions(REGIONS.encode(), "regions.csv")
    assert partitions_of("ledger_entries") == {"ledger_entries_default", "ledger_entries_c629902"}
    assert partitions_of("subsidy_payments") == {"subsidy_payments_default", "subsidy_payments_c629902"}
    import_regions(REGIONS.encode(), "regions.csv")  # again: nothing new, no error
    assert make_county_partitions(["629902"]) == []
    assert partitions_of("ledger_entries") == {"ledger_entries_default", "ledger_entries_c629902"}


@postgres_only
def test_rows_wait_in_the_default_partition_then_move_to_their_countys(people):
    [batch] = stage_upload(ledger_upload(ledger_row("记-1", "100")), uploader=None, publish=True)
    stage_upload(subsidy_upload(), uploader=None, publish=True)
    original = db.session.scalar(select(LedgerEntry).where(LedgerEntry.batch_id == batch.id))
    payment = db.session.scalar(select(SubsidyPayment))
    assert partition_holding(LedgerEntry, original.id) == "ledger_entries_default"

    made = make_county_partitions(["629901"])

    assert made == ["ledger_entries_c629901", "subsidy_payments_c629901"]
    assert partition_holding(LedgerEntry, original.id) == "ledger_entries_c629901"
    assert partition_holding(SubsidyPayment, payment.id) == "subsidy_payments_c629901"
    assert db.session.scalar(text("SELECT count(*) FROM ledger_entries_default")) == 0
    # The record still verifies, and a correction links to the moved row by its unchanged id.
    assert verify_chain(VILLAGE, field_cipher()) == []
    correction = correct_row(original, new_values=ledger_row("记-1", "110"), reason="金额录入错误", by=None)
    approve_batch(correction, reviewer=people["reviewer"])
    db.session.refresh(original)
    assert original.superseded_by_batch_id == correction.id
    new = db.session.scalar(select(LedgerEntry).where(LedgerEntry.replaces_id == original.id))
    assert new.amount == Decimal("110.00") and partition_holding(LedgerEntry, new.id) == "ledger_entries_c629901"
    assert verify_chain(VILLAGE, field_cipher()) == []


@postgres_only
def test_a_correction_cannot_point_at_a_row_of_another_village(people):
    # The key is (id, village_code): a link across villages has no row to point at.
    [batch] = stage_upload(ledger_upload(ledger_row("记-1", "100")), uploader=None, publish=True)
    row_id = db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.batch_id == batch.id))
    with pytest.raises(Exception, match="fk_ledger_entries_replaces_id_ledger_entries"):
        db.session.execute(
            text(
                "INSERT INTO ledger_entries (village_code, row_number, published, withdrawn, batch_id, replaces_id, "
                "entry_on, month, year, voucher_no, direction, category, summary, amount, counterparty, link_code) "
                "VALUES ('629901101202', 2, false, false, :b, :r, '2026-10-05', '2026-10', 2026, '记-9', 'expense', "
                "'管理费用', '办公用品', 1, '', '')"
            ),
            {"b": batch.id, "r": row_id},
        )
        db.session.flush()
    db.session.rollback()


@postgres_only
def test_the_village_pages_ledger_reads_only_its_countys_partition(people, make_region):
    make_region("629902000000", "白龙县", "county")
    make_region("629902101000", "石门镇", "township", "629902000000")
    make_region(OTHER_COUNTY_VILLAGE, "石门村", "village", "629902101000")
    make_county_partitions(["629901", "629902"])
    stage_upload(ledger_upload(ledger_row("记-1", "100")), uploader=None, publish=True)

    plan = explain(ledger_month_rows(VILLAGE, "2026-10"))

    assert "ledger_entries_c629901" in plan
    assert "ledger_entries_c629902" not in plan and "ledger_entries_default" not in plan


def test_sqlite_makes_no_partitions(app):
    if ON_POSTGRES:
        pytest.skip("the SQLite side of the story")
    assert make_county_partitions(["629901"]) == []
    names = db.session.scalars(text("SELECT name FROM sqlite_master WHERE name LIKE 'ledger_entries%'")).all()
    assert "ledger_entries" in names and not any(name.startswith("ledger_entries_c") for name in names)


def test_the_command_makes_the_partitions_of_counties_already_known(township_tree, cli):
    result = cli.invoke(args=["regions", "partitions"])
    assert result.exit_code == 0
    if ON_POSTGRES:
        assert "新建分区 2 个" in result.output and "ledger_entries_c629901" in partitions_of("ledger_entries")
        assert "新建分区 0 个" in cli.invoke(args=["regions", "partitions"]).output
    else:
        assert "新建分区 0 个" in result.output
