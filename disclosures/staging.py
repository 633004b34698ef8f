"""Uploads waiting for the accountant's confirmation (preview → confirm), kept in storage.

A preview that is never confirmed leaves its file behind; a day later it is pruned, and a confirm
after that asks for the file again."""
from datetime import timedelta

from core import storage

STAGING = "staging"
STAGED_AGE = timedelta(days=1)


def prune_staged_uploads(age: timedelta = STAGED_AGE) -> int:
    """Delete staged uploads older than `age`; how many."""
    names = storage.stale_names(STAGING, age)
    for name in names:
        storage.delete(STAGING, name)
    return len(names)
