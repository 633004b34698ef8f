"""On a phone: the accountant's 工作台 → a template download → an upload previewed page by page;
the accountant sees a late subsidy roster on the 工作台 and follows it to the upload; a handler assigns two cases at once from the queue; a villager sees a project's site photo."""

import io
import re

from openpyxl import load_workbook
from factories import new_case
from support import stage_project

from complaints.models import Complaint
from core.extensions import db
from disclosures.importers.checking import TEMPLATES
from disclosures.models import Batch, Kind
from disclosures.parsed import ParsedBatch, ParsedUpload
from disclosures.services import approve_batch, stage_upload
from core.db import utcnow
from core.timezone import local_date
from disclosures.due import recent_months
from rule_rows import payment, person

PASSWORD = "pw-for-tests-1"  # pragma: allowlist secret (a test account)
HEADER = "村代码,日期,凭证号,收支,科目,摘要,金额,对方单位,关联编号\n"


def sign_in(phone, live_server, username: str) -> None:
    phone.goto(f"{live_server}/staff/login")
    phone.get_by_label("用户名").fill(username)
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{live_server}/admin/")


def test_accountant_downloads_a_template_and_pages_through_a_preview(
    township_tree, make_user, phone, live_server, visit, checkpoint, tmp_path
):
    make_user("kuaiji", "accountant", ["629901101201", "629901101202"])
    sign_in(phone, live_server, "kuaiji")
    visit(phone, "/admin/", "workbench")
    link = phone.get_by_role("link", name="收支明细导入模板（Excel）")
    with phone.expect_download() as download:
        link.click()
    saved = tmp_path / "ledger.xlsx"
    download.value.save_as(saved)
    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert list(rows[0]) == list(TEMPLATES[Kind.LEDGER].columns) and rows[1][0] == "629901101201"

    visit(phone, "/disclosures/", "upload-form")
    assert phone.locator("#period").get_attribute("type") == "month"
    csv = HEADER + "".join(
        f"{'629901101201' if n <= 60 else '629901101202'},2026-10-05,记-{n:04d},支出,管理费用,办公用品{n},1.00,,\n"
        for n in range(1, 121)
    )
    phone.locator("#kind").select_option("ledger")
    phone.locator("#period").fill("2026-10")
    phone.locator("#file").set_input_files(
        files=[{"name": "10月.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8")}]
    )
    phone.get_by_role("button", name="检查并预览").click()
    phone.wait_for_url(f"{live_server}/disclosures/upload")
    checkpoint(phone, "preview-page-1")
    table = phone.locator("table.preview-rows")
    assert "青山村" in phone.locator(".preview-batches").inner_text()
    assert "上东村" in phone.locator(".preview-batches").inner_text()
    assert "第1页 / 共3页" in phone.locator("main").inner_text() and "办公用品1\t" in table.inner_text() + "\t"
    phone.get_by_role("button", name="下一页").click()
    phone.wait_for_url(f"{live_server}/disclosures/upload/preview")
    checkpoint(phone, "preview-page-2")
    assert "第2页 / 共3页" in phone.locator("main").inner_text()
    assert "办公用品51" in table.inner_text() and "上东村" in table.inner_text()
    phone.get_by_role("button", name="下一页").click()
    phone.wait_for_load_state("load")
    assert "办公用品120" in phone.locator("table.preview-rows").inner_text()
    phone.get_by_role("button", name="确认提交").click()
    checkpoint(phone, "submitted")
    assert "已提交2个批次，共120行" in phone.locator("main").inner_text()


def test_accountant_follows_a_late_roster_from_the_workbench_to_its_upload(
    township_tree, make_user, phone, live_server, visit, checkpoint
):
    village = "629901101201"
    make_user("kuaiji", "accountant", [village])
    last, before, paid = recent_months(local_date(utcnow()))[:3]
    row = {"row_number": 2, "village_code": village, **payment(person(1), "最低生活保障金", paid)}
    stage_upload(
        ParsedUpload(Kind.SUBSIDIES, "t.csv", [ParsedBatch(village, Kind.SUBSIDIES, None, [row])]),
        uploader=None,
        publish=True,
    )
    phone.set_viewport_size({"width": 360, "height": 780})
    sign_in(phone, live_server, "kuaiji")
    checkpoint(phone, "workbench-late-roster")
    owed = phone.locator("table.owed tr", has_text="最低生活保障金").filter(has_text=before)
    assert "逾期未公开" in owed.inner_text()  # due by the 10th of last month
    owed.get_by_role("link", name=re.compile("去上传")).click()
    phone.wait_for_url(re.compile(r"/disclosures/\?"))
    checkpoint(phone, "upload-set-for-the-roster")
    assert f"要公开：青山村 {before} 补贴发放·最低生活保障金" in phone.locator("main").inner_text()
    assert phone.locator("#kind").input_value() == "subsidies"
    csv = "村代码,补贴项目,发放年月,姓名,身份证号,金额,发放日期,银行账号\n" + (
        f"{village},最低生活保障金,{before},张三,{person(1)},500.00,{before}-15,\n"
    )
    phone.locator("#file").set_input_files(
        files=[{"name": "低保.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8")}]
    )
    phone.get_by_role("button", name="检查并预览").click()
    phone.wait_for_url(f"{live_server}/disclosures/upload")
    checkpoint(phone, "roster-preview")
    phone.get_by_role("button", name="确认提交").click()
    phone.wait_for_load_state("load")
    assert "已提交1个批次，共1行" in phone.locator("main").inner_text()
    visit(phone, "/admin/", "workbench-after-upload")
    rows = phone.locator("table.owed tr", has_text="最低生活保障金")
    assert before not in " ".join(rows.all_inner_texts())  # waiting for review: no longer owed
    assert last in " ".join(rows.all_inner_texts())  # last month's is still owed


def test_handler_assigns_two_cases_at_once(township_tree, make_user, phone, live_server, visit, checkpoint):
    make_user("handler", "handler", ["629901101000"])
    colleague = make_user("colleague", "handler", ["629901101000"])
    first, second, third = new_case(), new_case(), new_case()
    sign_in(phone, live_server, "handler")
    visit(phone, "/admin/cases", "queue")
    # On a phone the filters are folded away behind one line.
    assert phone.locator("summary", has_text="筛选").is_visible() and not phone.locator("#status").is_visible()
    phone.get_by_label(f"勾选 {first.code}").check()
    phone.get_by_label(f"勾选 {second.code}").check()
    phone.get_by_label("把勾选的案件分派给").select_option(str(colleague.id))
    phone.get_by_role("button", name="分派勾选的案件").click()
    phone.wait_for_url(f"{live_server}/admin/cases")
    checkpoint(phone, "assigned")
    assert "已分派2件案件给 colleague" in phone.locator("main").inner_text()
    db.session.expire_all()
    assert [db.session.get(Complaint, case.id).assignee_id for case in (first, second, third)] == [
        colleague.id,
        colleague.id,
        None,
    ]
    phone.locator("summary", has_text="筛选").click()
    assert phone.locator("#status").is_visible()


def _site_photo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), (120, 160, 90))
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 500, 1100, 700), fill=(90, 90, 90))  # a road under construction, roughly
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


def test_project_page_shows_its_site_photo(township_tree, make_user, phone, live_server, visit, checkpoint):
    accountant = make_user("kuaiji", "accountant", ["629901101201"])
    reviewer = make_user("shenhe", "reviewer", ["629901101000"])
    batch = stage_project("629901101201", uploader=accountant)
    # The accountant adds the photo to the update while the batch waits for review.
    sign_in(phone, live_server, "kuaiji")
    visit(phone, f"/disclosures/batches/{batch.id}", "batch-pending")
    phone.locator("input[type=file][name=photo]").set_input_files(
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": _site_photo()}]
    )
    phone.get_by_label("照片说明（可不填）").fill("二组路段路基")
    phone.get_by_role("button", name="添加照片").click()
    phone.wait_for_load_state("load")
    checkpoint(phone, "batch-with-photo")
    assert "随本批次一起审核公开" in phone.locator("main").inner_text()
    assert phone.get_by_role("img", name="二组路段路基").evaluate("img => img.complete && img.naturalWidth") == 1200
    approve_batch(db.session.get(Batch, batch.id), reviewer=reviewer)
    visit(phone, "/r/629901101201/projects/XM-2026-007", "project-photo")
    image = phone.get_by_role("img", name="二组路段路基")
    image.scroll_into_view_if_needed()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 640  # the small copy; the link opens it whole
    assert "现场照片" in phone.locator("main").inner_text()
