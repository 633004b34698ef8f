"""Each rule's smallest positive case beside the near miss that must not fire (RULES.md)."""

from datetime import date
from decimal import Decimal

from rule_rows import V1, V2, entry, payment, person

A, B, C, D = person(1), person(2), person(3), person(4)


def test_deceased_recipient_allows_the_month_of_death_itself(county, subsidies, roster, run_rules, open_warnings):
    roster("deceased", f"姓名,身份证号,死亡日期\n甲,{A},2026-08-20\n乙,{B},2026-08-20\n")
    subsidies(V1, payment(A, month="2026-08"), payment(A, month="2026-09"), payment(B, month="2026-08"))
    run_rules()
    assert open_warnings() == {("DECEASED_RECIPIENT", V1, A)}


def test_exclusive_benefits_only_in_the_same_month(county, subsidies, run_rules, open_warnings):
    subsidies(
        V1,
        payment(A, "最低生活保障金", "2026-09"),
        payment(A, "特困人员供养金", "2026-09"),
        payment(B, "最低生活保障金", "2026-08"),
        payment(B, "特困人员供养金", "2026-09"),
    )
    run_rules()
    assert open_warnings() == {("EXCLUSIVE_BENEFITS", V1, A)}


def test_duplicate_payment_is_the_same_item_and_month(county, subsidies, run_rules, open_warnings):
    subsidies(
        V1,
        payment(A, month="2026-09"),
        payment(A, month="2026-09"),
        payment(B, "高龄津贴", "2026-08"),
        payment(B, "高龄津贴", "2026-09"),
    )
    run_rules()
    assert open_warnings() == {("DUPLICATE_PAYMENT", V1, A)}


def test_over_standard_is_above_the_standard_in_force_not_at_it(county, subsidies, roster, run_rules, open_warnings):
    roster("standards", "补贴项目,起始年月,每期最高金额\n高龄津贴,2025-01,200.00\n高龄津贴,2026-09,300.00\n")
    subsidies(
        V1,
        payment(A, "高龄津贴", "2026-08", "200.01"),
        payment(B, "高龄津贴", "2026-08", "200.00"),
        payment(C, "高龄津贴", "2026-09", "300.00"),
        # two rows of one period are DUPLICATE_PAYMENT's business, not this rule's
        payment(D, "高龄津贴", "2026-08", "150.00"),
        payment(D, "高龄津贴", "2026-08", "150.00"),
    )
    run_rules()
    assert open_warnings("OVER_STANDARD") == {("OVER_STANDARD", V1, A)}


def test_public_employee_recipient_only_for_the_listed_items(county, subsidies, roster, run_rules, open_warnings):
    roster("public_employees", f"姓名,身份证号,工作单位,人员类别\n甲,{A},县某局,公务员\n乙,{B},县某局,事业编制\n")
    subsidies(V1, payment(A, "乡村公益性岗位补贴"), payment(B, "耕地地力保护补贴"))
    run_rules()
    assert open_warnings() == {("PUBLIC_EMPLOYEE_RECIPIENT", V1, A)}


def test_cadre_relative_recipient_only_when_paid_by_the_cadres_village(
    county, subsidies, roster, run_rules, open_warnings
):
    roster(
        "cadres",
        "村代码,姓名,身份证号,职务,关联干部身份证号,关系\n"
        f"{V1},甲,{A},村委会主任,,本人\n{V1},乙,{B},,{A},配偶\n{V1},丙,{C},,{A},子女\n",
    )
    subsidies(V1, payment(B), payment(A, "耕地地力保护补贴"))
    subsidies(V2, payment(C))  # a relative paid by another village
    run_rules()
    assert open_warnings() == {("CADRE_RELATIVE_RECIPIENT", V1, B)}


def test_shared_bank_account_within_one_village(county, subsidies, run_rules, open_warnings):
    shared, split = "6228480000000000017", "6228480000000000025"
    subsidies(V1, payment(A, account=shared), payment(B, "高龄津贴", account=shared), payment(C, account=split))
    subsidies(V2, payment(D, account=split))
    run_rules()
    assert open_warnings() == {("SHARED_BANK_ACCOUNT", V1, shared)}


def project(number: str, *, budget: str, paid: str, updated: date, approved: date | None = None) -> dict:
    return {
        "project_no": number,
        "name": f"项目{number}",
        "project_type": "道路",
        "budget": Decimal(budget),
        "funding_source": "",
        "contractor": "",
        "contractor_uscc": "",
        "approved_on": approved,
        "start_on": None,
        "planned_end_on": None,
        "progress": 50,
        "paid_total": Decimal(paid),
        "status": "在建",
        "updated_on": updated,
        "note": "",
    }


def test_project_over_budget_by_its_latest_update_or_its_ledger(county, publish, ledger, run_rules, open_warnings):
    publish(
        "projects",
        V1,
        [
            project("XM1", budget="100000", paid="100000.01", updated=date(2026, 9, 1)),
            project("XM2", budget="100000", paid="100000.00", updated=date(2026, 9, 1)),
            project("XM3", budget="50000", paid="60000", updated=date(2026, 8, 1)),
            project("XM4", budget="1000", paid="0", updated=date(2026, 9, 1)),
        ],
    )
    publish("projects", V1, [project("XM3", budget="50000", paid="40000", updated=date(2026, 9, 1))])
    ledger(
        V1,
        entry(date(2026, 9, 3), "600", link="XM4"),
        entry(date(2026, 9, 4), "400.01", link="XM4"),
        entry(date(2026, 9, 5), "900", link="XM2"),
    )
    run_rules()
    assert open_warnings() == {("PROJECT_OVER_BUDGET", V1, "XM1"), ("PROJECT_OVER_BUDGET", V1, "XM4")}


def test_paid_before_approval_is_strictly_before_the_approval_day(county, publish, ledger, run_rules, open_warnings):
    publish(
        "projects",
        V1,
        [
            project("XM1", budget="9000", paid="0", updated=date(2026, 9, 1), approved=date(2026, 9, 10)),
            project("XM2", budget="9000", paid="0", updated=date(2026, 9, 1), approved=date(2026, 9, 10)),
        ],
    )
    ledger(V1, entry(date(2026, 9, 9), "100", link="XM1"), entry(date(2026, 9, 10), "100", link="XM2"))
    run_rules()
    assert open_warnings() == {("PAID_BEFORE_APPROVAL", V1, "XM1")}


def test_split_expenses_within_seven_calendar_days_only(county, ledger, run_rules, open_warnings):
    ledger(
        V1,
        entry(date(2026, 9, 1), "2000", counterparty="甲餐饮店"),
        entry(date(2026, 9, 3), "1500", counterparty="甲餐饮店"),
        entry(date(2026, 9, 7), "1500", counterparty="甲餐饮店"),
        # first and last 7 days apart: outside the window
        entry(date(2026, 9, 1), "2000", counterparty="乙餐饮店"),
        entry(date(2026, 9, 4), "2000", counterparty="乙餐饮店"),
        entry(date(2026, 9, 8), "2000", counterparty="乙餐饮店"),
        # three within the window, but together below the threshold
        entry(date(2026, 9, 1), "1000", counterparty="丙餐饮店"),
        entry(date(2026, 9, 2), "1000", counterparty="丙餐饮店"),
        entry(date(2026, 9, 3), "2999.99", counterparty="丙餐饮店"),
        # one of them at the threshold itself: not a small payment, so only two are left
        entry(date(2026, 9, 1), "5000", counterparty="丁公司"),
        entry(date(2026, 9, 2), "2500", counterparty="丁公司"),
        entry(date(2026, 9, 3), "2500", counterparty="丁公司"),
    )
    run_rules()
    assert open_warnings() == {("SPLIT_EXPENSES", V1, "甲餐饮店")}


def lease(number: str, *, start: date, end: date, rent: str, cycle: str) -> dict:
    return {
        "contract_no": number,
        "subject": "村东耕地",
        "category": "资源",
        "party": "某合作社",
        "party_id": "",
        "start_on": start,
        "end_on": end,
        "annual_rent": Decimal(rent),
        "pay_cycle": cycle,
    }


def test_rent_arrears_month_end_installments_and_the_grace_days(county, publish, ledger, run_rules, open_warnings):
    # 100 元 a month from 2025-10-31: due 10-31, 11-30, 12-31, 01-31, then 02-28 (the month's last day).
    publish("contracts", V1, [lease("HT1", start=date(2025, 10, 31), end=date(2027, 10, 30), rent="1200", cycle="月")])
    ledger(V1, entry(date(2026, 1, 31), "400", direction="income", category="发包及上交收入", link="HT1"))
    run_rules(as_of=date(2026, 3, 29))  # less 30 days: 02-27, the February installment is not due yet
    assert open_warnings() == set()
    run_rules(as_of=date(2026, 3, 30))  # less 30 days: 02-28
    assert open_warnings() == {("RENT_ARREARS", V1, "HT1")}


def test_rent_arrears_counts_nothing_after_the_end_date(county, publish, ledger, run_rules, open_warnings):
    # A year's rent in quarters, 333.33 each (1333.33 / 4 rounded to the fen), ended after two.
    publish(
        "contracts",
        V1,
        [
            lease("HT2", start=date(2026, 1, 15), end=date(2026, 5, 1), rent="1333.33", cycle="季"),
            lease("HT3", start=date(2026, 1, 15), end=date(2026, 5, 1), rent="1333.33", cycle="季"),
        ],
    )
    ledger(
        V1,
        entry(date(2026, 4, 20), "666.66", direction="income", category="发包及上交收入", link="HT2"),
        entry(date(2026, 4, 20), "666.65", direction="income", category="发包及上交收入", link="HT3"),
    )
    run_rules()
    assert open_warnings() == {("RENT_ARREARS", V1, "HT3")}
