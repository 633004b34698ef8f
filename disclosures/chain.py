"""The per-village hash chain over published batches, and verify.

A batch's hash covers the canonical plain values of its rows — decrypted, normalised, in a fixed
order — and the previous batch's hash, so re-encrypting under a new key leaves the chain intact
while any change to a stored value breaks it. What the rows hash to says nothing of whether they
are still shown, or where: each village's record (disclosures/record.py) covers that, and
verify_chain checks both.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from core.crypto import FieldCipher
from core.extensions import db
from disclosures.models import ROW_MODELS, Batch, BatchStatus, Kind
from disclosures.public_view import compare_public_view
from disclosures.record import read_record

# Larger batches are read back in slices (a server-side cursor on PostgreSQL; smaller ones are
# not worth its round trips).
STREAM_ABOVE = 20_000
# Per kind: the columns whose values a row's canonical form holds, in order.
CANONICAL_FIELDS = {
    Kind.LEDGER: ("entry_on", "voucher_no", "direction", "category", "summary", "amount", "counterparty", "link_code"),
    Kind.SUBSIDIES: ("item", "month", "name", "id_cipher", "amount", "paid_on", "account_cipher"),
    Kind.PROJECTS: (
        "project_no",
        "name",
        "project_type",
        "budget",
        "funding_source",
        "contractor",
        "contractor_uscc",
        "approved_on",
        "start_on",
        "planned_end_on",
        "progress",
        "paid_total",
        "status",
        "updated_on",
        "note",
    ),
    Kind.CONTRACTS: (
        "contract_no",
        "subject",
        "category",
        "party",
        "party_id_cipher",
        "start_on",
        "end_on",
        "annual_rent",
        "pay_cycle",
    ),
}


# Which canonical columns hold ciphertext, whose plain value is what counts.
_ENCRYPTED = {kind: tuple(name.endswith("_cipher") for name in names) for kind, names in CANONICAL_FIELDS.items()}
# The same columns in a row before it is stored (disclosures/parsed.py): clear values, own names.
_CLEAR_NAMES = {"id_cipher": "id_number", "account_cipher": "account", "party_id_cipher": "party_id"}
_CLEAR_FIELDS = {
    kind: tuple(_CLEAR_NAMES.get(name, name) for name in names) for kind, names in CANONICAL_FIELDS.items()
}
_NONE_ENCRYPTED = {kind: (False,) * len(names) for kind, names in CANONICAL_FIELDS.items()}
_to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _plain(value, cipher: FieldCipher | None, encrypted: bool) -> str:
    if value is None:
        return ""
    if encrypted:
        return cipher.decrypt(value)
    if type(value) is str:  # most values: checked first, as this runs for every one of every row
        return value.strip()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _line(values: Sequence, withdrawn: bool, encrypted: tuple[bool, ...], cipher: FieldCipher | None) -> str:
    plain = [_plain(value, cipher, flag) for value, flag in zip(values, encrypted)]
    plain.append("withdrawn" if withdrawn else "")
    return _to_json(plain)


def canonical_row(kind: Kind, row, cipher: FieldCipher) -> str:
    """One row as a canonical JSON array of plain values."""
    return _line([getattr(row, name) for name in CANONICAL_FIELDS[kind]], row.withdrawn, _ENCRYPTED[kind], cipher)


def clear_row(kind: Kind, row: dict) -> str:
    """canonical_row of a row not stored yet, as the importers give it: ID numbers and accounts in
    clear (`id_number` for `id_cipher`…) — the same line its stored form will give."""
    names = _CLEAR_FIELDS[kind]
    return _line([row.get(name) for name in names], row.get("withdrawn", False), _NONE_ENCRYPTED[kind], None)


def sorted_lines(lines: Iterable[str]) -> bytes:
    """The part of a batch's hash input that its rows make: canonical lines in sorted order."""
    return b"".join(b"\n" + line.encode() for line in sorted(lines))


def batch_hash(batch: Batch, lines: Iterable[str] | bytes, prev_hash: str | None) -> str:
    """SHA-256 over the batch's identity, its sorted canonical rows and the previous hash;
    `lines` may come as sorted_lines() already."""
    digest = hashlib.sha256()
    head = [
        prev_hash or "",
        batch.village_code,
        batch.kind,
        batch.period or "",
        "correction" if batch.is_correction else "",
        batch.reason or "",
    ]
    digest.update(json.dumps(head, ensure_ascii=False).encode())
    digest.update(lines if isinstance(lines, bytes) else sorted_lines(lines))
    return digest.hexdigest()


def compute_batch_hash(batch: Batch, prev_hash: str | None, cipher: FieldCipher) -> str:
    """The hash of a batch as its rows are stored now."""
    kind = batch.kind
    model = ROW_MODELS[kind]
    # Plain column rows, not ORM objects: verifying a county's chain reads millions of rows.
    query = select(*(getattr(model, name) for name in CANONICAL_FIELDS[kind]), model.withdrawn).where(
        model.batch_id == batch.id
    )
    if (batch.row_count or 0) > STREAM_ABOVE:
        query = query.execution_options(yield_per=STREAM_ABOVE)
    encrypted = _ENCRYPTED[kind]
    lines = (_line(row[:-1], row[-1], encrypted, cipher) for row in db.session.execute(query))
    return batch_hash(batch, lines, prev_hash)


def verify_chain(village_code: str, cipher: FieldCipher) -> list[str]:
    """Problems found re-checking one village: its batches' content hashes, its record of what
    the public sees, and the public view the database serves against the record's; empty when
    all agree."""
    problems = _verify_batches(village_code, cipher)
    view, record_problems = read_record(village_code)
    return problems + record_problems + compare_public_view(village_code, view)


def _verify_batches(village_code: str, cipher: FieldCipher) -> list[str]:
    """The chain of the village's published batches, each one's rows hashed again."""
    problems = []
    previous = None
    batches = db.session.scalars(
        select(Batch)
        .where(Batch.village_code == village_code, Batch.status == BatchStatus.PUBLISHED)
        .order_by(Batch.sequence)
    )
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
