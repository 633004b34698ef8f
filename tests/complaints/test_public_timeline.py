"""The public timeline names each entry as the staff see it (初步答复, 核查进展告知, 办理结果 with
its 定性, 移交, 延期), and shows nothing internal: no note, no department, no colleague's name."""

import re

import pytest
from sqlalchemy import select
from support import open_tracking

from admin.cases import actions, referrals
from admin.models import Department
from complaints.models import Category, Channel, Complaint
from complaints.services import file_complaint
from core.extensions import db
from core.regions.models import Region


@pytest.fixture
def handled(township_tree, make_user):
    """A case answered, told of progress, referred, extended and closed, as a handler does it."""
    handler = make_user("handler", "handler", ["629901101000"])
    handler.display_name = "李办事员"
    lead = make_user("lead", "handler", ["629901000000"], is_lead=True)
    filed = file_complaint(
        village=db.session.get(Region, "629901101201"),
        category=Category.FUNDS,
        text="村道维修款去向不明",
        channel=Channel.WEB,
        identity=None,
    )
    case = db.session.scalar(select(Complaint).where(Complaint.code == filed.code))
    department = Department(county_code="629901000000", name="县农业农村局")
    db.session.add(department)
    db.session.commit()
    actions.reply(case, "first_reply", "已收到，正在核实", by=handler)
    actions.note(case, "先问村会计", by=handler)
    actions.reply(case, "progress", "已调取账目", by=handler)
    referrals.refer(case, department, "请核查村道维修款", by=handler)
    referrals.decide_extension(referrals.request_extension(case, 30, "需要审计", by=handler), True, by=lead)
    actions.close(case, "经核查，款项已按规定使用", "部分属实", by=handler)
    return filed


def timeline_items(client, filed) -> list[str]:
    html = open_tracking(client, filed)
    return re.findall(r"<li.*?</li>", re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S).group(1), re.S)


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def timeline(client, filed) -> list[str]:
    return [plain(item) for item in timeline_items(client, filed)]


def test_each_public_entry_says_what_it_is(client, handled):
    items = timeline_items(client, handled)
    entries = [plain(item) for item in items]
    labels = [re.search(r"<strong>(.*?)</strong>", item).group(1) for item in items]
    assert labels == ["收到反映", "初步答复", "核查进展告知", "移交办理", "延期", "办理结果"]
    assert "定性：部分属实" in entries[-1] and "款项已按规定使用" in entries[-1]
    assert "需要审计" in entries[4]
    assert not any("定性" in entry for entry in entries[:-1])


def test_nothing_internal_reaches_the_public_timeline(client, handled):
    text = " ".join(timeline(client, handled))
    assert "先问村会计" not in text and "县农业农村局" not in text and "李办事员" not in text
    assert "内部" not in text and "转办：" not in text
