"""What the fuzz tests share (tests/test_fuzz_*.py): hypothesis profiles, hostile values, the
forms and routes found in the app, spreadsheets with odd cells, and the row counts that show a
refused request wrote nothing.

Profiles, chosen by HYPOTHESIS_PROFILE: `ci` (the default, 4 inputs each, so .ci/run stays
within its time), `dev` (a few more) and `bench` (bench/fuzz_bench.py: 10,000 inputs each)."""

import csv
import io
import json
import os
import time as clock
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from werkzeug.datastructures import ImmutableMultiDict

RELAXED = dict(deadline=None, database=None, print_blob=True, suppress_health_check=list(HealthCheck))
settings.register_profile("ci", max_examples=4, **RELAXED)
settings.register_profile("dev", max_examples=60, **RELAXED)
# FUZZ_EXAMPLES: bench/fuzz_bench.py --examples, for a shorter run of the large profile.
settings.register_profile("bench", max_examples=int(os.environ.get("FUZZ_EXAMPLES", 10_000)), **RELAXED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TALLY: Counter = Counter()  # inputs run, by form, route or importer
ANSWERS: Counter = Counter()  # (form, status code): how far its inputs got (302: past every refusal)
_SINCE = [clock.monotonic()]  # when the inputs now in TALLY began


def tally(key: str) -> None:
    TALLY[key] += 1


def tally_answer(key: str, status: int) -> None:
    ANSWERS[key, str(status)] += 1


def save_tally(failures: list[str]) -> None:
    """Add the inputs run, their seconds and the failures found to the JSON file FUZZ_TALLY names
    (the bench's); the seconds of the first form or importer include the test's setup."""
    path = os.environ.get("FUZZ_TALLY")
    now = clock.monotonic()
    if path:
        path = Path(path)
        found = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"inputs": {}, "failures": []}
        found["inputs"].update(TALLY)
        for (name, status), count in ANSWERS.items():
            found.setdefault("answers", {}).setdefault(name, {})[status] = count
        found.setdefault("seconds", {}).update({name: round(now - _SINCE[0], 1) for name in TALLY})
        found["failures"] += failures
        path.write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    TALLY.clear()
    ANSWERS.clear()
    _SINCE[0] = now


HUGE = "99999999999999999999999"  # past SQLite's 64-bit and PostgreSQL's integers
HOSTILE = [
    HUGE,
    "9223372036854775808",
    "-9223372036854775809",
    "2147483648",
    "1e999",
    "NaN",
    "-Infinity",
    "0x10",
    "ledger:99999999999",
    "0000-01",
    "0000-00",
    "9999-12",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2026-13-01",
    "10000-01-01",
    "-1",
    "0",
    "",
    " ",
    "/\r\nX-Injected: 1",
    "%0d%0aX-Injected:%201",
    "x\x00y",
    "\ud7ff\ufeff\u202e",
    "长" * 300,
    "<script>alert(1)</script>",
    "'; DROP TABLE users; --",
    "../../etc/passwd",
]
# Any character but a lone surrogate (no UTF-8 form a browser could send), control characters included.
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=400)
INTEGERS = st.integers(min_value=-(2**80), max_value=2**80).map(str)
DATES = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.from_regex(r"\A[0-9]{1,5}-[0-9]{1,2}(-[0-9]{1,2})?(T[0-9]{1,2}:[0-9]{1,2})?\Z"),
)
NUMBERS = st.one_of(INTEGERS, st.floats().map(str), st.decimals(allow_nan=True).map(str))
SCALARS = st.one_of(st.sampled_from(HOSTILE), ANY_TEXT, INTEGERS, DATES, NUMBERS)


class RecordingMultiDict(ImmutableMultiDict):
    """request.args / request.form that note each name a view asks for (in `read`)."""

    read: set[str] = set()

    def get(self, key, default=None, type=None):
        RecordingMultiDict.read.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        RecordingMultiDict.read.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        RecordingMultiDict.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        RecordingMultiDict.read.add(key)
        return super().__contains__(key)


def record_parameters(app) -> None:
    """From now on the app's requests note the query and form names their views read."""
    app.request_class = type("RecordingRequest", (app.request_class,), {"parameter_storage_class": RecordingMultiDict})


class FormValues(HTMLParser):
    """Every value a page offers for each field name: inputs' values and a select's options."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, set[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "select":
            self._select = name
        elif tag == "option" and self._select and attrs.get("value") is not None:
            self.values.setdefault(self._select, set()).add(attrs["value"])
        elif tag in ("input", "button", "textarea") and name and name != "csrf_token":
            self.values.setdefault(name, set()).add(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def harvest(html: str, into: dict[str, set[str]]) -> None:
    parser = FormValues()
    parser.feed(html)
    for name, values in parser.values.items():
        into.setdefault(name, set()).update(values)


def form_classes() -> list[type]:
    """Every FlaskForm subclass the app defines (imported with its blueprints)."""
    from flask_wtf import FlaskForm

    found, todo = [], [FlaskForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            found.append(subclass)
            todo.append(subclass)
    return found


def file_field_names() -> set[str]:
    """The names of the upload fields of every form."""
    from wtforms.fields.core import UnboundField
    from wtforms.fields import FileField, MultipleFileField

    names = set()
    for form in form_classes():
        for name in dir(form):
            value = getattr(form, name, None)
            if isinstance(value, UnboundField) and issubclass(value.field_class, (FileField, MultipleFileField)):
                names.add(name)
    return names


def field_values(name: str, offered: dict[str, set[str]]) -> st.SearchStrategy:
    """What a fuzzed field gets: a value a page offers for it (half the time, so that a form gets
    past its first check often), or anything hostile."""
    choices = sorted(offered.get(name, ()))
    hostile = st.one_of(SCALARS, st.lists(SCALARS, min_size=2, max_size=3))
    return half_and_half(st.sampled_from(choices), hostile) if choices else hostile


def half_and_half(first: st.SearchStrategy, second: st.SearchStrategy) -> st.SearchStrategy:
    """Each strategy for half the inputs. st.one_of would flatten the second's branches and weigh
    each as much as the first: a page's value came up in 1 input of 10, and a form that needs two
    such values (a live request id and 批准/不批准) got past its refusal in about 1 of 50."""
    return st.booleans().flatmap(lambda pick_first: first if pick_first else second)


# ---- spreadsheets -----------------------------------------------------------------------------

# Cells a spreadsheet can hold that a CSV cannot: numbers of every size, dates of year 1 and 9999,
# times, durations, booleans, formulas and error values.
ODD_CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31)),
    st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)),
    st.times(),
    st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=3000)),
    st.sampled_from(["=1/0", "=SUM(A1:A9)", "#DIV/0!", "#N/A", '=HYPERLINK("http://x")', "@SUM(1)", "+1", "-1"]),
)


def plausible_cells(village: str) -> st.SearchStrategy:
    """Cells that pass some checks, so that a row gets past its first refusal."""
    return st.sampled_from(
        [
            village,
            "2026-10-15",
            "2026-10",
            "2026/10/15",
            "记-1",
            "支出",
            "收入",
            "管理费用",
            "补助收入",
            "办公用品",
            "1200.50",
            "1,200.50",
            "¥1200",
            "0",
            "-5",
            "张三",
            "11010519491231002X",
            "110105194912310021",
            "6222020200112233445",
            "资产",
            "资源",
            "年",
            "月",
            "在建",
            "已完工",
            "50%",
            "91350100M000100Y43",
            "XM-001",
            "HT-001",
            "低保",
            "村党支部书记",
            "配偶",
            "事业单位",
            "2026-01",
            "300",
            "休息日",
            "工作日",
            "629901000000",
            "629901101000",
            "629901101299",
            "629901101",
            "县",
            "乡镇",
            "街道",
            "村",
            "社区",
            "东风村",
        ]
    )


def table_cells(village: str, xlsx: bool) -> st.SearchStrategy:
    text = st.one_of(st.sampled_from(HOSTILE), ANY_TEXT, INTEGERS, DATES, plausible_cells(village))
    return st.one_of(text, ODD_CELLS) if xlsx else text


class Sheet:
    """A generated table; its file is made when asked, so that a failure shows the cells, not bytes."""

    def __init__(self, rows: list[list], xlsx: bool, encoding: str, title: str):
        self.rows, self.xlsx, self.encoding, self.title = rows, xlsx, encoding, title

    def __repr__(self) -> str:
        kind = f"xlsx, sheet {self.title!r}" if self.xlsx else f"csv, {self.encoding}"
        return f"Sheet({kind}, rows={self.rows!r})"

    def file(self) -> tuple[bytes, str]:
        if self.xlsx:
            return xlsx_bytes(self.rows, sheet_title=self.title), "导入.xlsx"
        return csv_bytes(self.rows, encoding=self.encoding), "导入.csv"


@st.composite
def spreadsheets(draw, columns: tuple[str, ...], village: str, xlsx: bool | None = None) -> Sheet:
    """A CSV or .xlsx table under (mostly) the template's header, with rows of odd cells."""
    xlsx = draw(st.booleans()) if xlsx is None else xlsx
    header = list(columns)
    if draw(st.integers(0, 9)) == 0:  # now and then a header with a column lost, doubled or foreign
        header = draw(st.lists(st.one_of(st.sampled_from(columns), ANY_TEXT), max_size=len(columns) + 2))
    width = max(len(header) + draw(st.integers(-1, 1)), 0) if header else draw(st.integers(0, 3))
    rows = draw(st.lists(st.lists(table_cells(village, xlsx), min_size=width, max_size=width), max_size=6))
    return Sheet(
        [header, *rows],
        xlsx,
        draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16"])),
        draw(st.sampled_from(["Sheet1", "数据", "'x"])),
    )


def csv_bytes(rows: list[list], encoding: str) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding, errors="replace")


def xlsx_bytes(rows: list[list], sheet_title: str = "Sheet1") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title.strip("'") or "Sheet1"
    for row in rows:
        # openpyxl cannot write the XML-illegal control characters: they go as "?" (a CSV keeps them);
        # nor timezone-aware times, nor numbers past what a spreadsheet holds.
        sheet.append([_writable(cell, ILLEGAL_CHARACTERS_RE) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _writable(cell, illegal):
    if isinstance(cell, str):
        return illegal.sub("?", cell)
    if isinstance(cell, int) and not isinstance(cell, bool) and abs(cell) >= 2**63:
        return str(cell)
    if isinstance(cell, Decimal):
        return float(cell)
    if isinstance(cell, time):
        return cell.replace(tzinfo=None)
    return cell


def template_columns() -> list[tuple[str, ...]]:
    """The header of every import template: the four disclosure kinds, the rosters, the calendar."""
    from core.calendar.csvfile import HEADER
    from disclosures.importers.checking import template_for
    from disclosures.models import Kind
    from rules.rosters.models import RosterKind
    from rules.rosters.templates import ROSTER_TEMPLATES

    return (
        [tuple(template_for(kind, None).columns) for kind in Kind]
        + [tuple(HEADER)]
        + [tuple(ROSTER_TEMPLATES[kind]().columns) for kind in RosterKind]
    )


@st.composite
def images(draw) -> tuple[bytes, str]:
    """A small real picture (a photo field's happy path), now and then under a misleading name."""
    from PIL import Image

    size = (draw(st.integers(1, 40)), draw(st.integers(1, 40)))
    out = io.BytesIO()
    kind = draw(st.sampled_from(["JPEG", "PNG", "GIF"]))
    Image.new("RGB", size, draw(st.tuples(*[st.integers(0, 255)] * 3))).save(out, kind)
    return out.getvalue(), draw(st.sampled_from(["照片.jpg", "x.png", "x.gif", "录音.m4a", "x"]))


def uploads(village: str) -> st.SearchStrategy:
    """A file for an upload field: a spreadsheet in one of the templates' columns, a picture, or
    bytes of anything."""
    sheets = st.sampled_from(template_columns()).flatmap(lambda columns: spreadsheets(columns, village))
    files = st.one_of(
        sheets.map(Sheet.file),
        images(),
        st.tuples(st.binary(max_size=2000), st.sampled_from(["x.csv", "x.xlsx", "x.jpg", "x", "..\\x.csv"])),
    )
    return files.map(lambda made: (io.BytesIO(made[0]), made[1]))


# ---- row counts ---------------------------------------------------------------------------------


class RowCounts:
    """The number of rows of every table, read in one statement."""

    def __init__(self, engine):
        from sqlalchemy import inspect, text

        self.engine = engine
        self.tables = sorted(name for name in inspect(engine).get_table_names())
        quote = engine.dialect.identifier_preparer.quote
        self.statement = text("SELECT " + ", ".join(f"(SELECT count(*) FROM {quote(name)})" for name in self.tables))

    def read(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            return dict(zip(self.tables, connection.execute(self.statement).one()))

    @staticmethod
    def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
        return {name: (before[name], after[name]) for name in before if before[name] != after[name]}
