"""Rules run by themselves after a published import or a roster import, in the background: in a
thread of the app process, or on RQ over Redis when a queue URL is configured."""

import re
import shutil
import socket
import subprocess
import time

import pytest
from rule_rows import V1, payment, person
from sqlalchemy import select
from support import IN_CI

from core.extensions import db

A = person(1)


def runs():
    from rules.models import RuleRun

    return db.session.scalars(select(RuleRun).order_by(RuleRun.id)).all()


def test_a_roster_uploaded_on_the_web_starts_a_run_in_a_thread(
    app, client, county, subsidies, make_user, login, open_warnings
):
    from rule_rows import upload_roster

    subsidies(V1, payment(A))
    app.config.update(RULES_AUTORUN=True, RULES_BACKGROUND=True)
    make_user("guanli", role="admin")
    login("guanli")
    preview = upload_roster(client, "deceased", f"姓名,身份证号,死亡日期\n甲,{A},2026-01-05\n")
    fields = dict(re.findall(r'name="(csrf_token|token|filename|kind)"[^>]*value="([^"]*)"', preview.text))
    assert client.post("/admin/rosters/confirm", data=fields).status_code == 302
    threads = app.extensions.get("rule_threads", [])
    assert len(threads) == 1
    threads[0].join(timeout=60)
    db.session.expire_all()
    [run] = runs()
    assert (run.trigger, run.state, run.requested_at is not None) == ("roster", "succeeded", True)
    assert open_warnings() == {("DECEASED_RECIPIENT", V1, A)}


def test_imports_while_a_run_waits_share_it(app, county, subsidies, roster):
    from rules.jobs import request_run

    app.config.update(RULES_AUTORUN=True)
    app.config["RULES_BACKGROUND"] = True
    app.config["RULES_QUEUE_URL"] = "redis://127.0.0.1:1/0"  # never reached: the waiting run is reused
    from rules.runs import queue_run

    waiting = queue_run(trigger="disclosure")
    assert request_run(trigger="roster").id == waiting.id
    assert len(runs()) == 1


@pytest.fixture
def redis_url():
    server = shutil.which("redis-server")
    if server is None:
        if IN_CI:
            pytest.fail("redis-server not found (Debian package redis-server): required when CI=true")
        pytest.skip("redis-server not found (Debian package redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            with socket.socket() as attempt:
                if attempt.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_with_a_queue_url_a_roster_import_queues_an_rq_job_for_the_worker(
    app, county, subsidies, roster, redis_url, open_warnings
):
    from rules.jobs import work

    subsidies(V1, payment(A))
    app.config.update(RULES_AUTORUN=True, RULES_BACKGROUND=True, RULES_QUEUE_URL=redis_url)
    roster("deceased", f"姓名,身份证号,死亡日期\n甲,{A},2026-01-05\n")
    assert "rule_threads" not in app.extensions
    [run] = runs()
    assert (run.trigger, run.state) == ("roster", "queued")
    work(redis_url, burst=True)  # what `flask rules worker` does, until the queue is empty
    db.session.expire_all()
    assert runs()[0].state == "succeeded"
    assert open_warnings() == {("DECEASED_RECIPIENT", V1, A)}


def test_a_queued_run_is_done_once_by_a_worker_on_another_host_even_when_delivered_twice(
    app, county, subsidies, roster, redis_url, make_app, database_uri, open_warnings
):
    from redis import Redis
    from rq import Queue

    from core.audit import AuditEntry
    from core.background import run_job
    from rules.jobs import QUEUE_NAME, perform, work

    subsidies(V1, payment(A))
    app.config.update(RULES_AUTORUN=True, RULES_BACKGROUND=True, QUEUE_URL=redis_url)
    roster("deceased", f"姓名,身份证号,死亡日期\n甲,{A},2026-01-05\n")
    [run] = runs()
    assert run.state == "queued" and "rule_threads" not in app.extensions
    # The same job once more, as RQ does with the job of a worker that died, or an operator's requeue.
    Queue(QUEUE_NAME, connection=Redis.from_url(redis_url)).enqueue(run_job, perform, run.id)
    other_host = make_app(database_uri, QUEUE_URL=redis_url)
    with other_host.app_context():
        work(redis_url, burst=True)
    db.session.expire_all()
    assert [run.state for run in runs()] == ["succeeded"]
    assert db.session.scalars(select(AuditEntry.target_id).where(AuditEntry.action == "rules.run")).all() == [
        str(run.id)
    ]
    assert open_warnings() == {("DECEASED_RECIPIENT", V1, A)}


def test_an_import_from_the_shell_runs_the_rules_before_it_exits(app, cli, county, tmp_path, open_warnings):
    app.config.update(RULES_AUTORUN=True, RULES_BACKGROUND=True)
    roster_file = tmp_path / "deceased.csv"
    roster_file.write_text(f"姓名,身份证号,死亡日期\n甲,{A},2026-01-05\n", encoding="utf-8")
    subsidies_file = tmp_path / "subsidies.csv"
    subsidies_file.write_text(
        f"村代码,补贴项目,发放年月,姓名,身份证号,金额,发放日期\n{V1},最低生活保障金,2026-09,甲,{A},500.00,2026-09-15\n",
        encoding="utf-8",
    )
    assert cli.invoke(args=["rosters", "import", "deceased", str(roster_file)]).exit_code == 0
    assert cli.invoke(args=["disclosures", "import", "subsidies", str(subsidies_file), "--publish"]).exit_code == 0
    assert "rule_threads" not in app.extensions
    assert [(run.trigger, run.state) for run in runs()] == [("roster", "succeeded"), ("disclosure", "succeeded")]
    assert open_warnings() == {("DECEASED_RECIPIENT", V1, A)}
