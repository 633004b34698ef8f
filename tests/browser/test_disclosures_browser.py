"""A villager on a phone: village page → a month of the ledger → the subsidy roster, and the rest."""

import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from core.extensions import db
from core.fields import field_cipher
from disclosures.models import Batch, Contract, LedgerEntry, ProjectUpdate, SubsidyPayment

V = "/r/629901101201"
SUMMARIES = ["村东耕地承包费", "办公用品", "上级转移支付资金", "村道路灯电费", "保洁员工资", "合作社分红收入"]
NAMES = ["张三", "王小明", "欧阳小锋", "李秀英", "赵建国", "刘芳"]


def _batch(kind: str, sequence: int, period: str | None = None) -> Batch:
    batch = Batch(
        village_code="629901101201",
        kind=kind,
        period=period,
        status="published",
        sequence=sequence,
        content_hash=f"{sequence:04x}" + "cd" * 30,
        published_at=datetime(2025, 3, 5, 1, sequence, tzinfo=timezone.utc),
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def _common(batch: Batch, number: int) -> dict:
    return {"batch_id": batch.id, "village_code": "629901101201", "published": True, "row_number": number}


@pytest.fixture
def village(township_tree):
    """A month of ledger with one correction, a roster of six, a project and a contract for 青山村."""
    ledger = _batch("ledger", 1, "2025-02")
    for n, summary in enumerate(SUMMARIES):
        income = n in (0, 2, 5)
        db.session.add(
            LedgerEntry(
                **_common(ledger, n + 1),
                entry_on=date(2025, 2, 3 + 4 * n),
                month="2025-02",
                year=2025,
                voucher_no=f"记-{n + 1:03d}",
                direction="income" if income else "expense",
                category="发包及上交收入" if n == 0 else "补助收入" if income else "管理费用",
                summary=summary,
                amount=Decimal(1234 * (n + 1)) / 2,
                counterparty="青川县黄大镇财政所" if n == 2 else "",
                link_code="HT-001" if n == 0 else "",
            )
        )
    roster, cipher = _batch("subsidies", 2), field_cipher()
    for n, name in enumerate(NAMES):
        number = f"34082319870526{n:03d}X"
        db.session.add(
            SubsidyPayment(
                **_common(roster, n + 1),
                item="最低生活保障金",
                month="2025-02",
                name=name,
                id_hash=cipher.lookup_hash(number),
                id_cipher=cipher.encrypt(number),
                public_ref=cipher.public_ref(number),
                amount=Decimal("620.00"),
                paid_on=date(2025, 2, 10),
            )
        )
    projects = _batch("projects", 3)
    db.session.add(
        ProjectUpdate(
            **_common(projects, 1),
            project_no="XM-001",
            name="村道硬化（二组至四组）",
            project_type="道路",
            budget=Decimal("300000"),
            funding_source="财政衔接资金",
            contractor="青川县路桥工程有限责任公司",
            start_on=date(2024, 10, 8),
            planned_end_on=date(2025, 6, 30),
            progress=40,
            paid_total=Decimal("100000"),
            status="在建",
            updated_on=date(2025, 1, 15),
            note="路基完成",
        )
    )
    contracts = _batch("contracts", 4)
    db.session.add(
        Contract(
            **_common(contracts, 1),
            contract_no="HT-001",
            subject="村东50亩耕地",
            category="资源",
            party="青川县绿源农业专业合作社",
            start_on=date(2024, 7, 1),
            end_on=date(2029, 6, 30),
            annual_rent=Decimal("10000"),
            pay_cycle="半年",
        )
    )
    fix = _batch("ledger", 5, "2025-02")
    fix.is_correction, fix.reason = True, "电费金额抄错，按发票更正"
    old = db.session.get(LedgerEntry, 4)
    old.superseded_by_batch_id = fix.id
    db.session.add(
        LedgerEntry(
            **_common(fix, 1),
            entry_on=old.entry_on,
            month=old.month,
            year=old.year,
            voucher_no=old.voucher_no,
            direction=old.direction,
            category=old.category,
            summary=old.summary,
            amount=Decimal("246.80"),
            replaces_id=old.id,
        )
    )
    db.session.commit()


def test_village_to_ledger_to_roster(village, phone, live_server, visit, checkpoint):
    visit(phone, V, "village")
    assert phone.locator("h1").inner_text() == "青山村"
    assert phone.get_by_role("link", name="我要反映问题").is_visible()

    phone.get_by_role("link", name="查看2025年2月收支明细 ›").click()
    phone.wait_for_url(re.compile(r"/ledger\?month=2025-02$"))
    checkpoint(phone, "ledger")
    assert "期末余额" in phone.locator("main").inner_text()
    assert phone.get_by_role("link", name="对此有疑问").count() == len(SUMMARIES)

    phone.locator(".section-tabs").get_by_role("link", name="补贴发放").click()
    phone.wait_for_url(f"{live_server}{V}/subsidies")
    checkpoint(phone, "subsidies")
    phone.get_by_role("link", name=re.compile("最低生活保障金")).click()
    phone.wait_for_url(re.compile(r"/subsidies\?item="))
    checkpoint(phone, "roster")
    roster = phone.locator("main").inner_text()
    assert "欧**锋" in roster and "欧阳小锋" not in roster and "张*" in roster


def test_other_public_pages_on_a_phone(village, phone, visit):
    for path, step in [
        (f"{V}/projects", "projects"),
        (f"{V}/projects/XM-001", "project"),
        (f"{V}/contracts", "contracts"),
        (f"{V}/revisions", "revisions"),
        (f"{V}/report?item=ledger:1", "report"),
        ("/lookup", "lookup"),
    ]:
        visit(phone, path, step)


def test_lookup_on_a_phone(village, phone, visit, checkpoint):
    visit(phone, "/lookup", "form")
    phone.get_by_label("姓名").fill("欧阳小锋")
    phone.get_by_label("身份证号（18位）").fill("340823198705262002X")
    phone.get_by_role("button", name="查询").click()
    checkpoint(phone, "not-found")
    assert "未查到" in phone.locator("main").inner_text()
    phone.get_by_label("姓名").fill("欧阳小锋")
    phone.get_by_label("身份证号（18位）").fill("34082319870526002X")
    phone.get_by_role("button", name="查询").click()
    checkpoint(phone, "found")
    main = phone.locator("main").inner_text()
    assert "共查到 1 笔" in main and "34082319870526002X" not in phone.content()
    assert phone.get_by_role("link", name="我没有收到这笔钱").is_visible()
    phone.get_by_role("link", name="我没有收到这笔钱").click()
    phone.wait_for_url(re.compile(r".*/complain\?.*item=subsidies"))
    checkpoint(phone, "not-received-form")
    assert "办理人员从这条记录就能知道是谁反映的" in phone.locator(".identifies").inner_text()


KIOSK_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>kiosk</title></head>
<body><main><form><label for="n">姓名</label><input id="n" name="name"></form></main>
<script src="/static/js/kiosk.js" data-home="/r/629901101000" defer></script></body></html>"""


def test_kiosk_script_clears_forms_and_goes_home_after_a_minute_idle(village, phone, live_server, checkpoint):
    # base.html loads kiosk.js in kiosk mode; here a routed page loads it the same way.
    phone.route(f"{live_server}/kiosk-test", lambda route: route.fulfill(body=KIOSK_PAGE, content_type="text/html"))
    phone.clock.install()
    phone.goto(f"{live_server}/kiosk-test")
    phone.locator("#n").fill("欧阳小锋")
    phone.clock.run_for(50_000)
    phone.locator("#n").press("End")  # a touch: the minute starts again
    phone.clock.run_for(50_000)
    assert phone.url == f"{live_server}/kiosk-test" and phone.locator("#n").input_value() == "欧阳小锋"
    phone.clock.run_for(11_000)
    phone.wait_for_url(f"{live_server}/r/629901101000")
    checkpoint(phone, "kiosk-home")
    assert phone.locator("h1").inner_text() == "黄大镇"


def test_kiosk_script_on_the_home_page_only_clears_the_forms(phone, live_server):
    page = KIOSK_PAGE.replace('data-home="/r/629901101000"', 'data-home="/kiosk-home"')
    phone.route(f"{live_server}/kiosk-home", lambda route: route.fulfill(body=page, content_type="text/html"))
    phone.clock.install()
    phone.goto(f"{live_server}/kiosk-home")
    phone.locator("#n").fill("张三")
    phone.clock.run_for(61_000)
    assert phone.url == f"{live_server}/kiosk-home" and phone.locator("#n").input_value() == ""
