"""Uploads waiting for the accountant's confirmation (preview → confirm), kept in storage.

A roster holds ID and bank account numbers, so a staged file is encrypted with the field cipher
before it touches the disk, and deleted at confirm or cancel. A preview that is neither leaves
its file behind; a day later it is pruned, and a confirm after that asks for the file again."""

from datetime import timedelta

from core import storage
from core.crypto import TokenError
from core.fields import field_cipher

STAGING = "staging"
STAGED_AGE = timedelta(days=1)


def stage(data: bytes) -> str:
    """Keep an upload, encrypted, until it is confirmed or cancelled; return its token."""
    return storage.save(STAGING, field_cipher().encrypt_bytes(data).encode("ascii"))


def staged(token: str) -> bytes:
    """The upload kept under a token; FileNotFoundError when it is gone (or cannot be read)."""
    sealed = storage.load(STAGING, token)
    try:
        return field_cipher().decrypt_bytes(sealed.decode("ascii"))
    except (TokenError, UnicodeDecodeError):
        raise FileNotFoundError(token) from None


def discard(token: str) -> None:
    """Delete a staged upload (confirmed, cancelled or refused)."""
    storage.delete(STAGING, token)


def prune_staged_uploads(age: timedelta = STAGED_AGE) -> int:
    """Delete staged uploads older than `age`; how many."""
    names = storage.stale_names(STAGING, age)
    for name in names:
        storage.delete(STAGING, name)
    return len(names)
