"""village record: a hash chain of every change of what the public sees (a batch published, a row
superseded or withdrawn), so that verify notices a row hidden, moved or un-corrected in place

Existing villages get their record here, built in publication order from what the batches
themselves say — each published batch, and each correction batch's rows with the row each
replaces — never from the rows' visibility flags (published, superseded_by_batch_id,
village_code). So a row hidden or moved before the upgrade is still reported by verify after it.
No key is needed: the record holds row and batch numbers and the batches' content hashes, which
stay as they were (fingerprints already posted on notice boards remain valid).

Revision ID: 0019
Revises: 0017
"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None

ROW_TABLES = {
    "ledger": "ledger_entries",
    "subsidies": "subsidy_payments",
    "projects": "project_updates",
    "contracts": "contracts",
}
_to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def _entry_hash(prev_hash, village_code, sequence, event, batch_id, detail):
    # Frozen copy of disclosures/record.py: entry_hash as of this revision.
    head = _to_json([prev_hash or "", village_code, sequence, event, batch_id, detail])
    return hashlib.sha256(head.encode()).hexdigest()


def upgrade():
    op.create_table(
        "chain_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["disclosure_batches.id"], name=op.f("fk_chain_entries_batch_id_disclosure_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_entries")),
        sa.UniqueConstraint("village_code", "sequence", name="chain_entry_village_sequence"),
        sa.CheckConstraint("event IN ('publish', 'supersede', 'withdraw')", name=op.f("ck_chain_entries_event_valid")),
    )
    with op.batch_alter_table("chain_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_entries_batch_id"), ["batch_id"], unique=False)
    _record_published_batches(op.get_bind())


def _record_published_batches(connection) -> None:
    entries = sa.table(
        "chain_entries",
        *(
            sa.column(name)
            for name in ("village_code", "sequence", "event", "batch_id", "detail", "prev_hash", "entry_hash")
        ),
        sa.column("recorded_at", core.db.UTCDateTime()),
    )
    batches = connection.execute(
        sa.text(
            "SELECT id, village_code, kind, is_correction, content_hash, published_at FROM disclosure_batches "
            "WHERE status = 'published' AND sequence IS NOT NULL ORDER BY village_code, sequence"
        ).columns(published_at=core.db.UTCDateTime())
    ).all()
    heads, values = {}, []

    def append(village, event, batch_id, detail, at):
        sequence, previous = heads.get(village, (0, None))
        text = _to_json(detail)
        digest = _entry_hash(previous, village, sequence + 1, event, batch_id, text)
        values.append(
            {
                "village_code": village,
                "sequence": sequence + 1,
                "event": event,
                "batch_id": batch_id,
                "detail": text,
                "prev_hash": previous,
                "entry_hash": digest,
                "recorded_at": at,
            }
        )
        heads[village] = (sequence + 1, digest)

    for batch_id, village, kind, is_correction, content_hash, published_at in batches:
        at = published_at or core.db.utcnow()
        append(village, "publish", batch_id, {"kind": kind, "batch_hash": content_hash}, at)
        if not is_correction:
            continue
        table = ROW_TABLES[kind]
        rows = connection.execute(
            sa.text(
                f"SELECT fix.id, fix.withdrawn, was.id, was.batch_id FROM {table} fix "
                f"JOIN {table} was ON was.id = fix.replaces_id WHERE fix.batch_id = :batch ORDER BY fix.id"
            ),
            {"batch": batch_id},
        )
        for by_row, withdrawn, row, row_batch in rows:
            append(
                village,
                "withdraw" if withdrawn else "supersede",
                batch_id,
                {"kind": kind, "row": row, "row_batch": row_batch, "by_row": by_row},
                at,
            )
    if values:
        op.bulk_insert(entries, values)


def downgrade():
    op.drop_table("chain_entries")
