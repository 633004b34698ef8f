"""The address the portal prints for people to come back to: in QR codes, receipts and PDFs.

Production names it (`PUBLIC_BASE_URL`): a request's Host header is whatever the client sent, and a
notice board must never print an address an attacker chose. In development (the `flask` command,
as `bin/serve` runs it) it may be left unset, and then the links follow the address the page was
asked for: `bin/serve --port 8000`, or a phone on the LAN opening http://192.168.1.5:8000, gets
QR codes that work from where it stands.
"""

import os

from flask import Flask, current_app, has_request_context, request

# Outside a request (a command printing a link) in development: bin/serve's default address.
DEVELOPMENT_ADDRESS = "http://127.0.0.1:5000"


class MissingPublicBaseUrl(RuntimeError):
    """A production server started without PUBLIC_BASE_URL."""


def public_base_url() -> str:
    """Scheme and host, without a trailing slash, to put before a path people will visit."""
    configured = current_app.config["PUBLIC_BASE_URL"]
    if configured:
        return configured
    if has_request_context():
        return request.host_url.rstrip("/")
    return DEVELOPMENT_ADDRESS


def require_public_base_url(app: Flask) -> None:
    """Refuse to build an app for a production server (gunicorn…) that does not name its address.
    The `flask` command (commands, and `flask run` for development) may do without."""
    from_flask_command = os.environ.get("FLASK_RUN_FROM_CLI") == "true"  # set by Flask's CLI
    if not app.config["PUBLIC_BASE_URL"] and not from_flask_command:
        raise MissingPublicBaseUrl(
            "PUBLIC_BASE_URL is not set: a production server needs the portal's public address "
            "(e.g. PUBLIC_BASE_URL=https://cunwu.example.gov.cn) for its QR codes, receipts and PDFs"
        )
