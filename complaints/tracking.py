"""Tracking sessions: after the case number and secret, the case stays open in this browser for a
while, and closes on the server when the person leaves, a kiosk resets, or its time is up.

The browser's session cookie holds only a random token; the server keeps its hash. Ending a
session deletes the row, so a copy of the cookie (a kiosk's, a shared phone's) opens nothing.
"""

import hashlib
import secrets
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from core.db import utcnow
from core.extensions import db
from complaints.codes import hash_tracking_secret, new_secret
from complaints.models import Complaint, TrackingSession
from complaints.receipts import forget_filings
from complaints.services import add_event

TOKEN_BYTES = 32
# Where a browser's session keeps the tracking token, and a replaced paper secret until shown.
TRACK_KEY, FRESH_KEY = "track", "fresh"


@dataclass(frozen=True)
class OpenedCase:
    token: str
    fresh_secret: str | None  # a paper secret's replacement, shown once


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def begin_tracking(case: Complaint, lifetime: timedelta, *, ending: str | None = None) -> OpenedCase:
    """Open a case for one browser for `lifetime` (ending the one it had open, if any); a paper
    secret is replaced at first use."""
    now = utcnow()
    # Ended visits go as new ones begin: no job to run, and no row outlives its visit for long.
    db.session.execute(
        delete(TrackingSession).where(
            (TrackingSession.expires_at <= now) | (TrackingSession.token_hash == _hash(_token(ending)))
        )
    )
    fresh = _replace_temporary_secret(case)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(TrackingSession(token_hash=_hash(token), complaint_id=case.id, expires_at=now + lifetime))
    db.session.commit()
    return OpenedCase(token, fresh)


def _replace_temporary_secret(case: Complaint) -> str | None:
    """A new random secret for a paper one (flush only); the paper one stops working."""
    if not case.secret_is_temporary:
        return None
    secret = new_secret()
    case.secret_hash, case.secret_is_temporary = hash_tracking_secret(secret), False
    add_event(case, "secret_replaced", public=False, body="查询密码已在首次使用时更换")
    return secret


def _token(value) -> str:
    # A session may hold what an older release kept under the same key (a dict): no token.
    return value if isinstance(value, str) else ""


def tracked_case(token: str | None) -> Complaint | None:
    """The case a live tracking session opens; None when it ended, expired or never was."""
    if not _token(token):
        return None
    return db.session.scalar(
        select(Complaint)
        .join(TrackingSession)
        .where(TrackingSession.token_hash == _hash(token), TrackingSession.expires_at > utcnow())
    )


def end_tracking(token: str | None) -> None:
    """Close a tracking session on the server, whoever still holds its token."""
    if _token(token):
        db.session.execute(delete(TrackingSession).where(TrackingSession.token_hash == _hash(token)))
        db.session.commit()


def forget_tracking(session: MutableMapping) -> None:
    """Everything a browser's session opened or filed is closed: leaving, or a kiosk's reset."""
    end_tracking(session.pop(TRACK_KEY, None))
    session.pop(FRESH_KEY, None)
    forget_filings(session)
