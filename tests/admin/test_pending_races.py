"""Two requests racing past the services' own check: the database's partial unique indexes
(migration 0020) let one through, and the other gets the services' refusal, not an error page."""

import pytest
from sqlalchemy import func, select
from factories import new_case

from admin.cases import actions, identity, referrals
from admin.cases.actions import CaseError
from admin.models import ClockExtension, IdentityRequest
from core.extensions import db


@pytest.fixture
def handler(township_tree, make_user):
    return make_user("handler", "handler", ["629901101000"])


@pytest.fixture
def case(handler):
    found = new_case(real_name=True)
    actions.reply(found, "first_reply", "已收到，正在核实", by=handler)
    return found


def test_a_second_pending_identity_request_is_refused_even_past_the_check(case, handler, monkeypatch):
    identity.request_identity(case, "需电话核实", by=handler)
    monkeypatch.setattr(identity, "_request_of", lambda *args: None)  # as if both checked at once
    with pytest.raises(CaseError, match="已提出过申请"):
        identity.request_identity(case, "需电话核实", by=handler)
    assert db.session.scalar(select(func.count()).select_from(IdentityRequest)) == 1


def test_a_second_pending_extension_is_refused_even_past_the_check(case, handler, monkeypatch):
    referrals.request_extension(case, 10, "需调取乡镇账目", by=handler)
    monkeypatch.setattr(referrals, "_pending", lambda target: False)
    with pytest.raises(CaseError, match="等待审批"):
        referrals.request_extension(case, 10, "需调取乡镇账目", by=handler)
    assert db.session.scalar(select(func.count()).select_from(ClockExtension)) == 1
