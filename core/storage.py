"""Files kept outside the web root under random names (UPLOAD_DIR, shared by every instance)."""
import os
import re
import secrets
import time
from datetime import timedelta
from pathlib import Path

from flask import current_app

TOKEN_BYTES = 18
PART = ".part"  # a file being written; renamed to its token once complete
TOKEN_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")


def _area(area: str) -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / area
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(area: str, token: str) -> Path:
    # Tokens are ours (urlsafe base64, or one being written); anything else could walk out of the
    # folder, and a name of non-ASCII letters (str.isalnum takes 长) or too long fails in the OS
    # with another error than FileNotFoundError (a 500 where a form posted one).
    name = token.removesuffix(PART)
    if not TOKEN_NAME.fullmatch(name):
        raise FileNotFoundError(token)
    return _area(area) / token


def save(area: str, data: bytes) -> str:
    """Store bytes under a new random name; return the name."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    target = _path(area, token)
    temporary = target.with_name(token + PART)
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(target)
    return token


def load(area: str, token: str) -> bytes:
    """The bytes stored under a name; FileNotFoundError when there are none."""
    return _path(area, token).read_bytes()


def delete(area: str, token: str) -> None:
    """Remove a stored file if it is there."""
    try:
        _path(area, token).unlink()
    except FileNotFoundError:
        pass


def stale_names(area: str, age: timedelta) -> list[str]:
    """Names of the files stored longer ago than `age`, including writes that never finished
    (ending in PART): what a cleanup may consider."""
    cutoff = time.time() - age.total_seconds()
    return sorted(path.name for path in _area(area).iterdir() if path.is_file() and path.stat().st_mtime < cutoff)
