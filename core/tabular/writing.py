"""The spreadsheets the portal hands out — public downloads and staff exports alike: CSV that Excel
on a Chinese Windows opens (UTF-8 with a BOM) and XLSX, with text that a spreadsheet would run as
a formula neutralised."""

import csv
import io
from collections.abc import Iterable, Iterator

from core.formatting import plain_text
from core.tabular.cells import neutralise_formula

# Werkzeug adds "; charset=utf-8" to every text/* type itself: naming it here said it twice.
MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CSV_CHUNK = 64 * 1024


def _safe(value):
    return neutralise_formula(value) if isinstance(value, str) else value


def csv_chunks(headers: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The CSV in pieces of about CSV_CHUNK characters, so that a long export streams."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([plain_text(_safe(value)) for value in row])
        if buffer.tell() > CSV_CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def to_csv(headers: list[str], rows: Iterable[list]) -> bytes:
    return "".join(csv_chunks(headers, rows)).encode("utf-8")


def to_xlsx(sheet_name: str, headers: list[str], rows: Iterable[list]) -> bytes:
    """One write-only sheet; numbers and dates stay typed, so Excel can sum and sort them."""
    from openpyxl import Workbook  # loaded on the first XLSX download, not with the app

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name[:31])  # Excel's limit on a sheet's name
    sheet.append(headers)
    for row in rows:
        sheet.append([_safe(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
