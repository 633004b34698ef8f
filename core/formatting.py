"""Values as plain text, the same way everywhere: exports, forms, hashes."""

from datetime import date
from decimal import Decimal


def plain_text(value) -> str:
    """None → '', money with two decimals, dates in ISO form, anything else as str()."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
