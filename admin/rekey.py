"""Bring every sealed field in line with the configured crypto profile and key (docs/privacy.md).

Keyed hashes depend on the profile: an ID number hashed with HMAC-SHA256 ("aes") never equals its
HMAC-SM3 hash ("sm"), so after a switch to 国密 我的补贴 and the cross-check rules would find no
one. `flask --app app crypto rehash` re-encrypts each sealed value under the current profile and
key and recomputes the hashes beside it, one row in one UPDATE, a batch per transaction.

What is done is recorded in the rows themselves: a row whose marker token already names the
current profile and key (`v1:sm:k1:…`) is finished, so an interrupted run simply continues, and a
second run finds nothing to do. Hashes stay keyed by ID_HMAC_KEY; only the hash function changes.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import Table, bindparam, select, update

from core.crypto import (
    PROFILES,
    TOKEN_VERSION,
    FieldCipher,
    TokenError,
    keys_from_setting,
)
from core.extensions import db
from core.fields import field_cipher

BATCH = 1000


@dataclass(frozen=True)
class Sealed:
    """One encrypted column and what is derived from its plain value."""

    cipher: str
    hash: str | None = None
    public_ref: str | None = None
    # A column that holds the value's hash only on some rows (a warning's subject is an ID number's
    # hash, or a contract number in clear): replaced only where it equals the old hash.
    hash_if_matching: str | None = None


@dataclass(frozen=True)
class SealedTable:
    name: str
    marker: str  # the sealed column whose token says whether the row is done; rows where it is NULL hold nothing sealed
    fields: tuple[Sealed, ...] = field(default_factory=tuple)


SEALED_TABLES = (
    SealedTable(
        "subsidy_payments",
        "id_cipher",
        (Sealed("id_cipher", "id_hash", "public_ref"), Sealed("account_cipher", "account_hash")),
    ),
    SealedTable("contracts", "party_id_cipher", (Sealed("party_id_cipher", "party_id_hash"),)),
    SealedTable("roster_deceased", "id_cipher", (Sealed("id_cipher", "id_hash"),)),
    SealedTable("roster_public_employees", "id_cipher", (Sealed("id_cipher", "id_hash"),)),
    SealedTable(
        "roster_cadres", "id_cipher", (Sealed("id_cipher", "id_hash"), Sealed("cadre_id_cipher", "cadre_id_hash"))
    ),
    SealedTable("complaint_identities", "name_cipher", (Sealed("name_cipher"), Sealed("phone_cipher"))),
    SealedTable("notice_contacts", "address_cipher", (Sealed("address_cipher"),)),
    SealedTable("rule_warnings", "subject_cipher", (Sealed("subject_cipher", hash_if_matching="subject_key"),)),
    SealedTable("rule_hits", "subject_cipher", (Sealed("subject_cipher", hash_if_matching="subject_key"),)),
)


@dataclass
class TableProgress:
    table: str
    changed: int = 0
    left_before: int = 0
    unreadable: list[int] = field(default_factory=list)  # row ids whose token no configured key opens


def _ciphers() -> dict[str, FieldCipher]:
    """One cipher per profile over the same keys: the old hash of a value is its hash under the
    profile its token names."""
    config = current_app.config
    keys, current = keys_from_setting(config["DATA_ENCRYPTION_KEY"])
    return {name: FieldCipher(name, keys, current, hmac_key=config["ID_HMAC_KEY"]) for name in PROFILES}


def current_prefix(cipher: FieldCipher) -> str:
    return f"{TOKEN_VERSION}:{cipher.profile.name}:{cipher.current_key_id}:"


def _pending(table: Table, spec: SealedTable, prefix: str):
    marker = table.c[spec.marker]
    return marker.is_not(None) & ~marker.startswith(prefix, autoescape=True)


def _new_values(row, spec: SealedTable, cipher: FieldCipher, ciphers: dict[str, FieldCipher]) -> dict:
    values = {"row_id": row.id}
    for sealed in spec.fields:
        token = getattr(row, sealed.cipher)
        if token is None:
            continue
        plain = cipher.decrypt(token)  # TokenError for a token no configured key opens
        values[sealed.cipher] = cipher.encrypt(plain)
        if sealed.hash:
            values[sealed.hash] = cipher.lookup_hash(plain)
        if sealed.public_ref:
            values[sealed.public_ref] = cipher.public_ref(plain)
        old = ciphers[token.split(":")[1]]  # the profile the token names (decrypt checked it is one)
        if sealed.hash_if_matching and getattr(row, sealed.hash_if_matching) == old.lookup_hash(plain):
            values[sealed.hash_if_matching] = cipher.lookup_hash(plain)
    return values


def _columns(spec: SealedTable) -> list[str]:
    names = {"id"}
    for sealed in spec.fields:
        names |= {name for name in (sealed.cipher, sealed.hash_if_matching) if name}
    return sorted(names)


def rehash_table(
    spec: SealedTable, *, batch: int = BATCH, on_batch: Callable[[TableProgress], None] | None = None
) -> TableProgress:
    """Bring one table's sealed rows to the current profile and key, a committed batch at a time."""
    cipher, ciphers = field_cipher(), _ciphers()
    table = db.metadata.tables[spec.name]
    prefix = current_prefix(cipher)
    progress = TableProgress(spec.name)
    progress.left_before = (
        db.session.scalar(select(db.func.count()).select_from(table).where(_pending(table, spec, prefix))) or 0
    )
    after = 0
    while True:
        rows = db.session.execute(
            select(*(table.c[name] for name in _columns(spec)))
            .where(_pending(table, spec, prefix), table.c.id > after)
            .order_by(table.c.id)
            .limit(batch)
        ).all()
        if not rows:
            break
        after = rows[-1].id
        changes = []
        for row in rows:
            try:
                changes.append(_new_values(row, spec, cipher, ciphers))
            except TokenError:
                progress.unreadable.append(row.id)
        for names, group in _by_columns(changes):
            # Bound under other names than the columns': SQLAlchemy reserves those for itself.
            db.session.execute(
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values({name: bindparam(f"new_{name}") for name in names}),
                [{"row_id": change["row_id"]} | {f"new_{name}": change[name] for name in names} for change in group],
            )
        db.session.commit()
        progress.changed += len(changes)
        if on_batch:
            on_batch(progress)
    return progress


def _by_columns(changes: list[dict]) -> Iterator[tuple[list[str], list[dict]]]:
    """Rows grouped by the columns they change (a NULL account, a subject in clear change fewer)."""
    groups: dict[tuple[str, ...], list[dict]] = {}
    for change in changes:
        groups.setdefault(tuple(sorted(name for name in change if name != "row_id")), []).append(change)
    for names, group in groups.items():
        yield list(names), group


def rehash_all(*, batch: int = BATCH, on_batch=None) -> list[TableProgress]:
    """rehash_table for every table that holds sealed fields."""
    return [rehash_table(spec, batch=batch, on_batch=on_batch) for spec in SEALED_TABLES]
