"""The queue's 批量分派 (each case asked the single assignment's questions; all or none), its
folding filters, and the case page's link to the disclosed item a complaint is about."""

import re

import pytest
from sqlalchemy import func, select
from factories import new_case
from support import csrf_from, publish_ledger_row

from admin.cases import actions
from complaints.items import find_item
from complaints.models import CaseEvent, Complaint
from core.audit import AuditEntry
from core.extensions import db


@pytest.fixture
def people(township_tree, make_user):
    return {
        "handler": make_user("handler", "handler", ["629901101000"]),
        "colleague": make_user("colleague", "handler", ["629901101000"]),
        "far": make_user("far", "handler", ["629901102000"]),
        "inspector": make_user("xuncha", "inspector"),
    }


def assignees(*cases) -> list:
    db.session.expire_all()
    return [db.session.get(Complaint, case.id).assignee_id for case in cases]


def bulk(client, cases, assignee, **args):
    page = client.get("/admin/cases")
    query = "".join(f"&{k}={v}" for k, v in args.items())
    return client.post(
        f"/admin/cases/assign?{query.lstrip('&')}",
        data={"csrf_token": csrf_from(page.text), "assign_to": assignee, "case": [str(c) for c in cases]},
    )


def test_handler_assigns_several_cases_at_once(as_user, people):
    first, second, untouched = new_case(), new_case(), new_case()
    client = as_user("handler")
    page = client.get("/admin/cases").text
    assert page.count('name="case"') == 3 and 'form="bulk-assign"' in page
    response = bulk(client, [first.id, second.id], people["colleague"].id, status="received")
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/cases?status=received")
    assert assignees(first, second, untouched) == [people["colleague"].id, people["colleague"].id, None]
    # Each case got its own timeline entry and audit line, as a single assignment writes.
    for case in (first, second):
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(CaseEvent)
                .where(CaseEvent.complaint_id == case.id, CaseEvent.kind == "assigned")
            )
            == 1
        )
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "case.assign")) == 2
    )
    assert "已分派2件案件" in client.get("/admin/cases").text


def test_the_way_back_is_the_queue_on_this_site(as_user, people):
    # The query string is the queue's filters, never url_for's own options.
    response = bulk(
        as_user("handler"), [new_case().id], people["colleague"].id, _external="1", _scheme="http", _anchor="x"
    )
    assert response.status_code == 303 and response.headers["Location"] == "/admin/cases"


def test_a_case_out_of_scope_refuses_the_whole_request(as_user, people):
    mine, theirs = new_case(), new_case(village="629901102201")
    response = bulk(as_user("handler"), [mine.id, theirs.id], people["colleague"].id)
    assert response.status_code == 404
    assert assignees(mine, theirs) == [None, None]
    assert bulk(as_user("handler"), [mine.id, 2**31], people["colleague"].id).status_code == 400
    assert bulk(as_user("handler"), [mine.id, 999999], people["colleague"].id).status_code == 404
    assert assignees(mine) == [None]


def test_one_case_that_cannot_be_assigned_refuses_all(as_user, people):
    first, closed = new_case(), new_case()
    actions.close(closed, "已查实并整改", "属实", by=people["handler"])
    client = as_user("handler")
    response = bulk(client, [first.id, closed.id], people["colleague"].id)
    assert response.status_code == 303
    assert assignees(first) == [None]  # the first was not assigned before the second was refused
    assert f"{closed.code}：已办结或已合并的案件不能再进行此操作，所选案件都未分派" in client.get("/admin/cases").text
    # A colleague whose scope does not reach the cases is not among the choices.
    assert bulk(client, [first.id], people["far"].id).status_code == 400
    assert assignees(first) == [None]


def test_bulk_assign_needs_csrf_and_a_worker(as_user, people):
    case = new_case()
    client = as_user("handler")
    client.get("/admin/cases")
    response = client.post("/admin/cases/assign", data={"assign_to": people["colleague"].id, "case": [case.id]})
    assert response.status_code == 400 and assignees(case) == [None]
    assert 'name="case"' not in as_user("inspector").get("/admin/cases").text


def test_queue_filters_fold_behind_a_summary(as_user, people):
    new_case()
    client = as_user("handler")
    plain = client.get("/admin/cases").text
    assert re.search(r'<details class="card filter-fold" data-open-from="700">\s*<summary>筛选</summary>', plain)
    filtered = client.get("/admin/cases?status=received").text
    assert re.search(r"<details class=\"card filter-fold\" open", filtered), filtered[
        filtered.find("<details") : filtered.find("<details") + 120
    ]
    assert "filter-fold" in filtered.split("</footer>")[1]


def test_case_page_links_the_questioned_item(as_user, people):
    row = publish_ledger_row("629901101201", summary="购买办公桌椅")
    item = find_item("629901101201", f"ledger:{row.id}")
    case = new_case(item=item.snapshot)
    page = as_user("handler").get(f"/admin/cases/{case.id}").text
    assert "/r/629901101201/ledger?month=2026-10" in page
    assert f"/disclosures/batches/{row.batch_id}" in page
    plain = new_case()
    assert "在公开页面查看" not in as_user("handler").get(f"/admin/cases/{plain.id}").text
