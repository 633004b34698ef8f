"""Files kept outside the web root under random names (UPLOAD_DIR, shared by every instance)."""
import os
import secrets
from pathlib import Path

from flask import current_app

TOKEN_BYTES = 18


def _area(area: str) -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / area
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(area: str, token: str) -> Path:
    # Tokens are ours (urlsafe base64); anything else could walk out of the folder.
    if not token or not all(c.isalnum() or c in "-_" for c in token):
        raise FileNotFoundError(token)
    return _area(area) / token


def save(area: str, data: bytes) -> str:
    """Store bytes under a new random name; return the name."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    target = _path(area, token)
    temporary = target.with_suffix(".part")
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
