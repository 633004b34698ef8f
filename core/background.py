"""Work that should not hold up the request that caused it: on RQ over Redis when
RULES_QUEUE_URL is configured (`flask rules worker` takes the jobs of every queue in QUEUES), else
in a thread of the app process. A command without a request (an import from the shell) would
exit before a thread finished: there the work runs at once, after the command's own."""
import threading
from collections.abc import Callable

from flask import Flask, current_app, has_request_context

from core.extensions import db

QUEUES = ("rules", "portal")
JOB_TIMEOUT = 3600


def dispatch(function: Callable, *args, queue: str) -> None:
    """Run function(*args) in the background, in an app context of its own."""
    app = current_app._get_current_object()
    url = app.config.get("RULES_QUEUE_URL")
    if url:
        from redis import Redis
        from rq import Queue
        Queue(queue, connection=Redis.from_url(url)).enqueue(function, *args, job_timeout=JOB_TIMEOUT)
    elif has_request_context():
        thread = threading.Thread(target=_run_in, args=(app, function, args), daemon=True,
                                  name=f"{queue}-{function.__name__}")
        app.extensions.setdefault("background_threads", []).append(thread)
        thread.start()
    else:
        # At once, but in an app context (and so a database session) of its own: the work must
        # not end or detach the session of the command that caused it.
        _run_in(app, function, args)


def _run_in(app: Flask, function: Callable, args: tuple) -> None:
    with app.app_context():
        try:
            function(*args)
        finally:
            db.session.remove()
