"""Runs over time: idempotent, 已消除 when the condition goes, a handler's closing respected,
and a failed run that keeps nothing."""

from datetime import date

from rule_rows import V1, payment, person
from sqlalchemy import func, select

from core.extensions import db

A, B = person(1), person(2)


def warnings_of(rule: str):
    from rules.models import RuleWarning

    return db.session.scalars(select(RuleWarning).where(RuleWarning.rule_code == rule).order_by(RuleWarning.id)).all()


def evidence_count(warning) -> int:
    from rules.models import RuleEvidence

    return db.session.scalar(select(func.count()).where(RuleEvidence.warning_id == warning.id))


def test_a_second_run_adds_evidence_to_the_open_warning_and_duplicates_nothing(county, subsidies, run_rules):
    subsidies(V1, payment(A), payment(A))
    run_rules()
    run_rules()
    [warning] = warnings_of("DUPLICATE_PAYMENT")
    assert evidence_count(warning) == 2
    subsidies(V1, payment(A))  # a third payment for the same month
    run_rules()
    assert [w.id for w in warnings_of("DUPLICATE_PAYMENT")] == [warning.id]
    assert evidence_count(warning) == 3


def test_a_correction_makes_the_warning_cleared_not_deleted(county, subsidies, run_rules, open_warnings, make_user):
    from disclosures.models import SubsidyPayment
    from disclosures.services import approve_batch, correct_row

    subsidies(V1, payment(A), payment(A))
    run_rules()
    [warning] = warnings_of("DUPLICATE_PAYMENT")
    second = db.session.scalars(select(SubsidyPayment).order_by(SubsidyPayment.id)).all()[1]
    batch = correct_row(second, new_values=None, reason="重复录入，撤回", by=None)
    approve_batch(batch, reviewer=make_user("shenhe", role="reviewer", regions=["629901101000"]))
    done = run_rules()
    assert open_warnings() == set()
    db.session.refresh(warning)
    assert warning.complaint.classification == "已消除" and warning.complaint.status == "closed"
    assert warning.complaint.next_due_at is None
    assert done.counts_dict["DUPLICATE_PAYMENT"]["cleared"] == 1


def test_the_as_of_date_decides_what_holds(county, subsidies, run_rules, open_warnings):
    subsidies(V1, payment(A, month="2026-10"), payment(A, month="2026-10"))  # paid on 2026-10-15
    run_rules(as_of=date(2026, 10, 14))
    assert open_warnings() == set()
    run_rules(as_of=date(2026, 10, 15))
    assert open_warnings() == {("DUPLICATE_PAYMENT", V1, A)}
    run_rules(as_of=date(2026, 10, 14))  # looked at again as of the day before: it did not hold yet
    assert open_warnings() == set()
    run_rules(as_of=date(2026, 10, 15))  # and holds again: the same warning, back in the queue
    [warning] = warnings_of("DUPLICATE_PAYMENT")
    assert warning.complaint.status == "received" and warning.complaint.classification == ""


def test_a_warning_a_handler_closed_is_never_reopened_new_evidence_opens_a_linked_one(
    county, subsidies, run_rules, open_warnings, make_user
):
    from admin.cases.actions import close

    handler = make_user("chuli", role="handler", regions=["629901000000"])
    subsidies(V1, payment(A), payment(A))
    run_rules()
    [first] = warnings_of("DUPLICATE_PAYMENT")
    close(first.complaint, "经核查，系系统重复导出，已追回", "属实", by=handler)
    run_rules()
    assert warnings_of("DUPLICATE_PAYMENT") == [first] and open_warnings() == set()
    assert first.complaint.status == "closed" and first.complaint.classification == "属实"

    subsidies(V1, payment(A))  # new evidence on the same subject
    run_rules()
    first_again, second = warnings_of("DUPLICATE_PAYMENT")
    assert first_again.complaint.classification == "属实"
    assert second.previous_id == first.id and second.sequence == 2
    assert open_warnings() == {("DUPLICATE_PAYMENT", V1, A)}
    assert evidence_count(second) == 3


def test_a_failed_run_keeps_nothing_and_says_why(county, subsidies, monkeypatch, app):
    from rules import runs
    from rules.models import RuleWarning, RunState
    from rules.registry import BUILTIN, Rule

    def broken(_context):
        raise RuntimeError("规则查询出错")

    subsidies(V1, payment(A), payment(A))
    rules = {rule.code: rule for rule in BUILTIN} | {
        "BROKEN": Rule("BROKEN", 2, "身份证号", "坏", "坏", BUILTIN[0].category, broken)
    }
    monkeypatch.setattr(runs, "active_rules", lambda: rules)
    done = runs.run_rules(as_of=date(2026, 11, 20))
    assert done.state == RunState.FAILED and "规则查询出错" in done.error
    assert db.session.scalar(select(func.count()).select_from(RuleWarning)) == 0


def test_a_run_with_nothing_changed_is_skipped_until_something_changes(county, subsidies, run_rules, roster):
    from rules.runs import run_rules as run

    subsidies(V1, payment(A), payment(A))
    first = run_rules()
    again = run_rules()
    assert not first.skipped and again.skipped and again.fingerprint == first.fingerprint
    assert again.counts_dict["DUPLICATE_PAYMENT"]["open"] == 1
    assert run(as_of=date(2026, 11, 20), force=True).skipped is False
    roster("deceased", f"姓名,身份证号,死亡日期\n甲,{B},2026-01-05\n")
    assert run_rules().skipped is False  # a new roster version
    subsidies(V1, payment(B))
    changed = run_rules()
    assert changed.skipped is False and changed.counts_dict["DECEASED_RECIPIENT"]["new"] == 1
    assert run_rules(as_of=date(2026, 11, 21)).skipped is False  # another day
