"""Stylesheets and the one small script that public pages carry inline, and their CSP hashes.

Inline, a page paints from its own bytes: no second request before the first paint. Each part
is one <style> (or <script>) whose exact text is hashed into the Content-Security-Policy, so
the policy still refuses any other inline code. Pages name the parts they need (base.html
inlines all public ones; a disclosure page only site.css and disclosures.css); the back office
links its stylesheets, which the browser then keeps for good.
"""

import base64
import hashlib
import re
from pathlib import Path

from flask import Flask, current_app
from markupsafe import Markup

from core.security import content_security_policy

STYLES = ("site", "disclosures", "complaints")  # static/css/<name>.css
SCRIPTS = ("text-size",)  # static/js/<name>.js
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_SPACE = re.compile(r"\s+")
_AROUND_PUNCTUATION = re.compile(r"\s*([{};,])\s*")
_AFTER_COLON = re.compile(r":\s+")


def minify_css(text: str) -> str:
    """Comments and needless white space out; nothing else changes (a space before ':' can be a
    descendant combinator, so it stays; one after ':' never is)."""
    text = _AROUND_PUNCTUATION.sub(r"\1", _SPACE.sub(" ", _COMMENT.sub("", text)))
    return _AFTER_COLON.sub(":", text).strip()


def minify_js(text: str) -> str:
    """Whole-line comments and indentation out."""
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


def sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def init_app(app: Flask) -> None:
    static = Path(app.static_folder)
    styles = {name: minify_css((static / "css" / f"{name}.css").read_text()) for name in STYLES}
    scripts = {name: minify_js((static / "js" / f"{name}.js").read_text()) for name in SCRIPTS}
    app.extensions["inline_assets"] = {"styles": styles, "scripts": scripts}
    app.extensions["content_security_policy"] = content_security_policy(
        [sha256(text) for text in styles.values()], [sha256(text) for text in scripts.values()]
    )
    app.add_template_global(inline_styles)
    app.add_template_global(inline_script)


def inline_styles(*names: str) -> Markup:
    styles = current_app.extensions["inline_assets"]["styles"]
    return Markup("".join(f"<style>{styles[name]}</style>" for name in names or STYLES))


def inline_script(name: str) -> Markup:
    return Markup(f"<script>{current_app.extensions['inline_assets']['scripts'][name]}</script>")
