"""Names stored with a roster's padding (rows imported before names were normalised) are masked,
shown and looked up as the names they are, wherever the public meets them."""

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from support import csv_rows, run_tool, xlsx_rows

from stdnum.iso7064 import mod_11_2

from core.extensions import db
from core.settings import CountySettings
from core.timezone import SHANGHAI

V = "/r/629901101201"
ROSTER = {"item": "最低生活保障金", "month": "2025-02"}
# Stored as old imports left them: full-width, half-width, doubled and zero-width padding.
PADDED = [
    ("王\u3000五", "11010119800101011"),
    ("李 四", "11010119800101022"),
    ("赵  六", "11010119800101033"),
    ("孙\u200b七", "11010119800101044"),
    ("张", "11010119800101055"),
    ("阿沛 • 阿旺晋美", "11010119800101066"),
]
MASKED = ["王*", "李*", "赵*", "孙*", "*", "阿*·***美"]


@pytest.fixture(autouse=True)
def march():
    with time_machine.travel(datetime(2025, 3, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def padded(publish_rows):
    _, rows = publish_rows(
        "subsidies",
        [
            {
                "item": "最低生活保障金",
                "month": "2025-02",
                "name": name,
                "id_number": id_number(first17),
                "amount": Decimal("500.00"),
                "paid_on": date(2025, 2, 10),
            }
            for name, first17 in PADDED
        ],
    )
    return rows


def id_number(first17: str) -> str:
    return first17 + mod_11_2.calc_check_digit(first17)


def names_column(rows: list[list[str]]) -> list[str]:
    return [row[rows[0].index("姓名")] for row in rows[1:]]


def test_roster_page_masks_the_name_not_its_padding(client, padded):
    page = client.get(f"{V}/subsidies", query_string=ROSTER).text
    cells = re.findall(r'<td class="lead">([^<]*)</td>', page)
    assert cells == MASKED
    assert "王*五" not in page and "五" not in "".join(cells) and "七" not in "".join(cells)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_downloads_mask_the_name_not_its_padding(client, padded, fmt):
    response = client.get(f"{V}/subsidies.{fmt}", query_string=ROSTER)
    rows = csv_rows(response) if fmt == "csv" else [[str(v) for v in row] for row in xlsx_rows(response)]
    assert names_column(rows) == MASKED


def test_notice_board_pdf_masks_the_name_not_its_padding(client, padded, tmp_path):
    response = client.get(f"{V}/subsidies.pdf", query_string=ROSTER)
    (tmp_path / "roster.pdf").write_bytes(response.data)
    text = run_tool("pdftotext", "-enc", "UTF-8", "-layout", str(tmp_path / "roster.pdf"), "-")
    assert "王*" in text and "阿*·***美" in text
    for given in "五四六七":
        assert given not in text


def test_complaint_form_prefilled_from_a_padded_row(client, padded):
    page = client.get(f"/complain?village=629901101201&item=subsidies:{padded[0].id}").text
    assert "王*" in page and "王*五" not in page and "王\u3000五" not in page


def test_full_names_setting_shows_the_names_without_padding(client, padded):
    db.session.add(CountySettings(county_code="629901000000", show_full_names=True))
    db.session.commit()
    page = client.get(f"{V}/subsidies", query_string=ROSTER).text
    assert re.findall(r'<td class="lead">([^<]*)</td>', page) == ["王五", "李四", "赵六", "孙七", "张", "阿沛·阿旺晋美"]


@pytest.mark.parametrize(
    ("typed", "who"),
    [("王五", 0), ("王 五", 0), ("王\u3000五", 0), ("孙七", 3), ("阿沛·阿旺晋美", 5), ("阿沛・阿旺晋美", 5)],
)
def test_lookup_matches_a_stored_padded_name(client, padded, typed, who):
    form = client.get("/lookup")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    response = client.post("/lookup", data={"name": typed, "id_number": id_number(PADDED[who][1]), "csrf_token": token})
    assert "共查到 1 笔" in response.text
    assert f"item=subsidies:{padded[who].id}" in response.text


def test_lookup_still_needs_the_right_name(client, padded):
    form = client.get("/lookup")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    for typed in ("王六", "王", "\u200b"):
        response = client.post(
            "/lookup", data={"name": typed, "id_number": id_number(PADDED[0][1]), "csrf_token": token}
        )
        assert "未查到" in response.text and "共查到" not in response.text
