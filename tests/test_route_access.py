"""Every route × every role, anonymous included. A new route without an entry here fails."""
import pytest
from support import csrf_from

from core.users.models import Role

PUBLIC = "public"
ANY_STAFF = frozenset(Role)

# endpoint → who may use it (PUBLIC, or the set of roles).
ACCESS = {
    "static": PUBLIC,
    "portal.index": PUBLIC,
    "portal.region": PUBLIC,
    "portal.search": PUBLIC,
    "portal.text_size": PUBLIC,
    "portal.ledger": PUBLIC,
    "portal.subsidies": PUBLIC,
    "portal.projects": PUBLIC,
    "portal.project": PUBLIC,
    "portal.contracts": PUBLIC,
    "portal.revisions": PUBLIC,
    "portal.report": PUBLIC,
    "portal.table_download": PUBLIC,
    "portal.ledger_pdf": PUBLIC,
    "portal.subsidies_pdf": PUBLIC,
    "portal.lookup": PUBLIC,
    "portal.kiosk_start": PUBLIC,
    "portal.kiosk_exit": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": ANY_STAFF,
    "admin.home": ANY_STAFF,
    "admin.users": {Role.ADMIN},
    "admin.user_new": {Role.ADMIN},
    "admin.user_edit": {Role.ADMIN},
    "admin.user_set_enabled": {Role.ADMIN},
    "admin.user_reset_password": {Role.ADMIN},
    "admin.audit": {Role.ADMIN},
    "admin.calendar": {Role.ADMIN},
    "disclosures.home": {Role.ACCOUNTANT, Role.REVIEWER, Role.HANDLER, Role.ADMIN},
    "disclosures.upload": {Role.ACCOUNTANT, Role.ADMIN},
    "disclosures.upload_confirm": {Role.ACCOUNTANT, Role.ADMIN},
    "disclosures.empty_month": {Role.ACCOUNTANT, Role.ADMIN},
    "disclosures.batch": {Role.ACCOUNTANT, Role.REVIEWER, Role.HANDLER, Role.ADMIN},
    "disclosures.review": {Role.REVIEWER, Role.ADMIN},
    "disclosures.correct": {Role.ACCOUNTANT, Role.ADMIN},
}

SCOPES = {
    Role.ACCOUNTANT: ["629901101201"],
    Role.REVIEWER: ["629901101000"],
    Role.HANDLER: ["629901000000"],
    Role.INSPECTOR: [],
    Role.ADMIN: [],
}


def test_every_route_has_an_access_entry(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - ACCESS.keys() == set(), "add the new routes to ACCESS"
    assert ACCESS.keys() - endpoints == set(), "ACCESS names routes that no longer exist"


def _published_ledger_row():
    """A published ledger row in 青山村, for the routes that take a batch or a row."""
    from datetime import date
    from decimal import Decimal

    from sqlalchemy import select

    from core.extensions import db
    from disclosures.models import Kind, LedgerEntry
    from disclosures.parsed import ParsedBatch, ParsedUpload
    from disclosures.services import stage_upload

    row = {"row_number": 2, "entry_on": date(2026, 10, 5), "month": "2026-10", "year": 2026,
           "voucher_no": "记-1", "direction": "expense", "category": "管理费用", "summary": "办公用品",
           "amount": Decimal("10.00"), "counterparty": "", "link_code": ""}
    stage_upload(ParsedUpload(Kind.LEDGER, "t.csv", [ParsedBatch("629901101201", Kind.LEDGER, "2026-10", [row])]),
                 uploader=None, publish=True)
    return db.session.scalar(select(LedgerEntry))


def _sample_url(app, rule, target_user_id: int, row) -> str:
    values = {"code": "629901101201", "user_id": target_user_id, "filename": "css/site.css",
              "project_no": "XM-001", "table": "ledger", "fmt": "csv",
              "batch_id": row.batch_id, "row_id": row.id, "kind": "ledger"}
    with app.test_request_context():
        return app.url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_route_access_matrix(app, client, township_tree, make_user, login, role):
    target = make_user("target", role="handler", regions=["629901000000"])
    row = _published_ledger_row()
    if role is not None:
        make_user("actor", role=role.value, regions=SCOPES[role])
        assert login("actor").status_code == 302
    # A valid CSRF token on every POST, so that what is tested is the role check behind it.
    token = csrf_from(client.get("/admin/" if role else "/staff/login").text)
    # Sign-out last: it ends the session the other checks run in.
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "auth.logout"):
        allowed = ACCESS[rule.endpoint]
        url = _sample_url(app, rule, target.id, row)
        method = "GET" if "GET" in rule.methods else "POST"
        with client.open(url, method=method, data={"csrf_token": token}) as response:
            status = response.status_code
        if allowed == PUBLIC:
            assert status < 500 and status not in (401, 403), (rule.endpoint, status)
        elif role is None:
            assert status == 302, (rule.endpoint, status)  # to the login page
        elif role in allowed:
            assert status not in (401, 403, 404, 500), (rule.endpoint, role, status)
        else:
            assert status == 403, (rule.endpoint, role, status)
