"""The administrators' rules page: each rule with its counts and hit rate, the run button, and a
county's thresholds and exclusive pairs, which the next run uses."""

from datetime import date

from rule_rows import V1, entry, payment, person
from sqlalchemy import select
from support import csrf_from

from core.extensions import db

A = person(1)


def test_the_page_lists_every_rule_and_the_button_runs_them(client, county, subsidies, make_user, login):
    make_user("guanli", role="admin")
    login("guanli")
    subsidies(V1, payment(A), payment(A))
    page = client.get("/admin/rules")
    assert page.status_code == 200 and "RENT_ARREARS" in page.text and "还没有运行过" in page.text
    done = client.post("/admin/rules/run", data={"csrf_token": csrf_from(page.text), "as_of": "2026-11-20"})
    assert done.status_code == 302
    page = client.get("/admin/rules")
    assert "已完成" in page.text and "新增 1" in page.text
    from rules.models import RuleRun

    run = db.session.scalar(select(RuleRun))
    assert (run.trigger, run.as_of, run.requested_by_id is not None) == ("manual", date(2026, 11, 20), True)


def test_a_failed_run_shows_why(client, county, make_user, login, monkeypatch):
    from rules import runs

    def broken():
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr(runs, "active_rules", broken)
    make_user("guanli", role="admin")
    login("guanli")
    page = client.get("/admin/rules")
    client.post("/admin/rules/run", data={"csrf_token": csrf_from(page.text)})
    page = client.get("/admin/rules")
    assert "失败" in page.text and "数据库连接中断" in page.text


def test_county_settings_change_what_the_next_run_finds(
    client, county, ledger, subsidies, run_rules, open_warnings, make_user, login
):
    make_user("guanli", role="admin")
    login("guanli")
    ledger(
        V1,
        entry(date(2026, 9, 1), "1000", counterparty="甲店"),
        entry(date(2026, 9, 2), "1000", counterparty="甲店"),
        entry(date(2026, 9, 9), "1000", counterparty="甲店"),
    )
    subsidies(V1, payment(A, "高龄津贴"), payment(A, "残疾人两项补贴"))
    run_rules()
    assert open_warnings() == set()
    form = client.get("/admin/rules/settings/629901000000")
    token = csrf_from(form.text)
    bad = client.post(
        "/admin/rules/settings/629901000000",
        data={
            "csrf_token": token,
            "approval_threshold": "3000",
            "split_window_days": "9",
            "rent_grace_days": "30",
            "exclusive_pairs": "高龄津贴×不存在的补贴",
        },
    )
    assert bad.status_code == 422 and "不存在的补贴」不是系统中登记的补贴项目" in bad.text
    saved = client.post(
        "/admin/rules/settings/629901000000",
        data={
            "csrf_token": token,
            "approval_threshold": "3000",
            "split_window_days": "9",
            "rent_grace_days": "30",
            "exclusive_pairs": "最低生活保障金×特困人员供养金\n高龄津贴×残疾人两项补贴",
        },
    )
    assert saved.status_code == 302
    run_rules()
    assert open_warnings() == {("SPLIT_EXPENSES", V1, "甲店"), ("EXCLUSIVE_BENEFITS", V1, A)}
    from core.audit import AuditEntry

    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "rules.settings"))
