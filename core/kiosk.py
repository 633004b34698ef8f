"""The kiosk cookie: which township-hall touch screen this browser is, if any. The portal draws
its kiosk layout from it (portal/kiosk.py); complaints keep a kiosk's case view short."""

import re

from flask import request

KIOSK_COOKIE = "kiosk"
CODE = re.compile(r"\d{12}")


def kiosk_code() -> str | None:
    """The region code of the kiosk this browser is, or None for any other browser."""
    code = request.cookies.get(KIOSK_COOKIE, "")
    return code if CODE.fullmatch(code) else None
