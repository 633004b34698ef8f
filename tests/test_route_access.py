"""Every route × every role, anonymous included. A new route without an entry here fails."""
import pytest
from conftest import csrf_from

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


def _sample_url(app, rule, target_user_id: int) -> str:
    values = {"code": "629901101201", "user_id": target_user_id, "filename": "css/site.css"}
    with app.test_request_context():
        return app.url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_route_access_matrix(app, client, township_tree, make_user, login, role):
    target = make_user("target", role="handler", regions=["629901000000"])
    if role is not None:
        make_user("actor", role=role.value, regions=SCOPES[role])
        assert login("actor").status_code == 302
    # A valid CSRF token on every POST, so that what is tested is the role check behind it.
    token = csrf_from(client.get("/admin/" if role else "/staff/login").text)
    # Sign-out last: it ends the session the other checks run in.
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "auth.logout"):
        allowed = ACCESS[rule.endpoint]
        url = _sample_url(app, rule, target.id)
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
