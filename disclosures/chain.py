"""The per-village hash chain over published batches.

A batch's hash covers the canonical plain values of its rows — decrypted, normalised, in a fixed
order — and the previous batch's hash, so re-encrypting under a new key leaves the chain intact
while any change to a stored value breaks it.
"""
import hashlib
import json
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from core.crypto import FieldCipher
from core.extensions import db
from disclosures.models import ROW_MODELS, Batch, BatchStatus, Kind

# Per kind: the columns whose values a row's canonical form holds, in order.
CANONICAL_FIELDS = {
    Kind.LEDGER: ("entry_on", "voucher_no", "direction", "category", "summary", "amount",
                  "counterparty", "link_code"),
    Kind.SUBSIDIES: ("item", "month", "name", "id_cipher", "amount", "paid_on", "account_cipher"),
    Kind.PROJECTS: ("project_no", "name", "project_type", "budget", "funding_source", "contractor",
                    "contractor_uscc", "approved_on", "start_on", "planned_end_on", "progress",
                    "paid_total", "status", "updated_on", "note"),
    Kind.CONTRACTS: ("contract_no", "subject", "category", "party", "party_id_cipher", "start_on",
                     "end_on", "annual_rent", "pay_cycle"),
}


def _plain(value, cipher: FieldCipher, encrypted: bool) -> str:
    if value is None:
        return ""
    if encrypted:
        return cipher.decrypt(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def canonical_row(kind: Kind, row, cipher: FieldCipher) -> str:
    """One row as a canonical JSON array of plain values."""
    values = [_plain(getattr(row, name), cipher, name.endswith("_cipher")) for name in CANONICAL_FIELDS[kind]]
    values.append("withdrawn" if row.withdrawn else "")
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def batch_hash(batch: Batch, lines: Iterable[str], prev_hash: str | None) -> str:
    """SHA-256 over the batch's identity, its sorted canonical rows and the previous hash."""
    digest = hashlib.sha256()
    head = [prev_hash or "", batch.village_code, batch.kind, batch.period or "",
            "correction" if batch.is_correction else "", batch.reason or ""]
    digest.update(json.dumps(head, ensure_ascii=False).encode())
    for line in sorted(lines):
        digest.update(b"\n" + line.encode())
    return digest.hexdigest()


def compute_batch_hash(batch: Batch, prev_hash: str | None, cipher: FieldCipher) -> str:
    """The hash of a batch as its rows are stored now."""
    model = ROW_MODELS[batch.kind_enum]
    rows = db.session.scalars(select(model).where(model.batch_id == batch.id)).yield_per(5000)
    return batch_hash(batch, (canonical_row(batch.kind_enum, row, cipher) for row in rows), prev_hash)


def verify_chain(village_code: str, cipher: FieldCipher) -> list[str]:
    """Problems found re-checking one village's chain; empty when intact."""
    problems = []
    previous = None
    batches = db.session.scalars(select(Batch).where(
        Batch.village_code == village_code, Batch.status == BatchStatus.PUBLISHED).order_by(Batch.sequence))
    for expected_sequence, batch in enumerate(batches, start=1):
        label = f"{village_code} 第{batch.sequence}批（批次{batch.id}，{Kind(batch.kind).label}）"
        if batch.sequence != expected_sequence:
            problems.append(f"{label}：序号不连续，应为{expected_sequence}")
        if batch.prev_hash != previous:
            problems.append(f"{label}：前一批次哈希不符")
        if compute_batch_hash(batch, batch.prev_hash, cipher) != batch.content_hash:
            problems.append(f"{label}：内容已被改动，哈希不符")
        previous = batch.content_hash
    return problems
