"""Failed sign-ins slow an account down instead of locking it.

After a few free failures each further one doubles the wait before the account may try again (1 s,
2 s, 4 s … up to LOGIN_MAX_DELAY_SECONDS). A guesser gets a handful of tries an hour; a colleague
who mistyped, or whose name someone else is guessing, waits minutes at most, never the rest of
the day. The count lives in the users table, so every worker sees the same one; a good sign-in
clears it.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update

from core.db import utcnow
from core.extensions import db
from core.users.models import User


def seconds_to_wait(user: User, now: datetime | None = None) -> int:
    """How long before this account may try again (0: now)."""
    if user.login_delay_until is None:
        return 0
    left = (user.login_delay_until - (now or utcnow())).total_seconds()
    return max(0, int(left + 0.999))


def delay_after(failures: int) -> int:
    """Seconds to wait after this many failures in a row."""
    free = current_app.config["LOGIN_FREE_FAILURES"]
    if failures < free:
        return 0
    return min(2 ** min(failures - free, 20), current_app.config["LOGIN_MAX_DELAY_SECONDS"])


def record_failure(user_id: int, now: datetime | None = None) -> int:
    """Count a failed password or code, atomically across workers; returns the wait it sets."""
    now = now or utcnow()
    failures = db.session.scalar(
        update(User)
        .where(User.id == user_id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
    )
    wait = delay_after(failures or 0)
    db.session.execute(
        update(User).where(User.id == user_id).values(login_delay_until=now + timedelta(seconds=wait) if wait else None)
    )
    db.session.commit()
    return wait


def clear(user: User) -> None:
    """A good sign-in forgets the failures (the caller commits)."""
    user.failed_logins = 0
    user.login_delay_until = None
