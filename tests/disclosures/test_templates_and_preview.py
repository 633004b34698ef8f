"""Template downloads (the importer's own columns and an example row it accepts), and the upload
preview that names villages and pages through every row."""

import io
import re

import pytest
from openpyxl import load_workbook
from support import csrf_from

from disclosures.importers import validate_upload
from disclosures.importers.checking import TEMPLATES
from disclosures.models import Kind
from disclosures.template_files import EXAMPLES, template_workbook

HEADER = "村代码,日期,凭证号,收支,科目,摘要,金额,对方单位,关联编号\n"


@pytest.fixture
def staff(township_tree, make_user):
    make_user("kuaiji", "accountant", ["629901101201", "629901101202"])


@pytest.mark.parametrize("kind", list(Kind))
def test_each_template_has_the_importers_headers_and_an_example_it_accepts(client, staff, login, kind):
    login("kuaiji")
    response = client.get(f"/disclosures/templates/{kind.value}.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    response.headers["Content-Disposition"].encode("latin-1")  # a server sends headers as latin-1
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(TEMPLATES[kind].columns) and len(rows) == 2
    assert rows[1][0] == "629901101201"  # the downloader's own first village
    # The example row passes the very importer the accountant will upload it to.
    parsed = validate_upload(
        kind, response.data, "模板.xlsx", villages={"629901101201"}, period="2026-10" if kind == Kind.LEDGER else None
    )
    assert parsed.row_count == 1 and not parsed.warnings


def test_every_column_of_every_template_has_an_example_value():
    for kind, template in TEMPLATES.items():
        assert set(template.columns) - {"村代码"} == set(EXAMPLES[kind]), kind
        assert template_workbook(kind, "629901101201")[:2] == b"PK"


def test_a_template_asked_for_a_village_fills_its_example_with_it(client, staff, login):
    login("kuaiji")

    def example_village(query: str) -> str:
        data = client.get(f"/disclosures/templates/subsidies.xlsx{query}").data
        return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))[1][0]

    assert example_village("?village=629901101202") == "629901101202"  # a 工作台 row's village
    assert example_village("?village=629901102201") == "629901101201"  # outside the scope: ignored


def test_template_download_is_for_uploaders(client, staff, make_user, login):
    make_user("shenhe", "reviewer", ["629901101000"])
    login("shenhe")
    assert client.get("/disclosures/templates/ledger.xlsx").status_code == 403
    assert client.get("/disclosures/templates/nothing.xlsx").status_code == 404


def _ledger(rows: int) -> str:
    lines = [
        f"{'629901101201' if n <= rows // 2 else '629901101202'},2026-10-05,记-{n:04d},支出,管理费用,"
        f"办公用品{n},1.00,,\n"
        for n in range(1, rows + 1)
    ]
    return HEADER + "".join(lines)


def _upload(client, text: str):
    token = csrf_from(client.get("/disclosures/").text)
    return client.post(
        "/disclosures/upload",
        data={
            "csrf_token": token,
            "kind": "ledger",
            "period": "2026-10",
            "file": (io.BytesIO(text.encode("utf-8")), "10月.csv"),
        },
        content_type="multipart/form-data",
    )


def _fields(html: str) -> dict:
    return dict(re.findall(r'name="(token|filename|kind|period|csrf_token)"[^>]*value="([^"]*)"', html))


def test_preview_names_villages_and_pages_through_every_row(client, staff, login):
    login("kuaiji")
    first = _upload(client, _ledger(120))
    assert first.status_code == 200
    assert "青山村" in first.text and "上东村" in first.text  # names, not only codes
    assert "第1页 / 共3页" in first.text
    assert "办公用品1<" in first.text and "办公用品51<" not in first.text
    seen = set(re.findall(r"办公用品(\d+)<", first.text))
    for page in (2, 3):
        more = client.post("/disclosures/upload/preview", data=_fields(first.text) | {"page": page})
        assert more.status_code == 200 and f"第{page}页 / 共3页" in more.text
        seen |= set(re.findall(r"办公用品(\d+)<", more.text))
    assert seen == {str(n) for n in range(1, 121)}
    # Paging leaves the file staged: it can still be submitted.
    assert client.post("/disclosures/upload/confirm", data=_fields(first.text)).status_code == 302


def test_preview_paging_needs_the_form_token(client, staff, login):
    login("kuaiji")
    first = _upload(client, _ledger(60))
    fields = _fields(first.text)
    del fields["csrf_token"]
    assert client.post("/disclosures/upload/preview", data=fields | {"page": 2}).status_code == 400


def test_upload_month_is_a_month_picker(client, staff, login):
    login("kuaiji")
    page = client.get("/disclosures/").text
    assert re.search(r'<input[^>]*name="period"[^>]*type="month"|<input[^>]*type="month"[^>]*name="period"', page)
    assert "/disclosures/templates/subsidies.xlsx" in page


def test_accountant_workbench_links_every_template(client, staff, login):
    login("kuaiji")
    page = client.get("/admin/").text
    for kind in Kind:
        assert f"/disclosures/templates/{kind.value}.xlsx" in page
