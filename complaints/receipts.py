"""What one browser session remembers of its own filing, for a few minutes.

The tracking secret is random and only its keyed hash is stored, so nothing on the server can
show it again. A double tap or a retry after a lost answer must still see the same number and
secret: the session keeps them, encrypted with the field cipher, under the form's ticket. Another
session holding the same ticket, or the same session sending other text, gets nothing back.
"""

import hashlib
import json
import time
from collections.abc import MutableMapping

from core.crypto import TokenError
from core.fields import field_cipher
from complaints.services import FiledComplaint

SESSION_KEY = "filed"
RECEIPT_SECONDS = 10 * 60
MAX_RECEIPTS = 3  # a signed cookie stays small: only the latest few filings of a session


def seal(values: dict) -> str:
    """Values encrypted for a session cookie: its reader (a shared phone, a kiosk) learns nothing."""
    return field_cipher().encrypt(json.dumps(values))


def unseal(token: str | None) -> dict | None:
    """What seal() encrypted, or None for anything missing, altered or made under a retired key."""
    if not isinstance(token, str) or not token:  # nothing, or what an older release kept there
        return None
    try:
        return json.loads(field_cipher().decrypt(token))
    except (TokenError, ValueError):
        return None


def _ticket_key(ticket: str) -> str:
    return hashlib.sha256(b"receipt:" + ticket.encode()).hexdigest()[:24]


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.strip().encode()).hexdigest()


def remember_filing(session: MutableMapping, ticket: str, text: str, filed: FiledComplaint) -> None:
    """Keep a new filing's number and secret in the session under its ticket, for a few minutes."""
    now = int(time.time())
    kept = {
        key: entry
        for key, entry in (session.get(SESSION_KEY) or {}).items()
        if isinstance(entry, dict) and now - entry.get("at", 0) < RECEIPT_SECONDS
    }
    kept[_ticket_key(ticket)] = {
        "at": now,
        "sealed": seal({"code": filed.code, "secret": filed.secret, "text": _fingerprint(text)}),
    }
    session[SESSION_KEY] = dict(sorted(kept.items(), key=lambda item: item[1]["at"])[-MAX_RECEIPTS:])


def recall_filing(session: MutableMapping, ticket: str, text: str) -> FiledComplaint | None:
    """The filing this session made with this ticket and this text, if still fresh; else None."""
    entry = (session.get(SESSION_KEY) or {}).get(_ticket_key(ticket))
    if not isinstance(entry, dict) or time.time() - entry.get("at", 0) >= RECEIPT_SECONDS:
        return None
    values = unseal(entry.get("sealed"))
    if values is None or values.get("text") != _fingerprint(text):
        return None
    return FiledComplaint(code=values["code"], secret=values["secret"])


def receipt_for(session: MutableMapping, ticket: str, text: str, filed: FiledComplaint) -> FiledComplaint | None:
    """What to show for a filing: a new case's number and secret (remembered for a repeat), a
    repeated ticket's only when this session filed it with this text; None says show nothing."""
    if filed.secret:
        remember_filing(session, ticket, text, filed)
        return filed
    return recall_filing(session, ticket, text)


def forget_filings(session: MutableMapping) -> None:
    """Drop every remembered filing (a kiosk handing the screen to the next person)."""
    session.pop(SESSION_KEY, None)
