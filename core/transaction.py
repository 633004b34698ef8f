"""One transaction per unit of work.

A service owns its transaction: it is committed when the service returns and rolled back when it
raises, so a refusal found half-way (a scope check after the first change, a duplicate code) never
leaves half a change in the session for the next commit to write. Views call services and show
refusals; they never commit or roll back themselves.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from core.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def atomic() -> Iterator[None]:
    """Commit what the block did, or roll all of it back if it raised."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def transactional(service: Callable[P, R]) -> Callable[P, R]:
    """A service that runs as one transaction (atomic)."""

    @wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with atomic():
            return service(*args, **kwargs)

    return run
