"""The device cookie the public rate limits key on: a random token that names no one and is never
stored with a case, so one phone cannot spread its tries over many addresses. Filing and the
subsidy lookup each keep their own cookie (by name), read and given the same way."""

import secrets

from flask import request

from core.web import secure_cookies

TOKEN_LENGTH = 32  # secrets.token_urlsafe(24); older lookup cookies are 32 hex digits, also valid
MAX_AGE = 365 * 86400


def device_token(cookie: str) -> str | None:
    """The request's token in `cookie`, or None when it is missing or not one we give out (a client
    that drops cookies, or forges them, is keyed by its address instead)."""
    token = request.cookies.get(cookie, "")
    valid = len(token) == TOKEN_LENGTH and all(c.isascii() and (c.isalnum() or c in "-_") for c in token)
    return token if valid else None


def give_device_cookie(response, cookie: str):
    """Set `cookie` on a response to a browser that does not carry it yet."""
    if cookie not in request.cookies:
        response.set_cookie(
            cookie,
            secrets.token_urlsafe(24),
            max_age=MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=secure_cookies(),
        )
    return response
