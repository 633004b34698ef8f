"""Work that should not hold up the request that caused it: on RQ over Redis when QUEUE_URL (or
its older name RULES_QUEUE_URL) is configured — `flask rules worker` takes the jobs of every queue
in QUEUES, on any host — else in a thread of the app process. A command without a request (an
import from the shell) would exit before a thread finished: there the work runs at once, after
the command's own.

A job may run on any host, and more than once (RQ requeues a job whose worker died; an operator
may requeue a failed one), so every job is idempotent and carries ids, never objects:
- a rule run (rules/jobs.py) is claimed by moving its row from queued to running in one
  statement; a second delivery finds it claimed and does nothing;
- a page warm-up (portal/warming.py) renders a village's pages into the page cache under keys
  that name the data's chain head: running it again writes the same entries.
A new kind of job (a notice to send) follows the same rule: record the work as a row first,
claim it with one conditional UPDATE (… WHERE sent_at IS NULL), and let a second run find nothing
to do. The deadline sweep is no job: every host's cron starts it and one runs (core/locks.py).
"""

import threading
from collections.abc import Callable

from flask import Flask, current_app, has_request_context

from core.extensions import db

QUEUES = ("rules", "portal")
JOB_TIMEOUT = 3600


def queue_url(config) -> str:
    """The Redis address of the job queues, or "" when work runs in the app process."""
    return config.get("QUEUE_URL") or config.get("RULES_QUEUE_URL") or ""


def dispatch(function: Callable, *args, queue: str) -> None:
    """Run function(*args) in the background, in an app context of its own."""
    app = current_app._get_current_object()
    url = queue_url(app.config)
    if url:
        from redis import Redis
        from rq import Queue

        Queue(queue, connection=Redis.from_url(url)).enqueue(run_job, function, *args, job_timeout=JOB_TIMEOUT)
    elif has_request_context():
        thread = threading.Thread(
            target=_run_in, args=(app, function, args), daemon=True, name=f"{queue}-{function.__name__}"
        )
        app.extensions.setdefault("background_threads", []).append(thread)
        thread.start()
    else:
        # At once, but in an app context (and so a database session) of its own: the work must
        # not end or detach the session of the command that caused it.
        _run_in(app, function, args)


def run_job(function: Callable, *args):
    """An RQ job, in the worker's app context: each job leaves no session behind for the next."""
    try:
        return function(*args)
    finally:
        db.session.remove()


def _run_in(app: Flask, function: Callable, args: tuple) -> None:
    with app.app_context():
        run_job(function, *args)
