"""Every form the app answers a POST on, public and staff, given generated input (any Unicode,
control characters, numbers and ids past 2^63, dates like 0000-01 and 9999-12-31, files of any
bytes and spreadsheets of odd cells): never a 500, and a refusal (a 4xx) writes nothing.

The routes come from the app's url_map and the fields from what each view reads, so a new form
is fuzzed without an entry here. Each field gets a value one of the app's pages offers for it
(a select's options, a hidden ticket) or a generated one; the CSRF token is always valid, so that
what is fuzzed is the form behind it. A case form is posted on a case in the state it needs
(States), and a staged upload's form with a file staged for it, so that the service behind the
form is reached too. HYPOTHESIS_PROFILE sets the inputs per form (tests/fuzzing.py)."""

import os
import re

import pyotp
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import csrf_from
from test_route_access import ACCESS, PUBLIC, _sample_url

from core.extensions import db
from core.users.models import Role
from fuzzing import (
    RecordingMultiDict,
    RowCounts,
    field_values,
    file_field_names,
    half_and_half,
    harvest,
    record_parameters,
    save_tally,
    tally,
    tally_answer,
    uploads,
)

VILLAGE = "629901101201"
# Sign-out ends the session the other forms are posted in; it has no field but the CSRF token.
SKIPPED = {"auth.logout"}
# Who posts each public form: a villager tracking a case, or someone halfway through signing in.
PUBLIC_POSTERS = {"auth.enrol": "enrolling", "auth.code": "second_factor"}
# Whose pages offer the values a form's fields are given: an administrator's, a handler's case
# pages (an administrator only looks at a case) and a villager's tracking pages.
HARVEST = {
    "admin": ("admin.", "auth.", "complaints_staff.", "disclosures.", "portal.", "rounds_admin.", "rules."),
    "lead": ("admin.case",),
    "villager": ("complaints.",),
}
NOT_PAGES = ("pdf", "_poster", "export", "download")
# Values no page offers until a request waits (its buttons) or that a number input shows empty.
TYPED = {
    "period": {"2026-11"},
    "filename": {"台账.csv"},
    "decision": {"approve", "deny"},
    "extension_days": {"1", "30"},
    "referral_extension_days": {"1", "15"},
}
STAGED_LEDGER = (
    f"村代码,日期,凭证号,收支,科目,摘要,金额,对方单位,关联编号\n{VILLAGE},2026-11-05,记-9,支出,管理费用,办公用品,1,,\n"
)
STAGED_ROSTER = "姓名,身份证号,死亡日期\n甲,110105194912310021,2026-01-05\n"
TOTP_KEY = re.compile(r'<code class="totp-key">([A-Z2-7 ]+)</code>')


class Posters:
    """A client signed in as a form's user: staff sessions are kept from form to form, a villager's
    and a half-done sign-in are fresh for each, so that no form leaves them a case tracked or left."""

    def __init__(self, app, twofa_app, case):
        self.app, self.twofa_app, self.case = app, twofa_app, case
        self.totp_key = self._enrol("enrolled")
        self.staff = {}

    def _sign_in(self, app, username: str):
        client = app.test_client()
        page = client.get("/staff/login")
        client.post(
            "/staff/login",
            data={
                "username": username,
                "password": "pw-for-tests-1",  # pragma: allowlist secret
                "csrf_token": csrf_from(page.text),
            },
        ).close()
        return client

    def _enrol(self, username: str) -> str:
        client = self._sign_in(self.twofa_app, username)
        page = client.get("/staff/login/enrol")
        key = TOTP_KEY.search(page.text).group(1).replace(" ", "")
        client.post(
            "/staff/login/enrol", data={"code": pyotp.TOTP(key).now(), "csrf_token": csrf_from(page.text)}
        ).close()
        return key

    def client(self, who: str):
        if who in ("admin", "lead"):
            if who not in self.staff:
                self.staff[who] = self._sign_in(self.app, {"admin": "root", "lead": "lead"}[who])
            return self.staff[who]
        if who == "enrolling":
            return self._sign_in(self.twofa_app, "newcomer")
        if who == "second_factor":
            return self._sign_in(self.twofa_app, "enrolled")
        client = self.app.test_client()  # a villager who opened their case with its number and secret
        page = client.get("/track")
        client.post(
            "/track", data={"code": self.case.code, "secret": self.case.secret, "csrf_token": csrf_from(page.text)}
        ).close()
        return client


@pytest.fixture
def fuzz_world(app, make_app, database_uri, township_tree, make_user):
    """The app's POST routes on real objects, who posts each, and every value the app's pages offer
    for a field."""
    from complaints.models import Category, Channel
    from complaints.services import file_complaint
    from core.regions.models import Region
    from support import publish_ledger_row

    fuzz_app = make_app(database_uri, RATELIMIT_ENABLED=False)  # a limit would refuse before the form is read
    twofa_app = make_app(database_uri, RATELIMIT_ENABLED=False, STAFF_2FA_REQUIRED=True)
    record_parameters(fuzz_app)
    record_parameters(twofa_app)
    target = make_user("target", role="handler", regions=["629901000000"])
    for username in ("root", "newcomer", "enrolled"):
        make_user(username, "admin")
    row = publish_ledger_row(VILLAGE)
    villager_case = file_complaint(
        village=db.session.get(Region, VILLAGE),
        category=Category.FUNDS,
        text="账目不清",
        channel=Channel.WEB,
        identity=None,
    )
    posters = Posters(fuzz_app, twofa_app, villager_case)
    lead = make_user("lead", "handler", ["629901000000"], is_lead=True)
    offered: dict[str, set[str]] = {name: set(values) for name, values in TYPED.items()}
    for who, pages in HARVEST.items():
        client = posters.client(who)
        for rule in fuzz_app.url_map.iter_rules():
            if "GET" in rule.methods and rule.endpoint.startswith(pages) and not rule.endpoint.endswith(NOT_PAGES):
                with client.get(_sample_url(fuzz_app, rule, target.id, row)) as response:
                    if response.mimetype == "text/html":
                        harvest(response.text, offered)
    routes = []
    # Deletions last, so that the forms before them find what they edit.
    for rule in sorted(fuzz_app.url_map.iter_rules(), key=lambda rule: ("delete" in rule.endpoint, rule.endpoint)):
        if "POST" in rule.methods and rule.endpoint not in SKIPPED:
            allowed = ACCESS[rule.endpoint]
            who = (
                PUBLIC_POSTERS.get(rule.endpoint, "villager")
                if allowed == PUBLIC
                else "admin"
                if Role.ADMIN in allowed
                else "lead"
            )
            routes.append((rule.endpoint, _sample_url(fuzz_app, rule, target.id, row), who))
    return {
        "routes": routes,
        "offered": offered,
        "counts": RowCounts(db.engine),
        "posters": posters,
        "states": States(target, lead),
    }


class States:
    """What a form acts on, made for it so that its service is reached, not only its refusal.

    A case form gets a case of its own in the state the form needs (closed for 复查, a request
    waiting for an approval, a referral out for its answer), and a fresh one after it succeeds,
    since a case closed, merged or decided refuses the next input. A staged upload's form (preview,
    confirm, cancel) gets a freshly staged file for every input, since each of them may use it up.
    The second-factor form gets its account's backoff cleared before every input: after a few
    wrong codes the backoff answers 429 before the code is checked."""

    LIVE = "\x00live"  # an offered value that stands for the live one (a request, referral, token)
    STAGED = {
        "disclosures.upload_preview": "ledger",
        "disclosures.upload_confirm": "ledger",
        "disclosures.upload_cancel": "ledger",
        "rules.roster_confirm": "roster",
    }

    def __init__(self, requester, lead):
        from admin.models import Department

        self.requester, self.lead = requester, lead
        self.department = Department(county_code="629901000000", name="县农业农村局（模糊测试）")
        db.session.add(self.department)
        db.session.commit()
        self.department_id = self.department.id

    BACKOFF = {"auth.code": "enrolled"}  # the form, the account its half-done sign-in is of

    def wanted(self, endpoint: str, path: str) -> bool:
        return (
            endpoint in self.STAGED
            or endpoint in self.BACKOFF
            or ("/cases/" in path and endpoint != "admin.cases_bulk_assign")
        )

    def every_input(self, endpoint: str) -> bool:
        return endpoint in self.STAGED or endpoint in self.BACKOFF

    def fresh(self, endpoint: str, path: str) -> tuple[str, dict[str, str]]:
        """(the path to post to, the live values of the form's fields)."""
        if endpoint in self.BACKOFF:
            from sqlalchemy import select

            from core.users import backoff
            from core.users.models import User

            backoff.clear(db.session.scalar(select(User).where(User.username == self.BACKOFF[endpoint])))
            db.session.commit()
            return path, {}
        if endpoint in self.STAGED:
            from core import storage
            from disclosures.staging import STAGING, stage

            if self.STAGED[endpoint] == "ledger":
                return path, {"token": stage(STAGED_LEDGER.encode()), "kind": "ledger"}
            return path, {"token": storage.save(STAGING, STAGED_ROSTER.encode()), "kind": "deceased"}
        case_id, live = self._case(endpoint)
        return re.sub(r"/cases/\d+/", f"/cases/{case_id}/", path, count=1), live

    def _case(self, endpoint: str) -> tuple[int, dict[str, str]]:
        from admin.cases import actions, identity, referrals
        from complaints.models import Channel
        from factories import new_case

        action = endpoint.removeprefix("admin.case_")
        if action == "verify":  # only a warning (a rule's finding turned case) is verified
            case = _new_case(Channel.WARNING)
        else:
            case = new_case(real_name=action in ("identity_request", "identity_decide", "feedback"))
        live: dict[str, str] = {}
        if action in ("extension", "extension_decide"):
            actions.reply(case, "first_reply", "已受理", by=self.requester)
        if action == "extension_decide":
            live["request_id"] = str(referrals.request_extension(case, 30, "涉及多个部门", by=self.requester).id)
        if action == "identity_decide":
            live["request_id"] = str(identity.request_identity(case, "需电话联系核实细节", by=self.requester).id)
        if action in ("referral_answer", "referral_extension"):
            department = db.session.get(type(self.department), self.department_id)
            live["referral_id"] = str(referrals.refer(case, department, "请核查修路款去向", by=self.requester).id)
        if action in ("reopen", "feedback"):
            actions.close(case, "已核实，款项用于村道维修", "已解决", by=self.lead)
        if action == "merge":
            live["into_code"] = new_case().code
        db.session.commit()
        return case.id, live


def _new_case(channel):
    from sqlalchemy import select

    from complaints.models import Category, Complaint
    from complaints.services import file_complaint
    from core.regions.models import Region

    filed = file_complaint(
        village=db.session.get(Region, VILLAGE),
        category=Category.FUNDS,
        text="修路款去向不明",
        channel=channel,
        identity=None,
    )
    return db.session.scalar(select(Complaint).where(Complaint.code == filed.code))


def _fields_read(client, path: str, token: str, offered: dict[str, set[str]]) -> list[str]:
    """The names a view reads from a POST of its CSRF token alone, then (up to three rounds) of the
    names read so far with a value a page offers: a form that first asks which village shows its
    other fields once given one."""
    names: set[str] = set()
    for _ in range(3):
        data = {name: max(offered[name], key=len) for name in names if offered.get(name)}
        RecordingMultiDict.read.clear()
        client.post(path, data={**data, "csrf_token": token}).close()
        found = RecordingMultiDict.read - {"csrf_token"}
        if found <= names:
            break
        names |= found
    return sorted(names)


def _fuzz(endpoint: str, path: str, client, offered, counts: RowCounts, states: States | None) -> None:
    token = _token(client)
    live: dict[str, str] = {}
    if states is not None:
        path, live = states.fresh(endpoint, path)
    names = _fields_read(client, path, token, {**offered, **{name: {value} for name, value in live.items()}})
    if states is not None:  # finding the fields may have done what the form does: start again
        path, live = states.fresh(endpoint, path)
    files = file_field_names()
    strategies = {name: uploads(VILLAGE) if name in files else field_values(name, offered) for name in names}
    # A live field (the hidden request id or token a page would post) is there, and mostly live.
    required = {name: half_and_half(st.just(States.LIVE), strategies.pop(name)) for name in live if name in strategies}

    @given(st.fixed_dictionaries(required, optional=strategies))
    def post(data):
        nonlocal path, live
        tally(f"form {endpoint}")
        data = {name: live.get(name, value) if value == States.LIVE else value for name, value in data.items()}
        before = counts.read()
        shown = {name: value if not isinstance(value, tuple) else value[1] for name, value in data.items()}
        try:
            response = client.post(path, data={**data, "csrf_token": token})
        except Exception as error:  # noqa: BLE001  TESTING propagates what a server answers with a 500
            raise AssertionError(f"{endpoint} {path} {shown!r}: {error!r}") from error
        response.close()
        tally_answer(f"form {endpoint}", response.status_code)
        assert response.status_code < 500, f"{endpoint} {path} {shown!r}: {response.status_code}"
        if 400 <= response.status_code < 500:
            # A failed sign-in is counted on the account's row, never in a row of its own.
            changed = RowCounts.changed(before, counts.read())
            assert not changed, f"{endpoint} {path} {shown!r}: {response.status_code} but wrote {changed}"
        if states is not None and (states.every_input(endpoint) or response.status_code in (302, 303)):
            path, live = states.fresh(endpoint, path)

    post()


def _token(client) -> str:
    """A CSRF token of the client's session (tokens last an hour: one per form)."""
    for page in ("/staff/login", "/admin/", "/track/case"):  # the sign-in page redirects once signed in
        with client.get(page) as response:
            if 'name="csrf_token"' in response.text:
                return csrf_from(response.text)
    raise AssertionError("no page with a CSRF token")


def test_no_form_fails_or_writes_half_on_generated_input(fuzz_world):
    failures = []
    only = set(filter(None, os.environ.get("FUZZ_FORMS", "").split(",")))  # bench/fuzz_bench.py --forms
    for endpoint, path, who in fuzz_world["routes"]:
        if only and endpoint not in only:
            continue
        try:
            states = fuzz_world["states"] if fuzz_world["states"].wanted(endpoint, path) else None
            client = fuzz_world["posters"].client(who)
            _fuzz(endpoint, path, client, fuzz_world["offered"], fuzz_world["counts"], states)
        except AssertionError as failure:
            failures.append(str(failure).splitlines()[0][:400])
            save_tally(failures[-1:])
        save_tally([])  # form by form, so that a bench stopped early keeps what it ran
    assert not failures, "\n".join(failures)
