"""Rule runs in the background, so that an upload answers at once: on RQ over Redis when
QUEUE_URL (or RULES_QUEUE_URL) is configured (`flask rules worker` takes the jobs), else in a thread of the app
process. Runs that wait are coalesced: one queued run as of today serves every import before it."""

import threading
from datetime import timedelta

from flask import Flask, current_app, has_request_context
from sqlalchemy import select

from core.background import QUEUES, queue_url, run_job
from core.db import utcnow
from core.extensions import db
from rules.models import RuleRun, RunState
from rules.runs import execute_run, queue_run

QUEUE_NAME = "rules"
JOB_TIMEOUT = 3600
STALE = timedelta(minutes=30)


def request_run(*, trigger: str, by=None, as_of=None) -> RuleRun:
    """Queue a run and start it in the background; a run as of today still waiting is reused
    (one that has waited too long was lost with its process, and is not)."""
    if as_of is None:
        waiting = db.session.scalar(
            select(RuleRun)
            .where(RuleRun.state == RunState.QUEUED, RuleRun.as_of.is_(None), RuleRun.requested_at > utcnow() - STALE)
            .order_by(RuleRun.id)
            .limit(1)
        )
        if waiting is not None:
            return waiting
    run = queue_run(as_of=as_of, trigger=trigger, by=by)
    _dispatch(run.id)
    return run


def _dispatch(run_id: int) -> None:
    app = current_app._get_current_object()
    url = queue_url(app.config)
    # A command (an import from the shell) would exit before a thread finished: it runs the rules
    # itself, after its own work, unless a queue takes them.
    if not app.config["RULES_BACKGROUND"] or (not url and not has_request_context()):
        execute_run(run_id)
        return
    if url:
        from redis import Redis
        from rq import Queue

        Queue(QUEUE_NAME, connection=Redis.from_url(url)).enqueue(run_job, perform, run_id, job_timeout=JOB_TIMEOUT)
        return
    thread = threading.Thread(target=_perform_in, args=(app, run_id), name=f"rule-run-{run_id}", daemon=True)
    app.extensions.setdefault("rule_threads", []).append(thread)
    thread.start()


def _perform_in(app: Flask, run_id: int) -> None:
    with app.app_context():
        try:
            execute_run(run_id)
        finally:
            db.session.remove()


def perform(run_id: int) -> str:
    """The RQ job: run in the worker's app context (`flask rules worker`)."""
    return execute_run(run_id).state


def on_batches_published(sender, batch_ids) -> None:
    if current_app.config["RULES_AUTORUN"]:
        request_run(trigger="disclosure")


def on_roster_imported(sender, version_id) -> None:
    if current_app.config["RULES_AUTORUN"]:
        request_run(trigger="roster")


def work(url: str, *, burst: bool = False) -> None:
    """Take rule jobs (and the other background queues, core/background.py) from Redis in this
    process (no fork: the app's connection pool stays its own)."""
    from redis import Redis
    from rq import SimpleWorker

    class Worker(SimpleWorker):
        def subscribe(self):
            # As rq subscribes, but its control channel (stop a job) is read every second, not
            # every 60: redis-py 8 makes stopping that reader wait out its sleep, so each burst
            # run and each shutdown took a minute longer than the work.
            self.pubsub = self.connection.pubsub()
            self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
            self.pubsub_thread = self.pubsub.run_in_thread(
                sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler
            )

    Worker(list(QUEUES), connection=Redis.from_url(url)).work(burst=burst)
