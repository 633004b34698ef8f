"""Parsers for single cell values; each raises ValueError with a short Chinese reason."""

import math
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from core.names import normalise_name

CENT = Decimal("0.01")
# Money columns are Numeric(14, 2): anything larger could not be stored.
MAX_AMOUNT = Decimal("999999999999.99")
# Far past any amount, and small enough to be held to the cent: Decimal keeps 28 digits, and
# rounding a larger number to cents raises InvalidOperation (a 500) instead of refusing the cell.
LARGEST_NUMBER = Decimal(10) ** 20
# Float noise from Excel arithmetic (0.1 + 0.2) is far below this; a real third decimal is not.
FLOAT_NOISE = Decimal("1e-9")
# Excel keeps 15 significant digits of a number and replaces the rest by zeros.
EXCEL_DIGITS = 15
EXCEL_DIGITS_LIMIT = 10**EXCEL_DIGITS

_PLAIN_NUMBER = re.compile(r"-?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?")
_PLAIN_DECIMAL = re.compile(r"\d{1,15}(?:\.\d{1,15})?", re.ASCII)
_DATE_SEPARATED = re.compile(r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})")
_DATE_CHINESE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
# A CSV exported from a date-time cell shows the time too; midnight carries no information.
_MIDNIGHT = re.compile(r"\s+0{1,2}:00(?::00)?$")
_MONTH = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?")
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def normalise(text: str) -> str:
    """Fold full-width digits, letters and punctuation to ASCII and strip whitespace."""
    return unicodedata.normalize("NFKC", text).strip()


def is_blank(value: object) -> bool:
    """True for an empty cell: None or whitespace-only text."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    """A cell value as the person would read it in Excel, for messages and text columns."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)) and math.isfinite(value):
        return excel_number_text(value)
    return str(value).strip()


def excel_number_text(value: int | float) -> str:
    """A number as Excel's formula bar shows it: 15 significant digits at most, no exponent, so an
    ID number Excel cut reads 629901197101246000, never the float's own ...246016."""
    if isinstance(value, int) and abs(value) < EXCEL_DIGITS_LIMIT:
        return str(value)
    return format(Decimal(f"{value:.{EXCEL_DIGITS}g}").normalize(), "f")


def excel_general_text(value: int | float) -> str:
    """A long number as a General-format cell shows it, e.g. 6.29901E+17."""
    return f"{value:.6G}".replace("E+0", "E+")


def parse_text(value: object) -> str:
    """Free text, stripped (full-width spaces too); an empty cell gives ''."""
    return cell_text(value).strip()


def parse_person_name(value: object, limit: int = 64) -> str:
    """A person's name without the padding rosters put in it (core/names.py)."""
    name = normalise_name(parse_text(value))
    if not name:
        raise ValueError("不能为空")
    if len(name) > limit:
        raise ValueError(f"不能超过{limit}个字")
    return name


def _require(value: object) -> None:
    if is_blank(value):
        raise ValueError("不能为空")


def _float_to_decimal(value: float) -> Decimal:
    if not math.isfinite(value):
        raise ValueError("不是有效金额")
    if abs(value) >= LARGEST_NUMBER:
        raise ValueError("金额过大")
    exact = Decimal(repr(value))
    rounded = exact.quantize(CENT)
    return rounded if abs(exact - rounded) < FLOAT_NOISE else exact


def to_decimal(value: object) -> Decimal:
    """Any number cell or numeric text (¥, thousands commas, full-width) as a signed Decimal, less
    than LARGEST_NUMBER in size."""
    number = _to_decimal(value)
    if abs(number) >= LARGEST_NUMBER:
        raise ValueError("金额过大")
    return number


def _to_decimal(value: object) -> Decimal:
    # Nearly every amount of a big CSV is plain 1234.50: no normalising needed.
    if type(value) is str and _PLAIN_DECIMAL.fullmatch(value):
        return Decimal(value)
    _require(value)
    if isinstance(value, bool):
        raise ValueError("不是有效金额")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return _float_to_decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("不是有效金额")
        return value
    if not isinstance(value, str):
        raise ValueError("不是有效金额")
    text = normalise(value).replace(" ", "")
    text = text.removeprefix("¥").removesuffix("元")
    if text.startswith("-¥"):
        text = "-" + text[2:]
    if not _PLAIN_NUMBER.fullmatch(text):
        raise ValueError("不是有效金额")
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as error:
        raise ValueError("不是有效金额") from error


def parse_amount(value: object, *, allow_zero: bool) -> Decimal:
    """An amount in 元 with at most 2 decimals, > 0 (or ≥ 0 with allow_zero), as Decimal('0.00')."""
    amount = to_decimal(value)
    if amount.quantize(CENT) != amount:
        raise ValueError("最多两位小数")
    if allow_zero and amount < 0:
        raise ValueError("金额不能为负数")
    if not allow_zero and amount <= 0:
        raise ValueError("金额必须大于0")
    if amount > MAX_AMOUNT:
        raise ValueError("金额过大")
    return amount.quantize(CENT)


def _date_parts(text: str) -> tuple[str, str, str]:
    text = _MIDNIGHT.sub("", text)
    found = _DATE_SEPARATED.fullmatch(text)
    if found:
        return found.group(1), found.group(3), found.group(4)
    found = _DATE_CHINESE.fullmatch(text)
    if found:
        return found.group(1), found.group(2), found.group(3)
    raise ValueError("不是有效日期")


def parse_date(value: object) -> date:
    """A date cell or text such as 2026-10-05, 2026/10/5, 2026.10.05, 2026年10月5日."""
    _require(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    # A bare number here is not a date Excel recognised: guessing a serial would hide mistakes.
    if not isinstance(value, str):
        raise ValueError("不是有效日期")
    year, month, day = _date_parts(normalise(value))
    try:
        return date(int(year), int(month), int(day))
    except ValueError as error:
        raise ValueError("不是有效日期") from error


def parse_month(value: object) -> str:
    """A month as 'YYYY-MM' from 2026-10, 2026/10, 2026.10, 2026年10月 or a date cell."""
    _require(value)
    if isinstance(value, (datetime, date)):
        return f"{value.year:04d}-{value.month:02d}"
    if not isinstance(value, str):
        raise ValueError("不是有效年月，请写成2026-10并把该列设为文本格式")
    text = normalise(value)
    found = _MONTH.fullmatch(text)
    if found is None:
        # Excel shows a month it turned into a date as the 1st of that month.
        try:
            day = parse_date(text)
        except ValueError:
            raise ValueError("不是有效年月") from None
        if day.day != 1:
            raise ValueError("不是有效年月")
        return f"{day.year:04d}-{day.month:02d}"
    year, month = int(found.group(1)), int(found.group(2))
    if not 1 <= month <= 12:
        raise ValueError("不是有效年月")
    return f"{year:04d}-{month:02d}"


def neutralise_formula(text: str) -> str:
    """Prefix an apostrophe to exported text a spreadsheet would run as a formula (OWASP CSV injection)."""
    if text and text.startswith(_FORMULA_LEADS):
        return "'" + text
    return text
