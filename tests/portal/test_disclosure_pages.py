"""The village page and its disclosure pages on a known fixture (tests/portal/conftest.py `seeded`)."""

import html
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from flask import render_template_string
from sqlalchemy import select

from core.extensions import db
from core.settings import CountySettings
from core.timezone import SHANGHAI
from disclosures.models import Batch, Kind
from portal.rent import add_months, due_dates, installment, rent_status

V = "/r/629901101201"


@pytest.fixture
def march():
    """2025-03-10 in Shanghai: March has no ledger yet, February is the latest month."""
    with time_machine.travel(datetime(2025, 3, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def text(response) -> str:
    """The page's visible text, tags dropped and spaces collapsed."""
    assert response.status_code == 200, response.status_code
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.text, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


# Village page ---------------------------------------------------------------------------------


def test_village_page_shows_latest_month_and_year_when_this_month_has_none(client, seeded, march):
    page = text(client.get(V))
    assert "本月还没有公开收支，下面是最近一次公开的 2025年2月" in page
    # Month, then the year: January after its correction adds 15,000 in and 2,200 out
    # (道路维修 corrected from 2,000, 办公用品 withdrawn).
    assert "2025年2月 2025年累计 收入 800.00 15,800.00 支出 250.50 2,450.50 结余 549.50 13,349.50" in page
    assert "账面余额（到2025年2月末账上应有的钱）： 13,349.50 元" in page
    assert "本村还没有公开期初余额，所以账面余额只从开始公开算起" in page


def test_village_page_says_this_month_when_it_has_data(client, seeded):
    with time_machine.travel(datetime(2025, 2, 28, 23, 30, tzinfo=SHANGHAI), tick=False):
        page = text(client.get(V))
    assert "本月：2025年2月" in page and "本月还没有" not in page


def test_this_month_is_the_shanghai_month(client, seeded):
    # 2025-03-01 01:00 in Shanghai is still February in UTC: March (no data) must be "this month".
    with time_machine.travel(datetime(2025, 3, 1, 1, 0, tzinfo=SHANGHAI), tick=False):
        assert "本月还没有公开收支" in text(client.get(V))


def test_village_page_lists_disclosures_open_projects_fingerprint_and_button(client, seeded, march):
    response = client.get(V)
    page = text(response)
    head = db.session.scalars(
        select(Batch).where(Batch.village_code == "629901101201").order_by(Batch.sequence.desc())
    ).first()
    assert f"公示指纹： {head.fingerprint}" in page and "与村务公开栏纸质版核对" in page
    assert "收支明细 · 2025年2月" in page and "收支明细 · 2025年1月 更正" in page
    # Not only a date: which roster and month, which project, which lease.
    assert "补贴发放 · 最低生活保障金 2025年2月、耕地地力保护补贴 2025年1月" in page
    assert "项目进度 · 村道硬化 2025-03-01公开" in page and "资产资源 · 村东50亩耕地" in page
    building = page.split("在建项目")[1]
    assert "村道硬化 在建" in building and "饮水改造" not in building  # 已验收 is not open
    # Straight to the complaint form: no redirect a villager waits through on a weak signal.
    assert 'href="/complain?village=629901101201">我要反映问题' in response.text
    for section in ("ledger", "subsidies", "projects", "contracts", "revisions"):
        assert f'href="{V}/{section}"' in response.text


def test_an_overdue_ledger_month_is_said_publicly_with_since_when(client, seeded):
    # 2025-04-11: March was due by 10 April and nothing is published for it; February was.
    with time_machine.travel(datetime(2025, 4, 11, 9, 0, tzinfo=SHANGHAI), tick=False):
        page = text(client.get(V))
        month = text(client.get(f"{V}/ledger?month=2025-03"))
        february = text(client.get(f"{V}/ledger?month=2025-02"))
    assert "逾期未公开 2025年3月收支明细 ：应在2025年4月10日前公开，自2025年4月11日起逾期" in page
    assert "2025年2月收支明细 ：" not in page
    assert "2025年3月收支明细应在2025年4月10日前公开，自2025年4月11日起逾期" in month
    assert "逾期未公开" not in february


def test_many_overdue_months_are_summed_up_from_the_oldest(client, seeded):
    with time_machine.travel(datetime(2025, 8, 11, 9, 0, tzinfo=SHANGHAI), tick=False):
        page = text(client.get(V))
    assert (
        "2025年3月至2025年7月，共 5 个月的收支明细至今未公开：最早的应在2025年4月10日前公开，自2025年4月11日起逾期"
    ) in page


def test_a_batch_waiting_for_review_does_not_lift_the_overdue_notice(client, seeded):
    # The page may change only with a publication or the date (its ETag); and a batch under
    # review is not disclosed yet.
    db.session.add(Batch(village_code="629901101201", kind="ledger", period="2025-03", status="pending"))
    db.session.commit()
    with time_machine.travel(datetime(2025, 4, 10, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert "逾期未公开" not in text(client.get(V))  # due today: not late yet
    with time_machine.travel(datetime(2025, 4, 11, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert "2025年3月收支明细 ：应在2025年4月10日前公开" in text(client.get(V))


def test_an_overdue_monthly_roster_is_said_publicly_beside_the_ledger(client, seeded):
    # 最低生活保障金 is paid monthly and was disclosed for February; 耕地地力保护补贴 (January) is
    # paid once a year and owes nothing in between.
    with time_machine.travel(datetime(2025, 4, 11, 9, 0, tzinfo=SHANGHAI), tick=False):
        page = text(client.get(V))
        index = text(client.get(f"{V}/subsidies"))
        roster = text(client.get(f"{V}/subsidies?item=最低生活保障金&month=2025-03"))
        february = text(client.get(f"{V}/subsidies?item=最低生活保障金&month=2025-02"))
    assert "2025年3月补贴发放·最低生活保障金 ：应在2025年4月10日前公开，自2025年4月11日起逾期" in page
    assert "耕地地力保护补贴" not in page.split("逾期未公开")[1].split("集体资金收支")[0]
    assert "2025年3月最低生活保障金发放名册应在2025年4月10日前公开，自2025年4月11日起逾期" in index
    assert "2025年3月最低生活保障金发放名册应在2025年4月10日前公开" in roster
    assert "逾期未公开" not in february


def test_a_month_declared_without_other_payments_is_not_late_publicly(client, seeded):
    from disclosures.parsed import ParsedBatch, ParsedUpload
    from disclosures.services import stage_upload

    declared = ParsedBatch("629901101201", Kind.SUBSIDIES, "2025-03", [])
    stage_upload(ParsedUpload(Kind.SUBSIDIES, "本月其余项目未发放", [declared]), uploader=None, publish=True)
    with time_machine.travel(datetime(2025, 4, 11, 9, 0, tzinfo=SHANGHAI), tick=False):
        page = text(client.get(V))
    assert "补贴发放·最低生活保障金" not in page and "2025年3月收支明细 ：" in page  # the ledger is still late
    assert "补贴发放 · 2025年3月 其余项目未发放" in page


def test_village_without_disclosures(client, township_tree):
    page = text(client.get(V))
    assert "本村尚未公开集体资金收支" in page and "本村尚未发布公开内容" in page


@pytest.mark.parametrize(
    "path", ["/r/629901101000/ledger", "/r/999999999999/subsidies", f"{V}/ledger?month=2025-13", f"{V}/projects/NOPE"]
)
def test_not_a_village_or_bad_arguments_is_404(client, seeded, path):
    assert client.get(path).status_code == 404


# Ledger ---------------------------------------------------------------------------------------


def test_ledger_month_subtotals_running_and_opening_balance(client, seeded, march):
    page = text(client.get(f"{V}/ledger?month=2025-02"))
    assert "期初余额 12,800.00 本月收入 800.00 本月支出 250.50 期末余额 13,349.50" in page
    assert "期初余额＝本村公开的期初余额（如有）加上此前各月已公开的收入合计、减去支出合计" in page
    rows = re.findall(r"(2025-02-\d\d) .*? ([\d,]+\.\d\d) ([\d,]+\.\d\d) 对此有疑问", page)
    assert rows == [
        ("2025-02-03", "100.00", "12,700.00"),
        ("2025-02-15", "800.00", "13,500.00"),
        ("2025-02-20", "150.50", "13,349.50"),
    ]
    assert "收入 经营收入 1 800.00" in page and "支出 管理费用 2 250.50" in page
    assert "收入合计 800.00 支出合计 250.50" in page


def test_ledger_shows_corrected_rows_only(client, seeded, march):
    page = text(client.get(f"{V}/ledger?month=2025-01"))
    assert "期初余额 0.00 本月收入 15,000.00 本月支出 2,200.00 期末余额 12,800.00" in page
    assert "道路维修 青山建筑队 2,200.00 12,800.00" in page
    assert "办公用品" not in page and "2,000.00" not in page


def test_ledger_defaults_to_the_month_the_village_page_shows(client, seeded, march):
    assert "期末余额 13,349.50" in text(client.get(f"{V}/ledger"))


def test_month_navigation(client, seeded, march):
    feb = client.get(f"{V}/ledger?month=2025-02").text
    assert f'href="{V}/ledger?month=2025-01" rel="prev"' in feb and 'rel="next"' not in feb
    jan = client.get(f"{V}/ledger?month=2025-01").text
    assert f'href="{V}/ledger?month=2025-02" rel="next"' in jan and 'rel="prev"' not in jan
    assert re.findall(r"month-list.*?</ul>", feb, re.S)[0].count("<li>") == 2
    empty = text(client.get(f"{V}/ledger?month=2024-06"))
    assert "2024年6月尚未公开收支明细" in empty


def test_ledger_pages_keep_the_running_balance(client, publish_rows):
    publish_rows("ledger", [publish_rows.ledger(date(2025, 4, 30), "记-0", "income", "经营收入", "上月", "50.00")])
    publish_rows(
        "ledger",
        [
            publish_rows.ledger(date(2025, 5, 1 + n // 5), f"记-{n + 1}", "income", "经营收入", f"第{n + 1}笔", "1.00")
            for n in range(120)
        ],
    )
    # Nine rows a page: a phone's few screens (portal/queries.py LEDGER_PER_PAGE).
    first = text(client.get(f"{V}/ledger?month=2025-05"))
    assert first.count("对此有疑问") == 9 and "第 1 / 14 页，共 120 条" in first
    assert "期初余额 50.00" in first and "第9笔 1.00 59.00" in first and "第10笔" not in first
    last = text(client.get(f"{V}/ledger?month=2025-05&page=14"))
    assert last.count("对此有疑问") == 3 and "第118笔 1.00 168.00" in last
    assert "第120笔 1.00 170.00" in last and "期末余额 170.00" in last
    assert "第 14 / 14 页" in text(client.get(f"{V}/ledger?month=2025-05&page=99"))


def test_search_escapes_wildcards_and_stays_in_the_village(client, seeded):
    percent = text(client.get(f"{V}/ledger", query_string={"q": "100%"}))
    assert "分红100%_纯利" in percent and "（1 条）" in percent
    assert "分红100元" not in percent and "上东合作社" not in percent and "999.00" not in percent
    underscore = text(client.get(f"{V}/ledger", query_string={"q": "_"}))
    assert "（1 条）" in underscore and "分红100%_纯利" in underscore
    voucher = text(client.get(f"{V}/ledger", query_string={"q": "记-001"}))
    assert "（1 条）" in voucher and "村东耕地承包费" in voucher
    assert "（1 条）" in text(client.get(f"{V}/ledger", query_string={"q": "国网"}))  # 对方单位


# Subsidies ------------------------------------------------------------------------------------


def test_subsidy_index_by_item_and_month(client, seeded):
    page = text(client.get(f"{V}/subsidies"))
    assert "2025年2月 · 最低生活保障金 4 人次，共 2,440.00 元" in page
    assert "2025年1月 · 耕地地力保护补贴 1 人次，共 120.50 元" in page
    only = text(client.get(f"{V}/subsidies", query_string={"item": "耕地地力保护补贴"}))
    assert "· 最低生活保障金" not in only and "· 耕地地力保护补贴 1 人次" in only


def test_rosters_are_chosen_by_item_and_month(client, seeded):
    response = client.get(f"{V}/subsidies")
    page = text(response)
    assert "补贴项目 全部项目 最低生活保障金 耕地地力保护补贴 发放月份 全部月份 2025年2月 2025年1月 查看" in page
    assert 'method="get" action="/r/629901101201/subsidies"' in response.text
    by_month = text(client.get(f"{V}/subsidies", query_string={"item": "", "month": "2025-01"}))
    assert "· 耕地地力保护补贴 1 人次" in by_month and "· 最低生活保障金" not in by_month
    roster = client.get(f"{V}/subsidies", query_string={"item": "最低生活保障金", "month": "2025-02"}).text
    assert '<option value="最低生活保障金" selected>' in roster and '<option value="2025-02" selected>' in roster


def test_a_long_roster_is_paged(client, publish_rows, people):
    name, number, account = people["zhang"]
    publish_rows(
        "subsidies",
        [
            {
                "item": "最低生活保障金",
                "month": "2025-03",
                "name": name,
                "id_number": number,
                "account": account,
                "amount": Decimal("500.00"),
                "paid_on": date(2025, 3, 10),
            }
            for _ in range(45)
        ],
    )
    query = {"item": "最低生活保障金", "month": "2025-03"}
    first = text(client.get(f"{V}/subsidies", query_string=query))
    assert first.count("对此有疑问") == 30 and "第 1 / 2 页，共 45 条" in first
    assert "共 45 人次，合计 22,500.00 元" in first
    second = text(client.get(f"{V}/subsidies", query_string=query | {"page": 2}))
    assert second.count("对此有疑问") == 15 and " 31 张* " in second and " 45 张* " in second


def test_roster_masks_names_and_tells_namesakes_apart(client, seeded):
    response = client.get(f"{V}/subsidies", query_string={"item": "最低生活保障金", "month": "2025-02"})
    page = text(response)
    for masked in ("张*", "王*明", "欧**锋"):
        assert masked in page
    for full in ("张三", "王小明", "欧阳小锋"):
        assert full not in page
    refs = {p.public_ref for p in seeded["roster"] if p.name == "王小明"}
    assert len(refs) == 2 and all(ref in page for ref in refs)
    assert "共 4 人次，合计 2,440.00 元" in page


def test_county_setting_shows_full_names(client, seeded):
    db.session.add(CountySettings(county_code="629901000000", show_full_names=True))
    db.session.commit()
    page = text(client.get(f"{V}/subsidies", query_string={"item": "最低生活保障金", "month": "2025-02"}))
    assert "张三" in page and "欧阳小锋" in page and "张*" not in page


# Projects -------------------------------------------------------------------------------------


def test_projects_show_latest_update(client, seeded):
    response = client.get(f"{V}/projects")
    page = text(response)
    road = page.split("村道硬化")[1].split("详情")[0]
    assert "在建" in road and "40%" in road and "预算 300,000.00 元" in road
    assert "已支付 100,000.00 元" in road and "青川县路桥有限公司" in road and "计划完工 2025-06-30" in road
    assert '<progress max="100" value="40"' in response.text
    assert "饮水改造" in page and "已验收" in page


def test_project_page_has_its_history_latest_first(client, seeded):
    page = text(client.get(f"{V}/projects/XM-001"))
    history = page.split("更新记录")[1]
    assert history.index("2025-01-15 在建 40% 100,000.00 路基完成") < history.index(
        "2024-10-01 未开工 0% 0.00 完成招标"
    )


def test_same_day_updates_the_later_upload_wins(client, publish_rows):
    update = publish_rows.project
    publish_rows("projects", [update("XM-009", "文化广场", "在建", 60, "1000.00", date(2025, 2, 1))])
    publish_rows("projects", [update("XM-009", "文化广场", "暂停", 60, "1000.00", date(2025, 2, 1), "资金未到位")])
    publish_rows("projects", [update("XM-009", "文化广场", "未开工", 0, "0.00", date(2025, 1, 1))])
    road = text(client.get(f"{V}/projects")).split("文化广场")[1]
    assert road.lstrip().startswith("暂停")


# Contracts and rent ---------------------------------------------------------------------------


def test_contracts_show_party_rent_due_and_received(client, seeded, march):
    page = text(client.get(f"{V}/contracts"))
    assert "承包方 李大山" in page and "年租金 10,000.00 元（按半年缴）" in page
    assert "截至今天应收 10,000.00 元（2 期）" in page and "已收 5,000.00 元" in page
    assert "少收 5,000.00 元" in page


def test_rent_paid_ahead_is_prepaid_and_past_the_end_is_overpaid(client, publish_rows, march):
    ledger = publish_rows.ledger
    publish_rows(
        "contracts",
        [
            {
                "contract_no": "HT-101",
                "subject": "鱼塘",
                "category": "资源",
                "party": "王二",
                "start_on": date(2024, 7, 1),
                "end_on": date(2029, 6, 30),
                "annual_rent": Decimal("10000.00"),
                "pay_cycle": "半年",
            },
            {
                "contract_no": "HT-102",
                "subject": "旧仓库",
                "category": "资产",
                "party": "赵六",
                "start_on": date(2022, 1, 1),
                "end_on": date(2024, 6, 30),
                "annual_rent": Decimal("1200.00"),
                "pay_cycle": "年",
            },
        ],
    )
    publish_rows(
        "ledger",
        [
            ledger(date(2025, 1, 5), "记-101", "income", "发包及上交收入", "鱼塘租金", "15000.00", "王二", "HT-101"),
            ledger(date(2025, 1, 6), "记-102", "income", "发包及上交收入", "仓库租金", "4000.00", "赵六", "HT-102"),
        ],
    )
    page = text(client.get(f"{V}/contracts"))
    pond, store = page.split("鱼塘")[1].split("旧仓库")
    assert "已收 15,000.00 元" in pond and "预收 5,000.00 元" in pond and "已收齐" not in pond
    assert "截至今天应收 3,600.00 元（3 期）" in store and "多收 400.00 元" in store and "已收齐" not in store
    assert "5000.00,预收" in client.get(f"{V}/contracts.csv").get_data(as_text=True)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)


def test_monthly_from_a_month_end_returns_to_the_31st():
    assert due_dates(date(2025, 1, 31), date(2026, 1, 30), "月", date(2025, 5, 30)) == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
    ]


def test_half_year_and_quarterly_installments():
    half = rent_status(
        start=date(2024, 7, 1),
        end=date(2029, 6, 30),
        annual_rent=Decimal("10000"),
        cycle="半年",
        received=Decimal("5000"),
        today=date(2025, 3, 10),
    )
    assert (half.installments, half.due) == (2, Decimal("10000.00"))
    assert (half.received, half.shortfall) == (Decimal("5000.00"), Decimal("5000.00"))
    # Due on today counts: 2024-11-15, 2025-02-15, 2025-05-15.
    quarter = rent_status(
        start=date(2024, 11, 15),
        end=date(2027, 11, 14),
        annual_rent=Decimal("9999.99"),
        cycle="季",
        received=Decimal("0"),
        today=date(2025, 5, 15),
    )
    assert quarter.installments == 3 and quarter.due == Decimal("7500.00")  # 2500.00 each, rounded


def test_installments_round_to_the_fen():
    assert installment(Decimal("1000"), "月") == Decimal("83.33")
    assert installment(Decimal("100.01"), "半年") == Decimal("50.01")  # 50.005 rounds half up
    assert installment(Decimal("0"), "年") == Decimal("0.00")


def test_ended_and_not_started_contracts():
    ended = rent_status(
        start=date(2022, 1, 1),
        end=date(2024, 6, 30),
        annual_rent=Decimal("1200"),
        cycle="年",
        received=Decimal("3000"),
        today=date(2025, 3, 10),
    )
    assert (ended.installments, ended.due, ended.shortfall) == (3, Decimal("3600.00"), Decimal("600.00"))
    # A due date on 终止日期 itself still falls due; paying ahead is no debt.
    assert len(due_dates(date(2024, 1, 1), date(2025, 1, 1), "年", date(2026, 1, 1))) == 2
    later = rent_status(
        start=date(2025, 6, 1),
        end=date(2026, 5, 31),
        annual_rent=Decimal("1200"),
        cycle="月",
        received=Decimal("100"),
        today=date(2025, 3, 10),
    )
    assert (later.installments, later.due, later.shortfall) == (0, Decimal("0.00"), Decimal("0.00"))
    assert (later.surplus, later.surplus_label) == (Decimal("100.00"), "预收")
    assert (ended.surplus, ended.more_to_come) == (Decimal("0.00"), False)


def test_unknown_cycle_is_an_error():
    with pytest.raises(ValueError):
        installment(Decimal("100"), "双月")


# Revisions and 对此有疑问 -----------------------------------------------------------------------


def test_revisions_show_old_and_new_values_and_withdrawals(client, seeded):
    page = text(client.get(f"{V}/revisions"))
    assert page.count("原因：金额录入错误，办公用品为重复入账") == 2
    assert "条目：2025-01-25 记-004 道路维修" in page
    assert "金额（元） 2,000.00 2,200.00" in page
    withdrawn = page.split("撤回", 1)[1]
    assert "以下条目已撤回" in withdrawn and "办公用品 金额（元） 300.00" in withdrawn


def test_every_row_links_straight_to_the_complaint_form(client, seeded, march):
    for path, kind in [
        ("/ledger?month=2025-02", "ledger"),
        ("/projects/XM-001", "projects"),
        ("/contracts", "contracts"),
        ("/subsidies?item=最低生活保障金&month=2025-02", "subsidies"),
    ]:
        body = client.get(V + path).text
        links = re.findall(rf'href="/complain\?village=629901101201&amp;item={kind}:(\d+)">对此有疑问', body)
        assert links, path
    feb = client.get(f"{V}/ledger?month=2025-02").text
    assert len(re.findall(r"对此有疑问", feb)) == 3


def test_old_report_links_still_open_the_complaint_form_with_the_item(client, seeded):
    row = seeded["roster"][0]
    response = client.get(f"{V}/report", query_string={"item": f"subsidies:{row.id}"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/complain?village=629901101201&item=subsidies:{row.id}"
    form = text(client.get(response.headers["Location"]))
    assert "张*" in form and "500.00" in form and "张三" not in form
    assert client.get(f"{V}/report").headers["Location"] == "/complain?village=629901101201"
    assert client.get("/r/629901999999/report").status_code == 404


# Kiosk ----------------------------------------------------------------------------------------


def test_kiosk_sets_the_cookie_and_goes_to_the_region(client, seeded):
    response = client.get("/kiosk/629901101000")
    assert response.status_code == 302 and response.headers["Location"] == "/r/629901101000"
    assert "kiosk=629901101000" in response.headers["Set-Cookie"]
    assert client.get("/kiosk/629901000000").status_code == 302
    assert client.get("/kiosk/629901101201").status_code == 404  # a village is no kiosk home
    assert client.get("/kiosk/123").status_code == 404


def test_kiosk_mode_hides_downloads_and_exit_clears_it(client, seeded, march):
    assert "下载：" in client.get(f"{V}/ledger?month=2025-02").text
    client.get("/kiosk/629901101000")
    assert "下载：" not in client.get(f"{V}/ledger?month=2025-02").text
    with client.application.test_request_context(headers={"Cookie": "kiosk=629901101000"}):
        assert render_template_string("{{ kiosk }} {{ kiosk_home }}") == "True /r/629901101000"
    exit_response = client.get("/kiosk/exit")
    assert exit_response.status_code == 302 and "kiosk=;" in exit_response.headers["Set-Cookie"]
    assert "下载：" in client.get(f"{V}/ledger?month=2025-02").text


def test_kiosk_layout_in_base_html(client, seeded):
    client.get("/kiosk/629901101000")
    page = client.get(V).text
    assert re.search(r'<body class="[^"]*\bkiosk\b', page)
    assert "工作人员登录" not in page
    # By its content-hashed name, cached for good (core/assets).
    assert re.search(r'src="/static/js/kiosk\.[0-9a-f]{12}\.js" data-home="/r/629901101000"', page)
    client.get("/kiosk/exit")
    page = client.get(V).text
    assert "工作人员登录" in page and "kiosk.js" not in page
