from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text
from support import subsidy_upload

from core.extensions import db
from core.fields import field_cipher
from core.settings import CountySettings
from disclosures.chain import verify_chain
from disclosures.models import Batch, BatchStatus, Kind, LedgerEntry, SubsidyPayment
from disclosures.parsed import ParsedBatch, ParsedUpload
from disclosures.services import DisclosureError, approve_batch, correct_row, return_batch, stage_upload
from disclosures.signals import batches_published

VILLAGE = "629901101201"
ID_NUMBER = "62990119901204372X"
ACCOUNT = "6228134334229042052"


def ledger_row(voucher: str, amount: str, direction="expense", day=5, month=10) -> dict:
    return {
        "row_number": 2,
        "entry_on": date(2026, month, day),
        "month": f"2026-{month:02d}",
        "year": 2026,
        "voucher_no": voucher,
        "direction": direction,
        "category": "管理费用" if direction == "expense" else "其他收入",
        "summary": "办公用品",
        "amount": Decimal(amount),
        "counterparty": "青川县商店",
        "link_code": "",
    }


def ledger_upload(*rows: dict, period="2026-10") -> ParsedUpload:
    return ParsedUpload(Kind.LEDGER, "10月.xlsx", [ParsedBatch(VILLAGE, Kind.LEDGER, period, list(rows))])


@pytest.fixture
def people(make_people):
    return make_people("accountant", "reviewer")


def test_upload_waits_for_review(people):
    [batch] = stage_upload(ledger_upload(ledger_row("记-1", "100")), uploader=people["accountant"])
    assert batch.status == BatchStatus.PENDING and batch.row_count == 1
    assert db.session.scalar(select(LedgerEntry.published)) is False


def test_review_off_publishes_at_once(people):
    db.session.add(CountySettings(county_code="629901000000", review_enabled=False))
    db.session.commit()
    [batch] = stage_upload(ledger_upload(ledger_row("记-1", "100")), uploader=people["accountant"])
    assert batch.status == BatchStatus.PUBLISHED and batch.sequence == 1


def test_approval_publishes_and_chains(people):
    received = []
    batches_published.connect(lambda sender, batch_ids: received.append(batch_ids), weak=False)
    [first] = stage_upload(ledger_upload(ledger_row("记-1", "100")), uploader=people["accountant"])
    [second] = stage_upload(ledger_upload(ledger_row("记-2", "50", day=6)), uploader=people["accountant"])
    approve_batch(second, reviewer=people["reviewer"])
    approve_batch(first, reviewer=people["reviewer"])
    assert (second.sequence, first.sequence) == (1, 2)
    assert first.prev_hash == second.content_hash and len(first.fingerprint) == 12
    assert received[-2:] == [[second.id], [first.id]]
    assert verify_chain(VILLAGE, field_cipher()) == []
    with pytest.raises(DisclosureError):
        approve_batch(first, reviewer=people["reviewer"])


def test_return_needs_a_reason(people):
    [batch] = stage_upload(ledger_upload(ledger_row("记-1", "100")), uploader=people["accountant"])
    with pytest.raises(DisclosureError, match="原因"):
        return_batch(batch, reviewer=people["reviewer"], note=" ")
    return_batch(batch, reviewer=people["reviewer"], note="凭证号有误")
    assert batch.status == BatchStatus.RETURNED and batch.review_note == "凭证号有误"


def test_tampering_with_a_stored_row_is_detected(people, cli):
    [batch] = stage_upload(ledger_upload(ledger_row("记-1", "100")), uploader=None, publish=True)
    assert cli.invoke(args=["disclosures", "verify"]).exit_code == 0
    db.session.execute(text("UPDATE ledger_entries SET amount = 10 WHERE batch_id = :b"), {"b": batch.id})
    db.session.commit()
    problems = verify_chain(VILLAGE, field_cipher())
    assert len(problems) == 1 and "内容已被改动" in problems[0]
    result = cli.invoke(args=["disclosures", "verify"])
    assert result.exit_code == 1 and "哈希不符" in result.stderr


def test_a_removed_batch_breaks_the_chain(people):
    for n in range(3):
        stage_upload(ledger_upload(ledger_row(f"记-{n}", "100", day=n + 1)), uploader=None, publish=True)
    middle = db.session.scalar(select(Batch).where(Batch.sequence == 2))
    db.session.execute(text("UPDATE disclosure_batches SET status = 'returned' WHERE id = :b"), {"b": middle.id})
    db.session.commit()
    problems = verify_chain(VILLAGE, field_cipher())
    assert any("序号不连续" in p for p in problems) and any("前一批次哈希不符" in p for p in problems)


def test_correction_supersedes_after_review(people):
    [batch] = stage_upload(ledger_upload(ledger_row("记-1", "100")), uploader=None, publish=True)
    original = db.session.scalar(select(LedgerEntry).where(LedgerEntry.batch_id == batch.id))
    fixed = ledger_row("记-1", "110")
    correction = correct_row(original, new_values=fixed, reason="金额录入错误", by=people["accountant"])
    assert correction.status == BatchStatus.PENDING and original.superseded_by_batch_id is None
    with pytest.raises(DisclosureError, match="待审核的更正"):
        correct_row(original, new_values=fixed, reason="再改", by=people["accountant"])
    approve_batch(correction, reviewer=people["reviewer"])
    db.session.refresh(original)
    assert original.superseded_by_batch_id == correction.id and original.amount == Decimal("100.00")
    current = db.session.scalars(select(LedgerEntry).where(LedgerEntry.superseded_by_batch_id.is_(None))).all()
    assert [(row.amount, row.replaces_id) for row in current] == [(Decimal("110.00"), original.id)]
    assert verify_chain(VILLAGE, field_cipher()) == []
    with pytest.raises(DisclosureError, match="当前公开"):
        correct_row(original, new_values=fixed, reason="x", by=None)


def test_withdrawal_keeps_the_old_values(people):
    [batch] = stage_upload(subsidy_upload(account=ACCOUNT), uploader=None, publish=True)
    original = db.session.scalar(select(SubsidyPayment))
    correction = correct_row(original, new_values=None, reason="重复发放，已追回", by=people["accountant"])
    approve_batch(correction, reviewer=people["reviewer"])
    withdrawn = db.session.scalar(select(SubsidyPayment).where(SubsidyPayment.replaces_id == original.id))
    assert withdrawn.withdrawn and withdrawn.name == "段凤" and withdrawn.id_hash == original.id_hash


def test_correction_needs_a_reason(people):
    [batch] = stage_upload(ledger_upload(ledger_row("记-1", "100")), uploader=None, publish=True)
    original = db.session.scalar(select(LedgerEntry))
    with pytest.raises(DisclosureError, match="原因"):
        correct_row(original, new_values=ledger_row("记-1", "1"), reason="", by=None)


def test_ids_and_accounts_are_stored_only_encrypted(people, app):
    stage_upload(subsidy_upload(account=ACCOUNT), uploader=None, publish=True)
    payment = db.session.scalar(select(SubsidyPayment))
    assert ID_NUMBER not in payment.id_cipher and ACCOUNT not in (payment.account_cipher or "")
    assert payment.id_hash == field_cipher().lookup_hash(ID_NUMBER.lower())
    assert field_cipher().decrypt(payment.id_cipher) == ID_NUMBER
    if db.engine.dialect.name == "sqlite":
        db.session.remove()
        database = Path(db.engine.url.database)
        wal = database.with_name(database.name + "-wal")
        raw = database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        for secret in (ID_NUMBER, ACCOUNT, ID_NUMBER[:14], ACCOUNT[-8:]):
            assert secret.encode() not in raw


def test_chain_survives_key_rotation(people, app):
    stage_upload(subsidy_upload(account=ACCOUNT), uploader=None, publish=True)
    payment = db.session.scalar(select(SubsidyPayment))
    app.config["DATA_ENCRYPTION_KEY"] = "k2:new-key-material-0123456789,k1:test-data-encryption-key-0123456789"
    app.extensions.pop("field_cipher")
    payment.id_cipher = field_cipher().rotate(payment.id_cipher)
    payment.account_cipher = field_cipher().rotate(payment.account_cipher)
    db.session.commit()
    assert payment.id_cipher.split(":")[2] == "k2"
    assert verify_chain(VILLAGE, field_cipher()) == []


def test_the_guomi_profile_end_to_end(people, app):
    app.config["CRYPTO_PROFILE"] = "sm"
    app.extensions.pop("field_cipher", None)
    stage_upload(subsidy_upload(account=ACCOUNT), uploader=None, publish=True)
    payment = db.session.scalar(select(SubsidyPayment))
    assert payment.id_cipher.startswith("v1:sm:") and payment.account_cipher.startswith("v1:sm:")
    assert payment.id_hash == field_cipher().lookup_hash(ID_NUMBER)
    assert field_cipher().decrypt(payment.id_cipher) == ID_NUMBER
    assert verify_chain(VILLAGE, field_cipher()) == []
