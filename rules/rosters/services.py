"""Roster use cases: import a file as the kind's new current version; read a version's rows.
Each public function is one transaction; views of rows are audited."""

from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import Select, select, update

from core.audit import record_audit
from core.bulk import bulk_insert
from core.crypto import FieldCipher
from core.db import utcnow
from core.extensions import db
from core.fields import field_cipher
from disclosures.importers import CheckedFile, check_with
from rules.rosters.models import ROSTER_MODELS, RosterKind, RosterVersion
from rules.rosters.signals import roster_imported
from rules.rosters.templates import ROSTER_TEMPLATES

INSERT_CHUNK = 5000
# Clear values of these row keys become (hash, cipher) column pairs.
SEALED = {"id_number": ("id_hash", "id_cipher"), "cadre_id": ("cadre_id_hash", "cadre_id_cipher")}


def check_roster(kind: RosterKind, data: bytes | BinaryIO, filename: str, **limits: int) -> CheckedFile:
    """Check a roster file; raise Rejected with every problem, else return the checked file (close it)."""
    template = ROSTER_TEMPLATES[RosterKind(kind)]()
    template.prepare()
    return check_with(template, data, filename, villages=None, **limits)


def _sealed(row: dict, cipher: FieldCipher, version_id: int) -> dict:
    values = {key: value for key, value in row.items() if key not in SEALED}
    for key, (hash_column, cipher_column) in SEALED.items():
        if key in row:
            clear = row[key]
            values[hash_column] = cipher.lookup_hash(clear) if clear else None
            values[cipher_column] = cipher.encrypt(clear) if clear else None
    return values | {"version_id": version_id}


def store_roster(checked: CheckedFile, *, by=None) -> RosterVersion:
    """The checked rows as the kind's current version; the previous one is kept, marked replaced."""
    kind, now = RosterKind(checked.kind), utcnow()
    db.session.execute(
        update(RosterVersion)
        .where(RosterVersion.kind == kind, RosterVersion.is_current.is_(True))
        .values(is_current=False, replaced_at=now)
    )
    version = RosterVersion(
        kind=kind,
        filename=checked.filename[:200],
        row_count=checked.row_count,
        imported_by_id=getattr(by, "id", None),
        imported_at=now,
        is_current=True,
    )
    db.session.add(version)
    db.session.flush()
    cipher, table = field_cipher(), ROSTER_MODELS[kind].__table__
    for rows in checked.chunks():
        values = [_sealed(row, cipher, version.id) for row in rows]
        for start in range(0, len(values), INSERT_CHUNK):
            bulk_insert(table, values[start : start + INSERT_CHUNK])
    record_audit(
        "roster.import",
        target_type="roster",
        target_id=version.id,
        actor=by,
        detail={"kind": kind.value, "rows": version.row_count, "file": checked.filename},
    )
    db.session.commit()
    roster_imported.send(None, version_id=version.id)
    return version


@dataclass(frozen=True)
class ImportedRoster:
    version: RosterVersion
    notices: list[str]  # an ignored extra column, say


def import_roster(kind: RosterKind, data: bytes | BinaryIO, filename: str, *, by=None, **limits: int) -> ImportedRoster:
    """Check and store a roster file; nothing is stored when any row is bad (Rejected)."""
    with check_roster(kind, data, filename, **limits) as checked:
        return ImportedRoster(store_roster(checked, by=by), list(checked.notices))


def versions(kind: RosterKind) -> list[RosterVersion]:
    """Every version of a kind, newest first."""
    return list(
        db.session.scalars(select(RosterVersion).where(RosterVersion.kind == kind).order_by(RosterVersion.id.desc()))
    )


def current_version(kind: RosterKind) -> RosterVersion | None:
    return db.session.scalar(
        select(RosterVersion).where(RosterVersion.kind == kind, RosterVersion.is_current.is_(True))
    )


def version_rows(version: RosterVersion) -> Select:
    """The rows of a version, in file order."""
    model = ROSTER_MODELS[version.kind]
    return select(model).where(model.version_id == version.id).order_by(model.row_number, model.id)


def record_roster_view(version: RosterVersion, *, by, page: int) -> None:
    """Every look at a roster is in the audit log: who, which version, which page."""
    record_audit(
        "roster.view", target_type="roster", target_id=version.id, actor=by, detail={"kind": version.kind, "page": page}
    )
    db.session.commit()
