"""Where a sign-in may send the browser next: a path on this site, nothing else."""
from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None) -> str:
    """`target` when it is a plain same-site path, else the workbench.

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so
    `/%09/evil.example` and `/\\evil` would leave the site: any control character, whitespace or
    backslash refuses the target, as does a scheme, a host, or a second leading slash."""
    home = url_for("admin.home")
    if not target or "\\" in target or any(char.isspace() or ord(char) < 32 or ord(char) == 127
                                          for char in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return home
    return target
