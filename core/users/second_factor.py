"""The second factor of administrators and leads: TOTP (RFC 6238, any authenticator app) and
single-use recovery codes.

The TOTP key is encrypted with the field cipher; a code is accepted once (the time step it used is
claimed in one UPDATE, so two workers cannot both accept it). Recovery codes are random, shown once,
and only their SHA-256 is stored (64 random bits each, tried online only, behind the sign-in
backoff); using one stamps it, again in one UPDATE.
"""

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from flask import current_app
from sqlalchemy import delete, update

from core.audit import record_audit
from core.db import utcnow
from core.extensions import db
from core.fields import field_cipher
from core.users import backoff
from core.users.models import RecoveryCode, Role, User, new_session_token

ISSUER = "阳光村务"
STEP = 30  # seconds per code, as every authenticator app expects
DRIFT_STEPS = 1  # a phone clock half a minute off still signs in
RECOVERY_CODES = 10


def is_required_for(user: User) -> bool:
    """Administrators and leads hold the powers worth a stolen password."""
    return user.role == Role.ADMIN or user.is_lead


def must_enrol(user: User) -> bool:
    """True when this account may not work until it has set up its second factor."""
    return is_required_for(user) and not user.has_second_factor and bool(current_app.config["STAFF_2FA_REQUIRED"])


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = "".join(code.split())
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    for step in range(_step(now) - DRIFT_STEPS, _step(now) + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def _hash_recovery(code: str) -> str:
    return hashlib.sha256("".join(code.lower().split()).replace("-", "").encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["-".join(secrets.token_hex(8)[i : i + 4] for i in range(0, 16, 4)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(code)) for code in codes)
    return codes


def enrol(user: User, secret: str, code: str, now: datetime | None = None) -> list[str] | None:
    """Keep the key once the app shows a right code; returns the new recovery codes (to show once),
    or None when the code is wrong."""
    now = now or utcnow()
    step = _matching_step(secret, code, now)
    if step is None:
        return None
    user.totp_secret = field_cipher().encrypt(secret)
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    record_audit("user.2fa_enrol", target_type="user", target_id=user.id, actor=user)
    db.session.commit()
    return codes


def verify(user: User, code: str, now: datetime | None = None) -> bool:
    """A current TOTP code or an unused recovery code, each good once; a failure counts towards the
    account's backoff."""
    now = now or utcnow()
    step = _matching_step(field_cipher().decrypt(user.totp_secret), code, now) if user.has_second_factor else None
    if step is not None:
        claimed = db.session.execute(
            update(User).where(User.id == user.id, User.totp_last_step < step).values(totp_last_step=step)
        ).rowcount
        db.session.commit()
        if claimed:
            return True
    elif user.has_second_factor and _claim_recovery(user, code, now):
        return True
    backoff.record_failure(user.id, now)
    return False


def _claim_recovery(user: User, code: str, now: datetime) -> bool:
    claimed = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
    ).rowcount
    if claimed:
        record_audit("user.2fa_recovery_code", target_type="user", target_id=user.id, actor=user)
    db.session.commit()
    return bool(claimed)


def reset(user: User) -> None:
    """Forget the key and recovery codes (a lost phone, re-proofed in person) and end every session;
    the next sign-in sets up a new key."""
    user.totp_secret = None
    user.totp_last_step = 0
    user.session_token = new_session_token()
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record_audit("user.2fa_reset", target_type="user", target_id=user.id, detail={"username": user.username})
    db.session.commit()
