"""Deadlines as people see them on a phone: a provisional deadline on the tracking page, and a
handler asking for more time for a department's answer."""

import re

from sqlalchemy import select
from factories import file_case, new_case

from admin.models import ClockExtension, Department
from core.extensions import db
from core.timezone import shanghai


def test_a_provisional_deadline_on_the_tracking_page(township_tree, phone, visit, checkpoint):
    filed, _ = file_case(text="村道维修款去向不明", received_at=shanghai(2031, 9, 30, 10))
    visit(phone, "/track", "track")
    phone.get_by_label("案件编号").fill(filed.code)
    phone.get_by_label("查询密码（16位数字）").fill(filed.secret)
    phone.get_by_role("button", name="查询").click()
    phone.wait_for_url(re.compile(r"/track/case$"))
    checkpoint(phone, "provisional")
    clocks = phone.locator(".clocks").inner_text()
    assert "2031年10月03日前（预计）" in clocks
    assert "暂按周一至周五计算" in phone.locator("main").inner_text()


def test_a_handler_asks_for_more_time_for_a_department(township_tree, make_user, phone, live_server, visit, checkpoint):
    make_user("zhangwei", "handler", ["629901101000"])
    db.session.add(Department(county_code="629901000000", name="县农业农村局"))
    db.session.commit()
    case = new_case()
    phone.goto(f"{live_server}/staff/login")
    phone.get_by_label("用户名").fill("zhangwei")
    phone.get_by_label("密码").fill("pw-for-tests-1")
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{live_server}/admin/")
    visit(phone, f"/admin/cases/{case.id}", "case")
    phone.locator("summary", has_text="转办到部门").click()
    phone.get_by_label("转办摘要（不得含反映人姓名、电话）").fill("反映修路款去向问题，请核查")
    phone.get_by_role("button", name="转办", exact=True).click()
    phone.wait_for_load_state("load")
    phone.locator("summary", has_text="申请延长县农业农村局的答复期限").click()
    phone.get_by_label("延长工作日数（1至15个）").fill("5")
    phone.get_by_label("延期理由（反映人可见）").fill("部门需要到现场核查施工量")
    checkpoint(phone, "asking")
    phone.get_by_role("button", name="提交负责人审批").click()
    phone.wait_for_load_state("load")
    checkpoint(phone, "asked")
    assert "延期申请（5个工作日）正在等待负责人审批" in phone.locator(".referrals").inner_text()
    assert db.session.scalar(select(ClockExtension.reason)) == "部门需要到现场核查施工量"
