"""The accountant's upload → preview → submit, the reviewer's approval, and corrections, on the web."""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from support import csrf_from, logout
from sqlalchemy import func, select

from core.extensions import db
from core.users.models import User
from disclosures.models import Batch, BatchStatus, LedgerEntry
from disclosures.services import approve_batch, correct_row

HEADER = "村代码,日期,凭证号,收支,科目,摘要,金额,对方单位,关联编号\n"
GOOD = HEADER + (
    "629901101201,2026-10-05,记2026-0001,支出,管理费用,办公用品,120.50,青川县商店,\n"
    '629901101201,2026/10/6,记2026-0002,收入,其他收入,利息,"￥1,000.00",县农商银行,\n'
)


@pytest.fixture
def staff(township_tree, make_user):
    make_user("kuaiji", "accountant", ["629901101201"])
    make_user("shenhe", "reviewer", ["629901101000"])
    make_user("other", "accountant", ["629901102201"])


def upload(client, text: str, period="2026-10", kind="ledger", name="10月.csv"):
    token = csrf_from(client.get("/disclosures/").text)
    return client.post(
        "/disclosures/upload",
        data={"csrf_token": token, "kind": kind, "period": period, "file": (io.BytesIO(text.encode("gbk")), name)},
        content_type="multipart/form-data",
    )


def confirm(client, preview_html: str, accept=False):
    fields = dict(re.findall(r'name="(token|filename|kind|period|csrf_token)"[^>]*value="([^"]*)"', preview_html))
    if accept:
        fields["accept_warnings"] = "y"
    return client.post("/disclosures/upload/confirm", data=fields)


def approve(client, batch_id: int):
    """The signed-in user's 审核通过并公开 of a batch; the response."""
    token = csrf_from(client.get("/disclosures/").text)
    return client.post(f"/disclosures/batches/{batch_id}/review", data={"csrf_token": token, "decision": "approve"})


def count_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def test_upload_preview_submit_review_publish(client, staff, login):
    login("kuaiji")
    preview = upload(client, GOOD)
    assert preview.status_code == 200
    assert "收入合计 1,000.00 元" in preview.text and "支出合计 120.50 元" in preview.text
    assert count_rows() == 0  # a preview stores nothing
    done = confirm(client, preview.text)
    assert done.status_code == 302
    batch = db.session.scalar(select(Batch))
    assert batch.status == BatchStatus.PENDING and batch.period == "2026-10" and count_rows() == 2
    logout(client)
    login("shenhe")
    page = client.get(f"/disclosures/batches/{batch.id}")
    assert "审核通过并公开" in page.text
    approve(client, batch.id)
    db.session.expire_all()
    assert db.session.get(Batch, batch.id).status == BatchStatus.PUBLISHED


def test_bad_file_shows_every_error_and_stores_nothing(client, staff, login):
    login("kuaiji")
    bad = HEADER + (
        "629901101201,2026-10-32,记2026-0001,支出,管理费用,办公用品,120.50,,\n"
        "629901101201,2026-10-06,记2026-0002,收入,管理费用,利息,-5,,\n"
    )
    response = upload(client, bad)
    assert response.status_code == 422
    assert "整个文件都没有导入" in response.text
    rows = re.findall(r'<td class="num">(\d+)</td><td>([^<]+)</td>', response.text)
    assert ("2", "日期") in rows and ("3", "科目") in rows and ("3", "金额") in rows
    assert count_rows() == 0 and db.session.scalar(select(func.count()).select_from(Batch)) == 0


def test_rows_outside_the_month_or_scope_are_refused(client, staff, login):
    login("kuaiji")
    outside = HEADER + "629901102201,2026-09-30,记2026-0001,支出,管理费用,办公用品,1,,\n"
    response = upload(client, outside)
    assert response.status_code == 422
    assert "村代码" in response.text and "日期" in response.text


def test_ledger_upload_needs_a_month(client, staff, login):
    login("kuaiji")
    response = upload(client, GOOD, period="")
    assert response.status_code == 422 and "请填写公开月份" in response.text


def test_a_hostile_file_is_refused_with_a_clear_message(client, staff, login):
    login("kuaiji")
    token = csrf_from(client.get("/disclosures/").text)
    response = client.post(
        "/disclosures/upload",
        data={
            "csrf_token": token,
            "kind": "ledger",
            "period": "2026-10",
            "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 100), "ledger.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "文件" in response.text


def test_reviewer_of_another_township_cannot_see_or_approve(client, staff, make_user, login):
    login("kuaiji")
    confirm(client, upload(client, GOOD).text)
    batch = db.session.scalar(select(Batch))
    logout(client)
    make_user("shenhe2", "reviewer", ["629901102000"])
    login("shenhe2")
    assert client.get(f"/disclosures/batches/{batch.id}").status_code == 404
    assert approve(client, batch.id).status_code == 404


def test_accountant_cannot_review_own_upload(client, staff, login):
    login("kuaiji")
    confirm(client, upload(client, GOOD).text)
    batch = db.session.scalar(select(Batch))
    assert approve(client, batch.id).status_code == 403


def test_correction_through_the_web(client, staff, login):
    login("kuaiji")
    confirm(client, upload(client, GOOD).text)
    batch = db.session.scalar(select(Batch))
    logout(client)
    login("shenhe")
    approve(client, batch.id)
    logout(client)
    login("kuaiji")
    row = db.session.scalar(select(LedgerEntry).where(LedgerEntry.voucher_no == "记2026-0001"))
    form = client.get(f"/disclosures/rows/ledger/{row.id}/correct")
    assert form.status_code == 200 and 'value="120.50"' in form.text
    missing_reason = client.post(
        f"/disclosures/rows/ledger/{row.id}/correct", data={"csrf_token": csrf_from(form.text), "金额": "125.50"}
    )
    assert missing_reason.status_code != 302
    values = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.text))
    values.update({"金额": "125.50", "reason": "发票金额录错", "csrf_token": csrf_from(form.text)})
    done = client.post(f"/disclosures/rows/ledger/{row.id}/correct", data=values)
    assert done.status_code == 302
    correction = db.session.scalar(select(Batch).where(Batch.is_correction.is_(True)))
    assert correction.reason == "发票金额录错" and correction.status == BatchStatus.PENDING


def test_month_without_entries_can_be_declared(client, staff, login):
    login("kuaiji")
    page = client.get("/disclosures/")
    assert "本月无收支" in page.text
    response = client.post(
        "/disclosures/empty-month",
        data={"csrf_token": csrf_from(page.text), "village": "629901101201", "period": "2026-10"},
    )
    assert response.status_code == 302
    batch = db.session.scalar(select(Batch))
    assert (batch.row_count, batch.period, batch.status) == (0, "2026-10", BatchStatus.PENDING)
    forbidden = client.post(
        "/disclosures/empty-month",
        data={"csrf_token": csrf_from(page.text), "village": "629901102201", "period": "2026-10"},
    )
    assert forbidden.status_code == 403


def test_the_calendar_offers_what_each_role_may_do(client, staff, make_user, login):
    # The page asks the permission the route asks: a township's administrator may declare an
    # empty month, a reviewer may not (neither sees a button the route would refuse).
    make_user("guanli", "admin", ["629901101000"])
    login("guanli")
    assert "本月无收支" in client.get("/disclosures/").text and "上传" in client.get("/disclosures/").text
    logout(client)
    login("shenhe")
    page = client.get("/disclosures/").text
    assert "本月无收支" not in page and 'name="file"' not in page


def test_accountant_enters_a_row_in_a_form(client, staff, login):
    login("kuaiji")
    page = client.get("/disclosures/enter/ledger")
    assert page.status_code == 200 and "凭证号" in page.text and "上东村" not in page.text
    row = {
        "csrf_token": csrf_from(page.text),
        "村代码": "629901101201",
        "日期": "2026/10/8",
        "凭证号": "记2026-0100",
        "收支": "支出",
        "科目": "公益支出",
        "摘要": "路灯维修",
        "金额": "￥1,200.00",
        "对方单位": "",
        "关联编号": "",
    }
    bad = client.post("/disclosures/enter/ledger", data=row | {"科目": "经营收入", "金额": "-1"})
    assert bad.status_code == 422 and "科目" in bad.text and "金额" in bad.text and count_rows() == 0
    outside = client.post("/disclosures/enter/ledger", data=row | {"村代码": "629901102201"})
    assert outside.status_code == 422 and count_rows() == 0
    done = client.post("/disclosures/enter/ledger", data=row)
    assert done.status_code == 302
    entry = db.session.scalar(select(LedgerEntry))
    assert (entry.summary, str(entry.amount), entry.published) == ("路灯维修", "1200.00", False)
    assert client.get("/disclosures/enter/nonsense").status_code == 404


def test_a_scoped_admin_writes_disclosures_only_in_its_scope(client, staff, make_user, login):
    from support import publish_ledger_row

    make_user("town_admin", "admin", ["629901101000"])
    far_row = publish_ledger_row("629901102201")
    pending = publish_ledger_row("629901102201", voucher_no="记-2")
    db.session.get(Batch, pending.batch_id).status = BatchStatus.PENDING
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Batch))
    login("town_admin")
    token = csrf_from(client.get("/disclosures/").text)
    far_file = HEADER + "629901102201,2026-10-05,记2026-0001,支出,管理费用,办公用品,1,,\n"
    refused = upload(client, far_file)
    assert refused.status_code == 422 and "村代码" in refused.text
    assert (
        client.post(
            "/disclosures/empty-month", data={"csrf_token": token, "village": "629901102201", "period": "2026-10"}
        ).status_code
        == 403
    )
    entered = client.post(
        "/disclosures/enter/ledger",
        data={
            "csrf_token": token,
            "村代码": "629901102201",
            "日期": "2026/10/8",
            "凭证号": "记2026-0100",
            "收支": "支出",
            "科目": "公益支出",
            "摘要": "路灯维修",
            "金额": "12",
            "对方单位": "",
            "关联编号": "",
        },
    )
    assert entered.status_code == 422
    assert client.get(f"/disclosures/rows/ledger/{far_row.id}/correct").status_code == 404
    assert approve(client, pending.batch_id).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Batch)) == before
    assert db.session.get(Batch, pending.batch_id).status == BatchStatus.PENDING
    # Inside its township it works as before.
    assert upload(client, GOOD).status_code == 200
    assert (
        client.post(
            "/disclosures/empty-month", data={"csrf_token": token, "village": "629901101201", "period": "2026-10"}
        ).status_code
        == 302
    )


ID_NUMBER, ACCOUNT = "62990119901204372X", "6228134334229042052"
SUBSIDIES = (
    "村代码,补贴项目,发放年月,姓名,身份证号,金额,发放日期,银行账号\n"
    f"629901101201,最低生活保障金,2026-10,段凤,{ID_NUMBER},650.00,2026-10-15,{ACCOUNT}\n"
)


def staged_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / "staging"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_a_staged_roster_is_encrypted_and_gone_once_confirmed(app, client, staff, login):
    login("kuaiji")
    preview = upload(client, SUBSIDIES, period="", kind="subsidies", name="低保.csv")
    assert preview.status_code == 200
    [staged] = staged_files(app)
    on_disk = staged.read_bytes()
    for secret in (ID_NUMBER, ACCOUNT, "段凤"):  # in clear neither as text nor as the uploaded GBK
        assert secret.encode() not in on_disk and secret.encode("gbk") not in on_disk
    assert confirm(client, preview.text).status_code == 302
    assert staged_files(app) == [] and db.session.scalar(select(func.count()).select_from(Batch)) == 1


def test_cancel_deletes_the_staged_upload(app, client, staff, login):
    login("kuaiji")
    preview = upload(client, SUBSIDIES, period="", kind="subsidies", name="低保.csv")
    assert "取消" in preview.text and len(staged_files(app)) == 1
    fields = dict(re.findall(r'name="(token|csrf_token)"[^>]*value="([^"]*)"', preview.text))
    cancelled = client.post("/disclosures/upload/cancel", data=fields)
    assert cancelled.status_code == 302 and "已取消" in client.get("/disclosures/").text
    assert staged_files(app) == [] and db.session.scalar(select(func.count()).select_from(Batch)) == 0
    assert "已过期" in client.get(confirm(client, preview.text).headers["Location"]).text  # nothing left to confirm


def test_a_confirm_refused_on_second_check_deletes_the_staged_upload(app, client, staff, login):
    login("kuaiji")
    preview = upload(client, GOOD)
    assert confirm(client, upload(client, GOOD).text).status_code == 302  # the same vouchers, submitted first
    assert confirm(client, preview.text).status_code == 422  # their numbers are taken now
    assert staged_files(app) == []


def _id_ending_in_000() -> str:
    """A sound ID number whose last three characters are 000: real people have them, and so does
    an ID Excel cut to 15 digits whose check digit happens to fit."""
    from stdnum.iso7064 import mod_11_2

    for sequence in range(100, 1000):
        stem = f"62990119800101{sequence:03d}"[:-2] + "00"
        if mod_11_2.calc_check_digit(stem) == "0":
            return stem + "0"
    raise AssertionError("no such number")


def test_typed_rows_and_corrections_confirm_warnings_instead_of_refusing(client, staff, login):
    from disclosures.models import SubsidyPayment
    from disclosures.services import approve_batch
    from core.users.models import User

    login("kuaiji")
    page = client.get("/disclosures/enter/subsidies")
    row = {
        "csrf_token": csrf_from(page.text),
        "村代码": "629901101201",
        "补贴项目": "高龄津贴",
        "发放年月": "2026-10",
        "姓名": "王五",
        "身份证号": _id_ending_in_000(),
        "金额": "100",
        "发放日期": "2026-10-20",
        "银行账号": "",
    }
    asked = client.post("/disclosures/enter/subsidies", data=row)
    assert asked.status_code == 422 and "末三位为000" in asked.text and 'name="accept_warnings"' in asked.text
    assert db.session.scalar(select(func.count()).select_from(SubsidyPayment)) == 0
    assert client.post("/disclosures/enter/subsidies", data=row | {"accept_warnings": "y"}).status_code == 302
    payment = db.session.scalar(select(SubsidyPayment))
    approve_batch(
        db.session.get(Batch, payment.batch_id),
        reviewer=db.session.scalar(select(User).where(User.username == "shenhe")),
    )
    form = client.get(f"/disclosures/rows/subsidies/{payment.id}/correct")
    values = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.text))
    values.update({"金额": "120", "reason": "金额录错", "csrf_token": csrf_from(form.text)})
    asked = client.post(f"/disclosures/rows/subsidies/{payment.id}/correct", data=values)
    assert asked.status_code == 422 and "末三位为000" in asked.text
    assert db.session.scalar(select(func.count()).select_from(Batch).where(Batch.is_correction.is_(True))) == 0
    done = client.post(f"/disclosures/rows/subsidies/{payment.id}/correct", data=values | {"accept_warnings": "y"})
    assert done.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Batch).where(Batch.is_correction.is_(True))) == 1


def _published_ledger(client, login):
    login("kuaiji")
    confirm(client, upload(client, GOOD).text)
    batch = db.session.scalar(select(Batch))
    approve_batch(batch, reviewer=db.session.scalar(select(User).where(User.username == "shenhe")))
    logout(client)
    return db.session.scalar(select(LedgerEntry).where(LedgerEntry.voucher_no == "记2026-0001"))


def test_the_reviewer_sees_a_withdrawal_as_one_not_as_a_new_expense(client, staff, login):
    expense = _published_ledger(client, login)
    withdrawal = correct_row(expense, new_values=None, reason="重复入账", by=None)
    login("shenhe")
    page = client.get(f"/disclosures/batches/{withdrawal.id}").text
    assert "撤回</span>，原因：重复入账" in page and "第2行：撤回" in page
    assert "<del>记2026-0001</del>" in page and "<del>120.50</del>" in page  # the old values, struck out
    assert "<ins>" not in page and page.count("（撤回）") == 7  # nothing new in their place
    assert "支出合计减少 120.50 元" in page and "收入合计不变" in page
    assert "支出合计 120.50 元" not in page  # summed as an upload's rows, it would read as a new expense
    assert "审核通过并公开" in page


def test_the_reviewer_sees_a_correction_old_against_new(client, staff, login):
    expense = _published_ledger(client, login)
    fixed = {
        "row_number": expense.row_number,
        "entry_on": expense.entry_on,
        "month": expense.month,
        "year": expense.year,
        "voucher_no": expense.voucher_no,
        "direction": "expense",
        "category": expense.category,
        "summary": "办公用品及耗材",
        "amount": Decimal("125.50"),
        "counterparty": expense.counterparty,
        "link_code": "",
    }
    correction = correct_row(expense, new_values=fixed, reason="发票金额录错", by=None)
    login("shenhe")
    page = client.get(f"/disclosures/batches/{correction.id}").text
    assert "更正</span>，原因：发票金额录错" in page and "第2行：更正" in page
    assert "<del>120.50</del>" in page and "<ins>125.50</ins>" in page
    assert "<del>办公用品</del>" in page and "<ins>办公用品及耗材</ins>" in page
    assert "支出合计增加 5.00 元" in page and "收支相抵减少 5.00 元" in page
    assert "支出合计 125.50 元" not in page
