"""CSRF tokens that differ in every response, so a page carrying one may be compressed (BREACH).

Compression leaks, through a response's length, any secret that repeats across responses to an
attacker who can have the victim's browser send requests echoing text of their choosing
(BREACH). Flask-WTF's token repeats: it is the session's raw token, signed, and the raw part is
the same on every page of a session. So every token this app prints is masked, as Django and
Rails do it: a fresh random pad, then the signed token XORed with that pad, base64url-encoded.
What comes back is unmasked before Flask-WTF checks it as it always did (signature, session), so
the protection itself is unchanged; only no two responses carry the same string.

No maintained library masks Flask-WTF's token (PyPI's `csrf`, a single 2018 beta, is the
nearest), hence these few lines. A token printed before masking (it holds '.', which base64url
never does) is passed on as it is, so a form left open over an upgrade still posts: the server
prints no such token any more, so none can be read out of a compressed page.
"""

import base64
import binascii
import os

from flask import g
from flask_wtf.csrf import CSRFProtect, generate_csrf, validate_csrf
from wtforms.csrf.core import CSRF


def mask(token: str) -> str:
    """`token` (ASCII) under a fresh pad: pad + (token XOR pad), base64url without padding."""
    plain = token.encode("ascii")
    pad = os.urandom(len(plain))
    masked = (int.from_bytes(plain) ^ int.from_bytes(pad)).to_bytes(len(plain))
    return base64.urlsafe_b64encode(pad + masked).decode("ascii").rstrip("=")


def unmask(value: str | None) -> str:
    """The token inside a masked one; an unmasked token as it came; "" for anything else, which
    Flask-WTF then refuses as a missing token."""
    if not value or "." in value:
        return value or ""
    try:
        both = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return ""
    half = len(both) // 2
    if not half or len(both) % 2:
        return ""
    plain = (int.from_bytes(both[:half]) ^ int.from_bytes(both[half:])).to_bytes(half)
    return plain.decode("ascii", errors="replace")


def masked_csrf_token() -> str:
    """What `csrf_token()` gives templates, and the kiosk's token request answers."""
    return mask(generate_csrf())


class MaskedCSRFProtect(CSRFProtect):
    """Flask-WTF's CSRFProtect, printing masked tokens and unmasking the one a POST sends (the
    form field or the X-CSRFToken header) before its usual check."""

    def init_app(self, app) -> None:
        super().init_app(app)
        app.jinja_env.globals["csrf_token"] = masked_csrf_token
        # Registered after Flask-WTF's own processor, so this one's value is the one templates see.
        app.context_processor(lambda: {"csrf_token": masked_csrf_token})

    def _get_csrf_token(self):
        return unmask(super()._get_csrf_token())


class MaskedFormCSRF(CSRF):
    """A form's hidden csrf_token field, masked; checked here only where CSRFProtect has not
    checked the request already (the same order as Flask-WTF's own form CSRF)."""

    def setup_form(self, form):
        self.meta = form.meta
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field) -> str:
        return mask(generate_csrf(self.meta.csrf_secret, self.meta.csrf_field_name))

    def validate_csrf_token(self, form, field) -> None:
        if g.get("csrf_valid", False):
            return
        validate_csrf(unmask(field.data), self.meta.csrf_secret, self.meta.csrf_time_limit, self.meta.csrf_field_name)
