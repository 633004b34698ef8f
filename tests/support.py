"""Plain helpers shared by the tests (import as `from support import …`; conftest modules are
not importable by name once several folders have one)."""

import os
import re
import tempfile
from pathlib import Path

from core.config import normalise_database_url

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
DATABASE_URL = normalise_database_url(os.environ.get("DATABASE_URL", ""))
ON_POSTGRES = DATABASE_URL.startswith("postgresql")
IN_CI = os.environ.get("CI") == "true"

CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF_PATTERN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


TOOL_PACKAGES = {"redis-server": "redis-server", "pg_dump": "postgresql-client", "pg_restore": "postgresql-client"}


def require_tool(name: str) -> str:
    """A command-line tool's path; a skip when it is missing, but a failure under CI=true."""
    import shutil

    import pytest

    path = shutil.which(name)
    if path:
        return path
    package = "fontconfig" if name.startswith("fc-") else TOOL_PACKAGES.get(name, "poppler-utils")
    message = f"{name} not found (Debian package {package})"
    if IN_CI:
        pytest.fail(f"{message}: required when CI=true")
    pytest.skip(message)


def signed_in_client(app, username: str, password: str = "pw-for-tests-1"):
    """A new test client of the app (cookies of its own), signed in as the staff user."""
    client = app.test_client()
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login", data={"username": username, "password": password, "csrf_token": csrf_from(page.text)}
    )
    response.close()
    assert response.status_code == 302, f"{username} could not sign in"
    return client


def open_tracking(client, filed) -> str:
    """Open a filed case on the tracking page as the villager would, with its code and secret;
    the case page's HTML."""
    from complaints.codes import format_secret

    page = client.get("/track")
    opened = client.post(
        "/track", data={"csrf_token": csrf_from(page.text), "code": filed.code, "secret": format_secret(filed.secret)}
    )
    assert opened.status_code == 302, "the tracking page did not open the case"
    return client.get("/track/case").text


def logout(client) -> None:
    """Sign the client's staff user out (the form posts from any back-office page)."""
    client.post("/staff/logout", data={"csrf_token": csrf_from(client.get("/admin/").text)})


def run_tool(tool: str, *args) -> str:
    """Run a tool found by require_tool and return its standard output."""
    import subprocess

    return subprocess.run([require_tool(tool), *args], check=True, capture_output=True, text=True).stdout


def ledger_row(month: str) -> dict:
    """A plain expense row of a ledger month (10.00 元 of office supplies on the 5th), as parsed."""
    from datetime import date
    from decimal import Decimal

    year, number = int(month[:4]), int(month[5:])
    return {
        "row_number": 2,
        "entry_on": date(year, number, 5),
        "month": month,
        "year": year,
        "voucher_no": "记-1",
        "direction": "expense",
        "category": "管理费用",
        "summary": "办公用品",
        "amount": Decimal("10.00"),
        "counterparty": "",
        "link_code": "",
    }


def publish_ledger_row(village: str, **values):
    """One published October 2026 expense row of a village's ledger (values override the plain
    defaults); returns the stored LedgerEntry."""

    from sqlalchemy import select

    from core.extensions import db
    from disclosures.models import Kind, LedgerEntry
    from disclosures.parsed import ParsedBatch, ParsedUpload
    from disclosures.services import stage_upload

    row = ledger_row("2026-10") | values
    stage_upload(
        ParsedUpload(Kind.LEDGER, "t.csv", [ParsedBatch(village, Kind.LEDGER, "2026-10", [row])]),
        uploader=None,
        publish=True,
    )
    return db.session.scalar(
        select(LedgerEntry).where(LedgerEntry.village_code == village).order_by(LedgerEntry.id.desc())
    )


def stage_project(village: str, *, uploader=None, publish: bool = False):
    """Stage a village's road project XM-2026-007 (in progress, 40%) as a projects batch; returns it."""
    from datetime import date
    from decimal import Decimal

    from disclosures.models import Kind
    from disclosures.parsed import ParsedBatch, ParsedUpload
    from disclosures.services import stage_upload

    row = {
        "row_number": 2,
        "project_no": "XM-2026-007",
        "name": "青山村组道路硬化工程",
        "project_type": "道路",
        "budget": Decimal("386500.00"),
        "funding_source": "财政衔接资金",
        "contractor": "青川县路桥建设有限公司",
        "contractor_uscc": "",
        "approved_on": date(2026, 3, 2),
        "start_on": date(2026, 4, 1),
        "planned_end_on": date(2026, 9, 30),
        "progress": 40,
        "paid_total": Decimal("120000.00"),
        "status": "在建",
        "updated_on": date(2026, 6, 1),
        "note": "",
    }
    upload = ParsedUpload(Kind.PROJECTS, "projects.xlsx", [ParsedBatch(village, Kind.PROJECTS, None, [row])])
    return stage_upload(upload, uploader=uploader, publish=publish)[0]


def subsidy_upload(village: str = "629901101201", account: str | None = None):
    """A 最低生活保障金 roster of October 2026 with one payment (段凤, 650.00), as parsed from a CSV."""
    from datetime import date
    from decimal import Decimal

    from disclosures.models import Kind
    from disclosures.parsed import ParsedBatch, ParsedUpload

    row = {
        "row_number": 2,
        "item": "最低生活保障金",
        "month": "2026-10",
        "name": "段凤",
        "id_number": "62990119901204372X",
        "amount": Decimal("650.00"),
        "paid_on": date(2026, 10, 15),
        "account": account,
    }
    return ParsedUpload(Kind.SUBSIDIES, "低保.csv", [ParsedBatch(village, Kind.SUBSIDIES, None, [row])])


def statutory_rest_rows(year: int) -> tuple[str, ...]:
    """The holiday-file rows (日期,类型) every whole year has: 元旦, 劳动节 and 国庆节's first three
    days as rest days; a file loaded as a whole year without them is refused."""
    return tuple(f"{year}-{day},休息" for day in ("01-01", "05-01", "10-01", "10-02", "10-03"))


def csv_rows(response) -> list[list[str]]:
    """A CSV download's rows, checked to open in Excel (UTF-8 with a BOM)."""
    import csv
    import io

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf"), "no BOM: Excel would show mojibake"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    """An XLSX download's first sheet, as rows of values."""
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def require_font(family: str, package: str) -> None:
    """A font family fontconfig must know; a skip when it is missing, but a failure under CI=true."""
    import pytest

    if run_tool("fc-list", f":family={family}", "family").strip():
        return
    message = f"font {family} not found (Debian package {package})"
    if IN_CI:
        pytest.fail(f"{message}: required when CI=true")
    pytest.skip(message)


def pdf_ink(pdf: bytes, tmp_path, dpi: int = 144) -> tuple[list[tuple[str, tuple]], object]:
    """A PDF's first page as (word, box in pixels) pairs found by pdftotext, and as a greyscale
    image rendered by pdftoppm, to measure the ink where each word is."""
    import html

    from PIL import Image

    path = tmp_path / "ink.pdf"
    path.write_bytes(pdf)
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        run_tool("pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"),
    )
    scale = dpi / 72
    words = [(html.unescape(text), tuple(float(v) * scale for v in box)) for *box, text in found]
    run_tool("pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(path), str(tmp_path / "ink"))
    return words, Image.open(tmp_path / "ink.png").convert("L")


def dark_pixels(image, box) -> int:
    """Pixels darker than mid-grey inside box (left, top, right, bottom) of an "L" image."""
    return sum(image.crop(tuple(round(v) for v in box)).histogram()[:128])


def rewrite_xlsx_part(data: bytes, part: str, change) -> bytes:
    """An .xlsx with one of its XML parts (e.g. xl/styles.xml) passed through change(bytes) -> bytes,
    to make a file as another program (Chinese Excel) would have saved it."""
    import io
    import zipfile

    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            content = source.read(info.filename)
            out.writestr(info, change(content) if info.filename == part else content)
    return target.getvalue()


def png_bytes(size: tuple[int, int] = (40, 40), colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small plain PNG, as a phone's photo stands in for in filings."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def is_temp_dir(path: str) -> bool:
    """Whether `path` is the system's temp folder (where a throwaway clone may sit)."""
    return os.path.realpath(path) == os.path.realpath(tempfile.gettempdir())
