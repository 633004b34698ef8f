"""`flask crypto rehash`: after a switch to the 国密 profile, the demo county's sealed fields and
their keyed hashes are redone in place, so 我的补贴 and the cross-check rules find people again;
an interrupted run continues where it stopped, and a second run changes nothing."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select, text
from support import csrf_from

from admin.rekey import SEALED_TABLES, rehash_table
from core.extensions import db
from core.fields import field_cipher
from disclosures.models import BatchStatus, SubsidyPayment


def _lookup(client, name: str, number: str) -> str:
    form = client.get("/lookup")
    page = client.post("/lookup", data={"name": name, "id_number": number, "csrf_token": csrf_from(form.text)})
    return page.text.split('id="result-heading">')[1].split("</section>")[0]


def _rehash(app, *args) -> str:
    with app.app_context():  # the command runs in the switched app, not in the test's
        result = app.test_cli_runner().invoke(args=["crypto", "rehash", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _tokens(app) -> dict[str, set[str]]:
    """The profile named by each sealed column's tokens, per column."""
    found = {}
    with app.app_context():
        for spec in SEALED_TABLES:
            for sealed in spec.fields:
                rows = db.session.execute(
                    text(
                        f"SELECT DISTINCT substr({sealed.cipher}, 1, 6) FROM {spec.name} "
                        f"WHERE {sealed.cipher} IS NOT NULL"
                    )
                )
                found[f"{spec.name}.{sealed.cipher}"] = {row[0] for row in rows}
    return found


@pytest.fixture
def database_uri(demo_database_uri):
    """The demo county (`flask demo`), built once per run."""
    return demo_database_uri


@pytest.fixture
def demo_county(app):
    """The demo county, plus a deceased roster naming one subsidy recipient and the rules run on it."""
    from rules.models import RunState
    from rules.rosters.models import RosterKind
    from rules.rosters.services import import_roster
    from rules.runs import run_rules

    payment = db.session.scalars(select(SubsidyPayment).order_by(SubsidyPayment.id)).first()
    number = field_cipher().decrypt(payment.id_cipher)
    import_roster(
        RosterKind("deceased"), f"姓名,身份证号,死亡日期\n{payment.name},{number},2000-01-01\n".encode(), "deceased.csv"
    )
    assert run_rules(as_of=date(2026, 11, 20), trigger="test").state == RunState.SUCCEEDED
    return payment.name, number


def _open_warnings(app) -> set[tuple[str, str, str]]:
    from rules.models import RuleWarning

    with app.app_context():
        return {
            tuple(row)
            for row in db.session.execute(
                select(RuleWarning.rule_code, RuleWarning.village_code, RuleWarning.subject_key).where(
                    RuleWarning.subject_cipher.is_not(None)
                )
            )
        }


def test_switching_to_the_sm_profile_keeps_lookups_working(app, make_app, database_uri, demo_county):
    name, number = demo_county
    assert "共查到" in _lookup(app.test_client(), name, number)
    warnings_before = _open_warnings(app)
    assert warnings_before  # the deceased recipient
    switched = make_app(database_uri, CRYPTO_PROFILE="sm")
    assert "未查到" in _lookup(switched.test_client(), name, number)  # what a switch did until now

    output = _rehash(switched, "--batch", "50")
    assert "全部字段已与当前加密方案一致" in output
    assert all(prefixes == {"v1:sm:"} for prefixes in _tokens(switched).values() if prefixes), _tokens(switched)
    assert "共查到" in _lookup(switched.test_client(), name, number)

    with switched.app_context():
        cipher = field_cipher()
        payment = db.session.scalars(select(SubsidyPayment).order_by(SubsidyPayment.id)).first()
        assert payment.id_hash == cipher.lookup_hash(number) and payment.public_ref == cipher.public_ref(number)
        # The warning keeps its subject (now hashed the new way), so a new run opens no second one.
        from rules.runs import run_rules

        run_rules(as_of=date(2026, 11, 20), trigger="test")
        from disclosures.chain import verify_chain
        from disclosures.models import Batch

        villages = set(db.session.scalars(select(Batch.village_code).where(Batch.status == BatchStatus.PUBLISHED)))
        assert all(verify_chain(village, cipher) == [] for village in villages)  # the chain hashes plain values
    after = _open_warnings(switched)
    assert len(after) == len(warnings_before) and after.isdisjoint(warnings_before)

    again = _rehash(switched)
    assert all(count == "0" for count in re.findall(r"本次完成 (\d+) 行", again)), again


def test_an_interrupted_run_continues_where_it_stopped(app, make_app, database_uri, demo_county):
    switched = make_app(database_uri, CRYPTO_PROFILE="sm")
    payments = next(spec for spec in SEALED_TABLES if spec.name == "subsidy_payments")

    class Interrupted(Exception):
        pass

    def stop_after_first_batch(progress):
        raise Interrupted

    with switched.app_context():
        total = db.session.scalar(select(func.count()).select_from(SubsidyPayment))
        with pytest.raises(Interrupted):
            rehash_table(payments, batch=40, on_batch=stop_after_first_batch)
    output = _rehash(switched, "--batch", "40")
    assert f"subsidy_payments：待处理 {total - 40} 行，本次完成 {total - 40} 行" in output
    assert "共查到" in _lookup(switched.test_client(), *demo_county)
