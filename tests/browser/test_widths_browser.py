"""No public page scrolls sideways on the narrowest phones, 320, 360 and 390 px wide, in standard
and 大字 text; and no list page of a busy village is longer than a few screens: long lists are
paged, and the subsidy rosters are chosen by item and month."""

from datetime import date
from decimal import Decimal

import pytest

from core.extensions import db
from disclosures.models import Contract, LedgerEntry, ProjectUpdate, SubsidyPayment

from .conftest import page_of, wechat_context
from .test_disclosures_browser import NAMES, _batch, _common, village  # noqa: F401  (a fixture)

V = "/r/629901101201"
WIDTHS = [320, 360, 390]
# px: beyond this a villager scrolls for a minute to reach the pager. 大字 text is 1.3 times
# the size, and its pages run longer by about as much again as lines wrap sooner.
LONGEST = {"standard": 5000, "large": 8500}
# A plausible long 摘要 and 对方单位, as accountants write them.
SUMMARY = "支付二〇二五年村道硬化工程第二期进度款（按监理签认工程量百分之四十）"
PARTY = "青川县黄大镇青山建筑劳务有限责任公司"
ROWS = 120


@pytest.fixture
def busy_village(village):  # noqa: F811
    """青山村 with a month of 120 ledger rows, a roster of 120, 120 contracts and 40 projects."""
    ledger = _batch("ledger", 6, "2025-03")
    for n in range(ROWS):
        db.session.add(
            LedgerEntry(
                **_common(ledger, n + 1),
                entry_on=date(2025, 3, 1 + n % 28),
                month="2025-03",
                year=2025,
                voucher_no=f"记-{n + 100:03d}",
                direction="expense",
                category="公益支出",
                summary=SUMMARY,
                amount=Decimal("123456.78"),
                counterparty=PARTY,
                link_code="",
            )
        )
    roster = _batch("subsidies", 7)
    for n in range(ROWS):
        db.session.add(
            SubsidyPayment(
                **_common(roster, n + 1),
                item="耕地地力保护补贴",
                month="2025-03",
                name=NAMES[n % len(NAMES)],
                id_hash=f"{n:064d}",
                id_cipher="c",
                public_ref=f"R{n:07d}",
                amount=Decimal("1234.50"),
                paid_on=date(2025, 3, 20),
            )
        )
    projects = _batch("projects", 8)
    for n in range(40):
        db.session.add(
            ProjectUpdate(
                **_common(projects, n + 1),
                project_no=f"XM-{n + 100:03d}",
                name=f"第{n}组村道硬化及排水沟改造",
                project_type="道路",
                budget=Decimal("300000"),
                contractor=PARTY,
                progress=n * 2,
                paid_total=Decimal("100000"),
                status="在建",
                updated_on=date(2025, 3, 1),
                note=SUMMARY,
            )
        )
    contracts = _batch("contracts", 9)
    for n in range(ROWS):
        db.session.add(
            Contract(
                **_common(contracts, n + 1),
                contract_no=f"HT-{n + 100}",
                subject=f"村东第{n}号地块耕地五十亩",
                category="资源",
                party=PARTY,
                start_on=date(2024, 7, 1),
                end_on=date(2029, 6, 30),
                annual_rent=Decimal("10000"),
                pay_cycle="半年",
            )
        )
    db.session.commit()


PAGES = [
    ("/", "home"),
    ("/r/629901000000", "county"),
    ("/r/629901101000", "township"),
    (V, "village"),
    (f"{V}/ledger?month=2025-03", "ledger-month"),
    (f"{V}/subsidies", "subsidies"),
    (f"{V}/subsidies?item=耕地地力保护补贴&month=2025-03", "roster"),
    (f"{V}/contracts", "contracts"),
    (f"{V}/projects", "projects"),
    (f"{V}/projects/XM-101", "project"),
    (f"{V}/revisions", "revisions"),
    ("/stats", "stats"),
    ("/lookup", "lookup"),
]


@pytest.fixture(
    params=[(width, text) for width in WIDTHS for text in ("standard", "large")], ids=lambda p: f"{p[0]}px-{p[1]}"
)
def narrow_phone(request, browser, live_server):
    width, text = request.param
    context = wechat_context(browser, live_server, {"width": width, "height": 700}, text=text)
    page = yield from page_of(request, context)
    return page


def test_no_page_scrolls_sideways_or_runs_on_and_on(busy_village, narrow_phone, visit, request):
    page = narrow_phone
    width, text = request.node.callspec.params["narrow_phone"]
    lengths = {}
    for path, step in PAGES:
        visit(page, path, step)  # screenshot, axe-core, and no wider than the phone
        assert page.evaluate("window.innerWidth") == width, (step, overflowing(page, width))
        assert ("large-text" in page.evaluate("document.body.className")) == (text == "large"), step
        lengths[step] = page.evaluate("document.documentElement.scrollHeight")
    too_long = {step: length for step, length in lengths.items() if length > LONGEST[text]}
    assert not too_long, f"pages longer than {LONGEST[text]} px: {too_long}"


def overflowing(page, width: int) -> list[str]:
    """The innermost elements reaching past the phone's right edge, to name in a failure."""
    return page.evaluate(
        """(width) => {
        const found = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node && found.length < 8; node = walker.nextNode()) {
            const range = document.createRange();
            range.selectNodeContents(node);
            if (range.getBoundingClientRect().right > width + 1) {
                const e = node.parentElement;
                found.push(`${e.tagName.toLowerCase()}.${e.className}: ${node.textContent.trim().slice(0, 30)}`);
            }
        }
        return found;
    }""",
        width,
    )
