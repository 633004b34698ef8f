"""Reading uploaded .xlsx and CSV tables, and parsing their cells, for every importer."""

from core.tabular.cells import (
    cell_text,
    is_blank,
    neutralise_formula,
    parse_amount,
    parse_date,
    parse_month,
    parse_person_name,
    parse_text,
    to_decimal,
)
from core.tabular.ids import Truncated, check_id_number, check_uscc, parse_digits, parse_id_number
from core.tabular.reader import FORMULA_UNSAVED, Row, Table, TableSpec, open_table

__all__ = [
    "FORMULA_UNSAVED",
    "Row",
    "Table",
    "TableSpec",
    "Truncated",
    "cell_text",
    "check_id_number",
    "check_uscc",
    "is_blank",
    "neutralise_formula",
    "open_table",
    "parse_amount",
    "parse_date",
    "parse_digits",
    "parse_id_number",
    "parse_month",
    "parse_person_name",
    "parse_text",
    "to_decimal",
]
