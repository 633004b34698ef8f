"""A reviewer on a phone opens a withdrawal waiting for review: it says 撤回, shows what was
published, and the totals go down, not up."""

from datetime import date
from decimal import Decimal

from disclosures.models import Kind
from disclosures.parsed import ParsedBatch, ParsedUpload
from disclosures.services import correct_row, stage_upload

PASSWORD = "pw-for-tests-1"  # pragma: allowlist secret (a test account)


def test_a_reviewer_reads_a_withdrawal(township_tree, make_user, phone, live_server, visit):
    make_user("shenhe", "reviewer", ["629901101000"])
    row = {
        "row_number": 7,
        "entry_on": date(2026, 10, 5),
        "month": "2026-10",
        "year": 2026,
        "voucher_no": "记2026-0007",
        "direction": "expense",
        "category": "管理费用",
        "summary": "村道路灯电费",
        "amount": Decimal("1234.50"),
        "counterparty": "县供电公司",
        "link_code": "",
    }
    [batch] = stage_upload(
        ParsedUpload(Kind.LEDGER, "10月.xlsx", [ParsedBatch("629901101201", Kind.LEDGER, "2026-10", [row])]),
        uploader=None,
        publish=True,
    )
    withdrawal = correct_row(batch_rows_first(batch), new_values=None, reason="重复入账，撤回", by=None)
    phone.goto(f"{live_server}/staff/login")
    phone.get_by_label("用户名").fill("shenhe")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{live_server}/admin/")
    visit(phone, f"/disclosures/batches/{withdrawal.id}", "withdrawal")
    text = phone.locator("main").inner_text()
    assert "第7行：撤回" in text and "支出合计减少 1,234.50 元" in text and "村道路灯电费" in text
    assert phone.get_by_role("button", name="审核通过并公开").is_visible()


def batch_rows_first(batch):
    from core.extensions import db
    from disclosures.queries import batch_rows

    return db.session.scalars(batch_rows(batch)).first()
