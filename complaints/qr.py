"""Short stable QR tokens (/q/7KD3QX) for villages, projects and inspection rounds.

A token names a target, not a URL: what it opens is decided at scan time, so printed codes
outlive any change of page addresses.
"""

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.public_url import public_base_url
from complaints.models import QrLink, TargetKind

# Crockford base32: no I, L, O or U, so a token read aloud or copied by hand survives.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TOKEN_LENGTH = 6  # 32^6 ≈ 10^9 tokens: a province's villages and projects fill a tiny fraction
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_ATTEMPTS = 5


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    ref: str

    @property
    def village_code(self) -> str:
        """The village of a village or project target."""
        return self.ref.partition("/")[0]

    @property
    def project_no(self) -> str:
        return self.ref.partition("/")[2]


def village_target(code: str) -> Target:
    return Target(TargetKind.VILLAGE, code)


def project_target(village_code: str, project_no: str) -> Target:
    # Village codes are digits only, so the first "/" always splits the two apart again.
    return Target(TargetKind.PROJECT, f"{village_code}/{project_no}")


def round_target(round_id: int) -> Target:
    return Target(TargetKind.ROUND, str(round_id))


def new_token() -> str:
    """Six random characters of the Crockford alphabet."""
    return "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH))


def normalise(token: str) -> str:
    """What a scanned or hand-typed token means: upper case, O read as 0, I and L as 1."""
    return token.strip().upper().replace("-", "").translate(_CONFUSABLE)


def _existing(target: Target) -> str | None:
    return db.session.scalar(
        select(QrLink.token).where(QrLink.target_kind == target.kind, QrLink.target_ref == target.ref)
    )


def token_for(target: Target) -> str:
    """The target's token, created and committed on first need; the same token ever after."""
    for _ in range(_ATTEMPTS):
        if token := _existing(target):
            return token
        token = new_token()
        if db.session.get(QrLink, token) is not None:
            continue
        db.session.add(QrLink(token=token, target_kind=target.kind, target_ref=target.ref))
        try:
            db.session.commit()
        except IntegrityError:
            # Another request gave this target a token first, or took this random one: look again.
            db.session.rollback()
            continue
        return token
    raise RuntimeError("could not allocate a QR token")


def resolve(token: str) -> Target | None:
    """The target a token opens, or None for a token never issued."""
    token = normalise(token)
    if not 0 < len(token) <= 8 or set(token) - set(ALPHABET):
        return None
    link = db.session.get(QrLink, token)
    return Target(link.target_kind, link.target_ref) if link else None


def qr_url(token: str) -> str:
    """The URL printed in the QR code.

    Written out rather than built with url_for: the printed path must stay /q/<token> forever,
    whatever the routes become."""
    return f"{public_base_url()}/q/{token}"
