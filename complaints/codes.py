"""Public case numbers and tracking secrets."""

import secrets

from flask import current_app
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.crypto import hash_secret, verify_secret
from core.extensions import db
from complaints.models import ComplaintCounter

SECRET_DIGITS = 16


def next_case_code(township_code: str, year: int) -> str:
    """2026-629901101-0123: the township's next number this year (the counter row stays locked
    until the filing commits or rolls back, so two filings never share a number)."""
    number = reserve_numbers(township_code, year, 1)
    return f"{year}-{township_code[:9]}-{number:04d}"


def reserve_numbers(series: str, year: int, count: int) -> int:
    """Take the next `count` numbers of a series (a township's cases; a township's warnings have
    their own) this year; returns the last one taken."""
    # One statement creates or advances the row without racing another worker.
    dialect_insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    return db.session.scalar(
        dialect_insert(ComplaintCounter)
        .values(year=year, township_code=series, last=count)
        .on_conflict_do_update(
            index_elements=[ComplaintCounter.year, ComplaintCounter.township_code],
            set_={"last": ComplaintCounter.last + count},
        )
        .returning(ComplaintCounter.last)
    )


def new_secret() -> str:
    """Sixteen random digits: easy to copy onto paper or read out on the phone."""
    return f"{secrets.randbelow(10**SECRET_DIGITS):0{SECRET_DIGITS}d}"


def format_secret(secret: str) -> str:
    """1234567812345678 → 1234 5678 1234 5678."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_secret(typed: str) -> str:
    """What a person typed, without spaces or dashes (full-width digits too)."""
    digits = "".join(ch for ch in typed if ch.isdigit())
    return digits.translate(str.maketrans("０１２３４５６７８９", "0123456789"))


def _key() -> str:
    return current_app.config["TRACKING_SECRET_KEY"]


def hash_tracking_secret(secret: str) -> str:
    """The keyed hash stored instead of the secret."""
    return hash_secret(normalise_secret(secret), _key())


def check_tracking_secret(secret: str, stored: str) -> bool:
    """Constant-time comparison of a typed secret with the stored hash."""
    return verify_secret(normalise_secret(secret), stored, _key())
