"""Page weight: every public page ≤ 60 KB transferred (HTML + the CSS and JS it loads), and
nothing from any other host. Pages are filled to their pagination limits: the heaviest they get.

Transferred means the bytes as a phone receives them. Public pages carry their CSS inline
(core/assets); any stylesheet or script a page still loads counts raw. The disclosure pages are
gzipped by the app itself
(portal/caching.py) for browsers that send Accept-Encoding: gzip, as every phone browser does.
Raw, a full page of 100 ledger rows is about 70 KB of HTML; see bench/README.md."""

import gzip
import re
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from portal.queries import CARDS_PER_PAGE, LEDGER_PER_PAGE, PER_PAGE

V = "/r/629901101201"
LIMIT = 60_000
# Every attribute that makes a browser fetch something (or leave for somewhere).
URL_ATTRIBUTE = re.compile(r'\b(src|href|action|srcset|poster|data|formaction)\s*=\s*"([^"]*)"', re.I)
ASSET = re.compile(r'<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"|<script\b[^>]*\bsrc="([^"]+)"', re.I)
CSS_URL = re.compile(r'url\(\s*[\'"]?([^\'")]+)|@import\s+[\'"]([^\'"]+)', re.I)
# A plausible long 摘要 and 对方单位, as accountants write them.
SUMMARY = "支付二〇二五年村道硬化工程第二期进度款（按监理签认工程量百分之四十）"
PARTY = "青川县黄大镇青山建筑劳务有限责任公司"


@pytest.fixture
def full_village(seeded, publish_rows, people):
    """青山村 with every list at least one page long: ledger month, roster, projects, contracts,
    corrections."""
    ledger = publish_rows.ledger
    _, march = publish_rows(
        "ledger",
        [
            ledger(
                date(2025, 3, 1) + timedelta(days=n % 28),
                f"记-{n + 100:03d}",
                "expense" if n % 3 else "income",
                "公益支出" if n % 3 else "经营收入",
                SUMMARY,
                f"{12345 + n}.67",
                PARTY,
                f"XM-{n % 20:03d}",
            )
            for n in range(PER_PAGE + 20)
        ],
    )
    name, number, account = people["ouyang"]
    publish_rows(
        "subsidies",
        [
            {
                "item": "耕地地力保护补贴",
                "month": "2025-03",
                "name": name,
                "id_number": number,
                "account": account,
                "amount": Decimal("1234.50"),
                "paid_on": date(2025, 3, 20),
            }
            for _ in range(PER_PAGE + 20)
        ],
    )
    publish_rows(
        "projects",
        [
            publish_rows.project(
                f"XM-{n:03d}", f"第{n}组村道硬化及排水沟改造", "在建", n * 4, "100000.00", date(2025, 3, 1), SUMMARY
            )
            for n in range(25)
        ],
    )
    publish_rows(
        "contracts",
        [
            {
                "contract_no": f"HT-{n + 100}",
                "subject": f"村东第{n}号地块耕地五十亩",
                "category": "资源",
                "party": PARTY,
                "start_on": date(2024, 7, 1),
                "end_on": date(2029, 6, 30),
                "annual_rent": Decimal("10000.00"),
                "pay_cycle": "半年",
            }
            for n in range(PER_PAGE + 20)
        ],
    )
    publish_rows(
        "ledger",
        [
            publish_rows.correction(row, amount=row.amount + 1, summary=SUMMARY + "（更正）")
            for row in march[: PER_PAGE + 20]
        ],
        period="2025-03",
        reason="金额录入错误" * 5,
    )


PAGES = [
    "/",
    "/search?q=青山",
    "/r/629901000000",
    "/r/629901101000",
    V,
    f"{V}/ledger",
    f"{V}/ledger?month=2025-03",
    f"{V}/ledger?month=2025-03&page=2",
    f"{V}/ledger?q=村道",
    f"{V}/subsidies",
    f"{V}/subsidies?item=耕地地力保护补贴&month=2025-03",
    f"{V}/projects",
    f"{V}/projects/XM-001",
    f"{V}/contracts",
    f"{V}/revisions",
    "/complain?village=629901101201",
    "/complain?village=629901101201&item=ledger:1",
    "/lookup",
    # The complaint side's public pages (complaints/), held to the same budget.
    "/complain",
    "/complain?village=629901101201",
    "/track",
    "/stats",
]


def fetch(client, path: str) -> tuple[int, str]:
    """(bytes transferred, text) of a GET as a phone sends it."""
    response = client.get(path, headers={"Accept-Encoding": "gzip, deflate"})
    assert response.status_code == 200, path
    sent = response.get_data()
    text = gzip.decompress(sent) if response.headers.get("Content-Encoding") == "gzip" else sent
    response.close()
    return len(sent), text.decode()


def weight(client, path: str) -> tuple[int, str]:
    """The page's bytes plus every stylesheet and script it loads, as transferred; and its HTML."""
    total, html = fetch(client, path)
    for css, js in ASSET.findall(html):
        total += fetch(client, css or js)[0]
    return total, html


def foreign(urls) -> list[str]:
    return [url for url in urls if urlsplit(url.strip()).netloc or url.strip().startswith("//")]


@pytest.mark.parametrize("kiosk", [False, True], ids=["phone", "kiosk"])
@pytest.mark.parametrize("path", PAGES)
def test_every_public_page_is_light_and_local(client, full_village, path, kiosk):
    if kiosk:
        client.set_cookie("kiosk", "629901101000")
        client.set_cookie("text", "large")
    total, html = weight(client, path)
    assert total <= LIMIT, path
    urls = [value for _, value in URL_ATTRIBUTE.findall(html)]
    assert foreign(urls) == [], path


def test_full_pages_really_are_full(client, full_village):
    # Otherwise the weights above would prove nothing about a busy village.
    assert client.get(f"{V}/ledger?month=2025-03").text.count("对此有疑问") >= LEDGER_PER_PAGE
    assert client.get(f"{V}/revisions").text.count(SUMMARY) >= CARDS_PER_PAGE


def test_stylesheets_fetch_nothing_from_elsewhere(client, township_tree):
    html = fetch(client, "/")[1]
    for href, _ in ASSET.findall(html):
        if href:
            css = fetch(client, href)[1]
            assert foreign(a or b for a, b in CSS_URL.findall(css)) == []
