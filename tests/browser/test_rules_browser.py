"""A handler works a warning raised by the cross-check rules from the queue to 属实, and an
administrator looks at the rules page."""

from datetime import date, timedelta

import pytest
from rule_rows import V1, payment, person
from sqlalchemy import select

from core.extensions import db

from .test_back_office_browser import PASSWORD, desktop  # noqa: F401  (the desktop page fixture)

A = person(7)


@pytest.fixture
def warning(township_tree, make_user):
    """A deceased person paid 低保 after the month of death: a grade-1 warning in 青山村."""
    from disclosures.models import Kind
    from disclosures.parsed import ParsedBatch, ParsedUpload
    from disclosures.services import stage_upload
    from rules.models import RuleWarning
    from rules.rosters.models import RosterKind
    from rules.rosters.services import import_roster
    from rules.runs import run_rules

    make_user("zhangwei", "handler", ["629901101000"])
    make_user("guanli", "admin", password=PASSWORD)
    rows = [
        {"row_number": 2, "village_code": V1, **payment(A, month="2026-08", name="王秀英")},
        {"row_number": 3, "village_code": V1, **payment(A, month="2026-09", name="王秀英")},
    ]
    stage_upload(
        ParsedUpload(Kind.SUBSIDIES, "t.csv", [ParsedBatch(V1, Kind.SUBSIDIES, None, rows)]),
        uploader=None,
        publish=True,
    )
    import_roster(RosterKind.DECEASED, f"姓名,身份证号,死亡日期\n王秀英,{A},2026-07-03\n".encode(), "deceased.csv")
    run_rules(as_of=date.today() + timedelta(days=1), trigger="test")
    return db.session.scalar(select(RuleWarning))


def _sign_in(page, live_server, username):
    page.goto(f"{live_server}/staff/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server}/admin/")


def test_handler_works_a_warning_from_the_queue_to_verified(warning, desktop, live_server, checkpoint):  # noqa: F811
    page = desktop
    _sign_in(page, live_server, "zhangwei")
    page.get_by_role("navigation", name="后台").get_by_role("link", name="案件办理").click()
    page.get_by_label("渠道").select_option(label="预警")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state("load")
    checkpoint(page, "queue")
    assert page.locator("tbody tr").count() == 1
    assert "核查启动" in page.locator("tbody tr").first.inner_text()

    page.get_by_role("link", name=warning.complaint.code).click()
    page.wait_for_url(f"{live_server}/admin/cases/{warning.complaint_id}")
    checkpoint(page, "warning")
    panel = page.locator(".warning-panel").inner_text()
    assert "一级" in panel and "死亡人员领取补贴" in panel and "王*英" in panel and A not in page.content()
    assert page.get_by_role("button", name="发送").count() == 0  # no public reply: nobody to answer

    page.get_by_label("核查安排（内部记录，如核查人员、方式）").fill("安排乡镇纪委两人入户核实，调取发放台账。")
    page.get_by_role("button", name="记录核查启动").click()
    page.wait_for_load_state("load")
    assert "已记录核查启动" in page.locator(".flash").inner_text()
    checkpoint(page, "verifying")

    page.locator("summary", has_text="办结").click()
    page.get_by_label("办理结果（反映人可见）").fill(
        "经核实，王秀英已于7月去世，8、9月低保系未及时停发，已追回并处理经办人。"
    )
    assert "已解决" not in page.get_by_label("定性").inner_text()
    page.get_by_label("定性").select_option("属实")
    page.get_by_role("button", name="办结", exact=True).click()
    page.wait_for_load_state("load")
    checkpoint(page, "verified")
    assert "已办结" in page.locator("h1").inner_text()
    db.session.expire_all()
    assert warning.complaint.classification == "属实"

    page.get_by_role("button", name="退出登录").click()
    _sign_in(page, live_server, "guanli")
    page.get_by_role("navigation", name="后台").get_by_role("link", name="比对规则").click()
    page.wait_for_load_state("load")
    checkpoint(page, "rules")
    row = page.locator("tr", has_text="DECEASED_RECIPIENT").inner_text()
    assert "100%" in row
