"""Parsers for code-like cells (村代码, 身份证号, 银行账号, 统一社会信用代码) that Excel may have mangled."""
import re
from datetime import date, datetime

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.iso7064 import mod_11_2

from core.tabular.cells import is_blank, normalise
from core.timezone import SHANGHAI

# Integers above 2**53 are not exact in a float: Excel has already lost digits.
_EXACT_FLOAT_LIMIT = 2**53
TRUNCATED = "数字已被Excel截断，请把该列设为文本格式"
# A CSV saved from a number cell shows Excel's scientific form, e.g. 6.29901E+17.
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?E\+?\d+", re.IGNORECASE)
_ID_SHAPE = re.compile(r"\d{17}[\dX]")


def _number_digits(value: int | float) -> str:
    if isinstance(value, float):
        if not value.is_integer() or not 0 <= value < _EXACT_FLOAT_LIMIT:
            raise ValueError(TRUNCATED)
        value = int(value)
    if value < 0:
        raise ValueError("应为数字")
    return str(value)


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
        raise ValueError(TRUNCATED)
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
    if not mod_11_2.is_valid(number):
        raise ValueError("身份证号校验位错误")
    return number


def check_uscc(value: object) -> tuple[str, str | None]:
    """A 统一社会信用代码 (GB 32100); a wrong check character is a warning, other faults raise."""
    code = _code_text(value).upper()
    if len(code) != 18:
        raise ValueError("统一社会信用代码应为18位")
    try:
        return uscc.validate(code), None
    except InvalidChecksum:
        # Some legally issued early codes fail the check: the uploader confirms instead.
        return code, "统一社会信用代码校验位不符，请核对"
    except ValidationError:
        raise ValueError("统一社会信用代码格式错误") from None
