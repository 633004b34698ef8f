"""Parsers for code-like cells (村代码, 身份证号, 银行账号, 统一社会信用代码) that Excel may have mangled."""

import re
from datetime import date, datetime

from core.tabular.cells import EXCEL_DIGITS, excel_general_text, is_blank, normalise
from core.timezone import SHANGHAI

# Integers above 2**53 are not exact in a float: Excel has already lost digits.
_EXACT_FLOAT_LIMIT = 2**53
SET_AS_TEXT = "请把该列设为文本格式后重新输入"
TRUNCATED = "数字已被Excel截断，" + SET_AS_TEXT
# What Excel leaves of an 18-digit ID: its first 15 digits, then zeros.
_EXCEL_ZEROS = "0" * (18 - EXCEL_DIGITS)
ID_ZEROS_WARNING = "身份证号末三位为000，可能已被Excel截断，请与原件核对"
# A CSV saved from a number cell shows Excel's scientific form, e.g. 6.29901E+17.
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?E\+?\d+", re.IGNORECASE)
_ID_SHAPE = re.compile(r"\d{17}[\dX]")


class Truncated(ValueError):
    """A code that Excel has cut short: no reading of the cell gives back the real digits."""


def _cut_to_15(shown: str) -> Truncated:
    return Truncated(f"数字已被Excel截断为15位有效数字（单元格显示为{shown}），{SET_AS_TEXT}")


def _number_digits(value: int | float) -> str:
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(TRUNCATED)
    if value < 0:
        raise ValueError("应为数字")
    digits = str(int(value))
    # Past 2**53 no number is exact, and past 15 digits Excel keeps only zeros: either way the
    # cell no longer holds the digits the accountant typed.
    if value > _EXACT_FLOAT_LIMIT or (len(digits) > EXCEL_DIGITS and not digits[EXCEL_DIGITS:].strip("0")):
        raise _cut_to_15(excel_general_text(value))
    return digits


def _code_text(value: object) -> str:
    """Text of a code cell with Excel's number conversion undone."""
    if is_blank(value):
        raise ValueError("不能为空")
    if isinstance(value, bool):
        raise ValueError("应为数字")
    if isinstance(value, (int, float)):
        return _number_digits(value)
    text = re.sub(r"\s+", "", normalise(str(value)))
    if _SCIENTIFIC.fullmatch(text):
        raise Truncated(TRUNCATED)
    return text


def parse_digits(value: object, length: int | tuple[int, int] | None = None) -> str:
    """A string of digits (村代码, 银行账号) even if Excel stored it as a number; length exact or (min, max)."""
    text = _code_text(value)
    if not text.isascii() or not text.isdigit():
        raise ValueError("应为数字")
    if isinstance(length, int) and len(text) != length:
        raise ValueError(f"应为{length}位数字")
    if isinstance(length, tuple) and not length[0] <= len(text) <= length[1]:
        raise ValueError(f"应为{length[0]}–{length[1]}位数字")
    return text


def _check_birth_date(number: str) -> None:
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError("出生日期无效") from None
    if born.year < 1900 or born > datetime.now(SHANGHAI).date():
        raise ValueError("出生日期无效")


def parse_id_number(value: object) -> str:
    """An 18-character 居民身份证号 (GB 11643): shape, birth date, MOD 11-2 check; area code not checked."""
    number = _code_text(value).upper()
    if len(number) != 18:
        raise ValueError("身份证号应为18位")
    if not _ID_SHAPE.fullmatch(number):
        raise ValueError("身份证号只能是数字，末位可以是X")
    _check_birth_date(number)
    from stdnum.iso7064 import mod_11_2  # here, not at the top: stdnum's import pulls in pydoc

    if not mod_11_2.is_valid(number):
        # Excel's zeros in place of the last three digits break the check 10 times in 11.
        if number.endswith(_EXCEL_ZEROS):
            raise Truncated(f"身份证号校验位不符且末三位为000，应是被Excel截断为15位有效数字，{SET_AS_TEXT}")
        raise ValueError("身份证号校验位错误")
    return number


def check_id_number(value: object) -> tuple[str, str | None]:
    """parse_id_number, and a warning for a valid number ending in 000: a real ID may, but so
    does one Excel cut whose check digit happens to fit, so the uploader confirms it."""
    number = parse_id_number(value)
    return number, ID_ZEROS_WARNING if number.endswith(_EXCEL_ZEROS) else None


def check_uscc(value: object) -> tuple[str, str | None]:
    """A 统一社会信用代码 (GB 32100); a wrong check character is a warning, other faults raise."""
    code = _code_text(value).upper()
    if len(code) != 18:
        raise ValueError("统一社会信用代码应为18位")
    from stdnum.cn import uscc
    from stdnum.exceptions import InvalidChecksum, ValidationError

    try:
        return uscc.validate(code), None
    except InvalidChecksum:
        # Some legally issued early codes fail the check: the uploader confirms instead.
        return code, "统一社会信用代码校验位不符，请核对"
    except ValidationError:
        raise ValueError("统一社会信用代码格式错误") from None
