"""CSV, XLSX and notice-board PDF downloads, and a privacy sweep over every public page and file."""

import os
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from support import csv_rows, dark_pixels, pdf_ink, require_font, run_tool, xlsx_rows
import time_machine

from core.timezone import SHANGHAI

V = "/r/629901101201"
ROSTER = {"item": "最低生活保障金", "month": "2025-02"}
IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(autouse=True)
def march():
    with time_machine.travel(datetime(2025, 3, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def as_text(value) -> str:
    """An XLSX cell as text (dates as the CSV writes them)."""
    if value is None:
        return ""
    return value.date().isoformat() if isinstance(value, datetime) else str(value)


def assert_same(csv_rows_, xlsx_rows_) -> None:
    """The CSV and the XLSX hold the same table: numbers equal as numbers, the rest as text."""
    assert len(csv_rows_) == len(xlsx_rows_) > 1
    for csv_row, xlsx_row in zip(csv_rows_, xlsx_rows_):
        assert len(csv_row) == len(xlsx_row)
        for text, value in zip(csv_row, xlsx_row):
            if isinstance(value, (int, float)):
                assert float(text) == pytest.approx(value)
            else:
                assert text == as_text(value)


def test_ledger_csv_has_bom_neutralised_formulas_and_balances(client, seeded):
    response = client.get(f"{V}/ledger.csv?month=2025-02")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # once, not twice
    assert "attachment" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == [
        "日期",
        "凭证号",
        "收支",
        "科目",
        "摘要",
        "对方单位",
        "关联编号",
        "收入（元）",
        "支出（元）",
        "余额（元）",
    ]
    assert rows[1] == [
        "2025-02-03",
        "记-005",
        "支出",
        "管理费用",
        '\'=HYPERLINK("http://evil.example")',
        "'@SUM(1)",
        "",
        "",
        "100.00",
        "12700.00",
    ]
    assert [row[-1] for row in rows[1:]] == ["12700.00", "13500.00", "13349.50"]
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "@")) for cell in row)


def test_ledger_xlsx_opens_and_matches_the_csv(client, seeded):
    from_csv = csv_rows(client.get(f"{V}/ledger.csv?month=2025-02"))
    from_xlsx = xlsx_rows(client.get(f"{V}/ledger.xlsx?month=2025-02"))
    assert from_xlsx[1][4] == '\'=HYPERLINK("http://evil.example")'  # text, not a formula
    assert from_xlsx[1][0] == datetime(2025, 2, 3) and from_xlsx[1][-1] == 12700
    assert_same(from_csv, from_xlsx)


@pytest.mark.parametrize("table", ["subsidies", "projects", "contracts", "revisions"])
def test_every_table_has_csv_and_xlsx_that_agree(client, seeded, table):
    query = ROSTER if table == "subsidies" else {}
    assert_same(
        csv_rows(client.get(f"{V}/{table}.csv", query_string=query)),
        xlsx_rows(client.get(f"{V}/{table}.xlsx", query_string=query)),
    )


def test_subsidies_csv_masks_names_and_shows_references(client, seeded):
    rows = csv_rows(client.get(f"{V}/subsidies.csv", query_string=ROSTER))
    assert rows[0] == ["序号", "补贴项目", "发放年月", "姓名", "公开编号", "金额（元）", "发放日期"]
    assert [row[3] for row in rows[1:]] == ["张*", "王*明", "欧**锋", "王*明"]
    assert [row[4] for row in rows[1:]] == [p.public_ref for p in seeded["roster"][:4]]


def test_contracts_csv_has_rent_due_and_received(client, seeded):
    rows = csv_rows(client.get(f"{V}/contracts.csv"))
    assert rows[1][3] == "李大山" and rows[1][-6:] == ["2", "10000.00", "5000.00", "5000.00", "0.00", ""]


def test_subsidies_download_needs_item_and_month(client, seeded):
    assert client.get(f"{V}/subsidies.csv").status_code == 404
    assert client.get(f"{V}/subsidies.pdf", query_string={"item": "最低生活保障金"}).status_code == 404


@pytest.fixture
def ledger_pdf(client, seeded, tmp_path):
    response = client.get(f"{V}/ledger.pdf?month=2025-02")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "ledger.pdf"
    path.write_bytes(response.data)
    return path


def test_ledger_pdf_embeds_the_bundled_font(ledger_pdf):
    fonts = run_tool("pdffonts", str(ledger_pdf)).splitlines()[2:]
    assert fonts and all("WQY-MicroHei-Bundled" in line and " yes " in line for line in fonts), fonts


def test_ledger_pdf_text_title_table_and_fingerprint(ledger_pdf, seeded):
    text = re.sub(r"[ \t]+", " ", run_tool("pdftotext", "-layout", "-enc", "UTF-8", str(ledger_pdf), "-"))
    assert "青山村 2025年2月 村集体资金收支公开" in text
    assert "12,800.00" in text and "13,349.50" in text and "收入合计 800.00" in text
    assert "管理费用 2 250.50" in text
    assert "公示指纹：0002ABABABAB" in text.replace(" ", "")


def test_ledger_pdf_renders_chinese_and_its_qr_opens_the_page(ledger_pdf, tmp_path):
    import zxingcpp
    from PIL import Image

    run_tool(
        "pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", str(ledger_pdf), str(tmp_path / "page")
    )
    page = Image.open(tmp_path / "page.png").convert("L")
    width, height = page.size
    assert abs(width / height - 210 / 297) < 0.01  # A4
    title = page.crop((0, 0, width, height // 10))
    assert sum(title.histogram()[:128]) > 2000  # the title is drawn, not empty boxes
    decoded = [found.text for found in zxingcpp.read_barcodes(page)]
    assert decoded == ["http://portal.test/r/629901101201/ledger?month=2025-02"]


def test_subsidies_pdf_masks_names_and_its_qr_opens_the_roster(client, seeded, tmp_path):
    import zxingcpp
    from PIL import Image

    response = client.get(f"{V}/subsidies.pdf", query_string=ROSTER)
    assert response.status_code == 200
    path = tmp_path / "roster.pdf"
    path.write_bytes(response.data)
    text = run_tool("pdftotext", "-enc", "UTF-8", str(path), "-")
    assert "青山村 2025年2月 最低生活保障金发放公示" in text and "欧**锋" in text and "欧阳小锋" not in text
    run_tool("pdftoppm", "-png", "-r", "150", "-singlefile", str(path), str(tmp_path / "roster"))
    decoded = [found.text for found in zxingcpp.read_barcodes(Image.open(tmp_path / "roster.png"))]
    assert decoded == [
        "http://portal.test/r/629901101201/subsidies?item=%E6%9C%80%E4%BD%8E%E7%94%9F"
        "%E6%B4%BB%E4%BF%9D%E9%9A%9C%E9%87%91&month=2025-02"
    ]


def test_subsidies_pdf_prints_names_with_ext_a_and_ext_b_characters(client, publish_rows, tmp_path):
    from stdnum.iso7064 import mod_11_2

    require_font("HanaMinA", "fonts-hanazono")
    require_font("HanaMinB", "fonts-hanazono")
    names = ["王小明", "王小䶮", "𠮷田"]  # masked: 王*明, 王*䶮, 𠮷*
    publish_rows(
        "subsidies",
        [
            {
                "item": "最低生活保障金",
                "month": "2025-02",
                "name": name,
                "id_number": body + mod_11_2.calc_check_digit(body),
                "amount": Decimal("500.00"),
                "paid_on": date(2025, 2, 10),
            }
            for name, body in zip(names, ("11010119800101011", "11010119800101022", "11010119800101033"))
        ],
    )
    response = client.get(f"{V}/subsidies.pdf", query_string=ROSTER)
    words, page = pdf_ink(response.data, tmp_path, dpi=300)
    boxes = dict(words)
    assert {"王*明", "王*䶮", "𠮷*"} <= set(boxes)

    def ink(word, start, end):
        left, top, right, bottom = boxes[word]
        return dark_pixels(page, (left + (right - left) * start, top, left + (right - left) * end, bottom))

    # Ink where the glyph is, against a common name's: the last glyph of 王*䶮 and 王*明 (their
    # right third), the first of 𠮷* and 王*明. A character no font has prints nothing there.
    assert ink("王*䶮", 0.66, 1) > ink("王*明", 0.66, 1) / 4 > 20
    assert ink("𠮷*", 0, 0.5) > ink("王*明", 0, 0.33) / 4 > 20


def test_ledger_pdf_of_an_empty_month_is_404(client, seeded):
    assert client.get(f"{V}/ledger.pdf?month=2024-01").status_code == 404


# Privacy sweep ---------------------------------------------------------------------------------

ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def public_urls(seeded) -> list[str]:
    """Every public page and download this package serves for the seeded village."""
    urls = [
        V,
        f"{V}/ledger",
        f"{V}/ledger?month=2025-01",
        f"{V}/ledger?q=100",
        f"{V}/subsidies",
        f"{V}/subsidies?item=耕地地力保护补贴&month=2025-01",
        f"{V}/subsidies?item=最低生活保障金&month=2025-02",
        f"{V}/projects",
        f"{V}/projects/XM-001",
        f"{V}/contracts",
        f"{V}/revisions",
        "/complain?village=629901101201",
        "/lookup",
    ]
    for kind in ("jan", "feb", "fixes", "roster", "contracts"):
        table = "subsidies" if kind == "roster" else "contracts" if kind == "contracts" else "ledger"
        urls += [f"/complain?village=629901101201&item={table}:{row.id}" for row in seeded[kind]]
    for fmt in ("csv", "xlsx"):
        urls += [
            f"{V}/ledger.{fmt}?month=2025-02",
            f"{V}/ledger.{fmt}?month=2025-01",
            f"{V}/subsidies.{fmt}?item=最低生活保障金&month=2025-02",
            f"{V}/projects.{fmt}",
            f"{V}/contracts.{fmt}",
            f"{V}/revisions.{fmt}",
        ]
    return urls + [f"{V}/ledger.pdf?month=2025-02", f"{V}/subsidies.pdf?item=最低生活保障金&month=2025-02"]


def readable(response, tmp_path) -> str:
    """What a reader of the response sees: page text, CSV text, cell values or PDF text."""
    if response.mimetype == "application/pdf":
        path = tmp_path / "sweep.pdf"
        path.write_bytes(response.data)
        return run_tool("pdftotext", "-enc", "UTF-8", str(path), "-")
    if response.mimetype.endswith("spreadsheetml.sheet"):
        return "\n".join(" ".join(as_text(v) for v in row) for row in xlsx_rows(response))
    return response.data.decode("utf-8")


def leaks(text: str, people) -> list[str]:
    found = ID_LIKE.findall(text)
    for name, number, account in people.values():
        for secret in (number, account):
            digits = re.sub(r"\D", "", secret)
            found += [digits[i : i + 6] for i in range(len(digits) - 5) if digits[i : i + 6] in text]
        if name in text:
            found.append(name)
    return found


def test_no_public_page_or_download_shows_an_id_account_or_full_name(client, seeded, people, tmp_path):
    for url in public_urls(seeded):
        response = client.get(url)
        assert response.status_code == 200, url
        assert leaks(readable(response, tmp_path), people) == [], url
    for who in people.values():  # and the lookup's answers, right or wrong
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/lookup").text).group(1)
        response = client.post("/lookup", data={"name": who[0], "id_number": who[1], "csrf_token": token})
        assert "共查到" in response.text and leaks(response.text, people) == []


def test_the_sweep_would_catch_a_leak(people):
    name, number, account = people["ouyang"]
    assert leaks(f"身份证 {number}", people) and leaks(f"尾号{account[-6:]}", people)
    assert leaks(f"{name} 700.00", people) and not leaks("欧**锋 700.00 2025-02-10", people)
