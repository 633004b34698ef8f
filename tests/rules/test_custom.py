"""Custom rules without code: composed in a form, previewed, saved as versions, run like the
built-in rules into the queue; and the read-only SQL rule with its refusals."""

import re
from datetime import date

import pytest
from rule_rows import V1, entry, payment, person
from sqlalchemy import func, select
from support import csrf_from

from core.extensions import db

A, B = person(1), person(2)
FORM = {
    "title": "财政供养人员领取高龄津贴",
    "description": "财政供养人员同时领取高龄津贴，需核实",
    "grade": "2",
    "kind": "form",
    "base": "subsidy_payments",
    "subject": "身份证号",
    "join": "roster_public_employees",
    "key": "身份证号",
    "column_1": "subsidy_payments.item",
    "op_1": "eq",
    "value_1": "高龄津贴",
    "column_2": "",
    "op_2": "eq",
    "value_2": "",
    "column_3": "",
    "op_3": "eq",
    "value_3": "",
    "sql": "",
    "is_enabled": "y",
}


def test_a_custom_rule_from_form_to_preview_to_queue(
    client, county, subsidies, roster, make_user, login, run_rules, open_warnings
):
    from rules.custom.models import CustomRule, CustomRuleVersion
    from rules.models import RuleWarning

    roster("public_employees", f"姓名,身份证号,工作单位,人员类别\n甲,{A},县某局,公务员\n乙,{B},县某局,公务员\n")
    subsidies(V1, payment(A, "高龄津贴"), payment(B, "耕地地力保护补贴"))
    make_user("guanli", role="admin")
    login("guanli")
    token = csrf_from(client.get("/admin/rules/custom/new").text)
    preview = client.post(
        "/admin/rules/custom/new", data=FORM | {"csrf_token": token, "code": "EMPLOYEE_ELDERLY", "preview": "1"}
    )
    assert preview.status_code == 200 and "共命中 1 个对象" in preview.text
    assert A[:6] + "********" + A[-4:] in preview.text and A not in preview.text
    assert db.session.scalar(select(func.count()).select_from(CustomRule)) == 0  # a preview saves nothing

    saved = client.post(
        "/admin/rules/custom/new", data=FORM | {"csrf_token": token, "code": "EMPLOYEE_ELDERLY", "save": "1"}
    )
    assert saved.status_code == 302
    rule = db.session.scalar(select(CustomRule))
    assert (rule.code, rule.version, rule.grade) == ("EMPLOYEE_ELDERLY", 1, 2)

    run_rules()
    assert open_warnings() == {("EMPLOYEE_ELDERLY", V1, A)}
    warning = db.session.scalar(select(RuleWarning).where(RuleWarning.rule_code == "EMPLOYEE_ELDERLY"))
    assert warning.complaint.channel == "warning" and warning.complaint.text.startswith("财政供养人员同时领取高龄津贴")
    case_page = client.get(f"/admin/cases/{warning.complaint_id}")
    assert "补贴发放" in case_page.text and "财政供养人员名单" in case_page.text

    edit = client.post(f"/admin/rules/custom/{rule.id}", data=FORM | {"csrf_token": token, "grade": "1", "save": "1"})
    assert edit.status_code == 302
    db.session.expire_all()
    versions = db.session.scalars(select(CustomRuleVersion).order_by(CustomRuleVersion.version)).all()
    assert [(v.version, v.changes_list, v.saved_by.username) for v in versions] == [
        (1, ["created"], "guanli"),
        (2, ["grade"], "guanli"),
    ]
    assert "第2版" in client.get(f"/admin/rules/custom/{rule.id}").text


def test_a_bad_definition_is_explained(client, county, make_user, login):
    make_user("guanli", role="admin")
    login("guanli")
    token = csrf_from(client.get("/admin/rules/custom/new").text)
    bad = client.post(
        "/admin/rules/custom/new",
        data=FORM | {"csrf_token": token, "code": "BAD_RULE", "join": "roster_standards", "preview": "1"},
    )
    assert bad.status_code == 422 and "补贴发放与补贴标准不能按“身份证号”关联" in bad.text
    bad = client.post(
        "/admin/rules/custom/new",
        data=FORM
        | {
            "csrf_token": token,
            "code": "BAD_RULE",
            "column_1": "subsidy_payments.amount",
            "op_1": "gt",
            "value_1": "很多",
            "preview": "1",
        },
    )
    assert bad.status_code == 422 and "「很多」不是数字" in bad.text


def sql_rule(sql: str, code: str = "BIG_PAYMENT"):
    from rules.custom.services import save_custom_rule

    return save_custom_rule(
        None,
        code=code,
        kind="sql",
        title="大额支出",
        description="单笔支出超过10万元",
        grade=3,
        definition={"sql": sql},
        is_enabled=True,
        by=None,
    )


def test_a_sql_rule_runs_read_only_like_the_others(county, ledger, run_rules, open_warnings):
    ledger(
        V1,
        entry(date(2026, 9, 1), "120000", counterparty="某建筑公司"),
        entry(date(2026, 9, 2), "100", counterparty="某店"),
    )
    sql_rule(
        "SELECT village_code, counterparty AS subject, 'ledger_entries' AS source, id AS row_id\n"
        "FROM ledger_entries WHERE amount > 100000 -- 大额"
    )
    run_rules()
    assert open_warnings() == {("BIG_PAYMENT", V1, "某建筑公司")}


@pytest.mark.parametrize(
    "sql, message",
    [
        ("DELETE FROM users", "只允许 SELECT 查询"),
        ("UPDATE users SET role = 'admin'", "只允许 SELECT 查询"),
        ("SELECT 1 AS village_code, 2 AS subject; DELETE FROM users", "只能填写一条语句"),
        ("SELECT '629901101201' AS village_code", "查询结果必须包含列：subject"),
    ],
)
def test_the_sql_rule_refuses_anything_but_one_select(county, sql, message):
    from rules.custom.services import CustomRuleError, preview

    with pytest.raises(CustomRuleError, match=re.escape(message)):
        if "DELETE" in sql or "UPDATE" in sql:
            sql_rule(sql)
        preview("sql", {"sql": sql})


def test_a_write_the_parser_lets_through_is_refused_by_the_database(county, make_user):
    from core.users.models import User
    from rules.custom.services import CustomRuleError, preview

    make_user("guanli", role="admin")
    with pytest.raises(CustomRuleError, match="查询出错|只读连接"):
        preview(
            "sql",
            {
                "sql": "WITH gone AS (DELETE FROM users RETURNING id) "
                "SELECT '629901101201' AS village_code, id AS subject FROM gone"
            },
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_a_query_past_its_time_is_stopped_and_the_run_says_so(app, county, run_rules):
    from rules.custom.services import CustomRuleError, preview
    from rules.models import RunState
    from rules.runs import run_rules as run

    app.config["RULE_SQL_TIMEOUT_SECONDS"] = 0.3
    slow = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500000000) "
        "SELECT '629901101201' AS village_code, count(*) AS subject FROM n"
    )
    with pytest.raises(CustomRuleError, match="查询超过时间上限"):
        preview("sql", {"sql": slow})
    sql_rule(slow, code="SLOW_RULE")
    done = run(as_of=date(2026, 11, 20))
    assert done.state == RunState.FAILED and "查询超过时间上限" in done.error


def test_the_row_cap(app, county, subsidies):
    from rules.custom.services import CustomRuleError, preview

    app.config["RULE_SQL_MAX_ROWS"] = 2
    subsidies(V1, payment(A), payment(B), payment(person(3)))
    with pytest.raises(CustomRuleError, match="超过2行的上限"):
        preview("sql", {"sql": "SELECT village_code, id_hash AS subject FROM subsidy_payments"})
