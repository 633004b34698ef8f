"""Error pages, template filters and the small bits every page shares."""

from decimal import Decimal
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request, send_from_directory
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter

from core.timezone import format_local

ERROR_PAGES = {
    400: ("请求有误", "提交的内容无法处理，请返回上一页重试。"),
    403: ("没有权限", "您的账号无权进行此操作。如需权限，请联系系统管理员。"),
    404: ("页面不存在", "您要找的页面不存在，可能已被移动，或链接有误。"),
    405: ("请求方式不正确", "请返回上一页，按页面上的按钮操作。"),
    413: ("文件太大", "上传的内容超过了大小上限，请压缩或拆分后再试。"),
    429: ("操作太频繁", "您的操作太频繁了，请稍等几分钟再试。"),
    500: ("系统出错了", "系统暂时出了问题，我们会尽快处理。您提交的内容如果已显示成功，就已经保存。"),
}
FAVICON_MAX_AGE = 7 * 24 * 3600


def render_error(code: int, message: str | None = None):
    title, default_message = ERROR_PAGES[code]
    return render_template("errors/error.html", code=code, title=title, message=message or default_message), code


def secure_cookies() -> bool:
    """Whether a cookie set now must be Secure: under an https base URL, or on a request that
    came over https (directly or as TRUSTED_PROXIES report it)."""
    return bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def money(value) -> str:
    """1234.5 → 1,234.50 (元, two decimals); empty for None."""
    if value is None:
        return ""
    return f"{Decimal(value):,.2f}"


# The largest id a table holds: PostgreSQL's `integer` (SQLite's is larger). A bigger number in
# a URL names nothing, and passing it on would fail in the database driver instead of answering 404.
LARGEST_ID = 2**31 - 1


def id_from(raw: object) -> int | None:
    """A row id a form or link sent as text, or None: only ASCII digits (str.isdigit also takes
    "²", which int() refuses) and no more than LARGEST_ID (the driver would fail on a larger one)."""
    text = str(raw) if raw is not None else ""
    if not (text.isascii() and text.isdigit()) or int(text) > LARGEST_ID:
        return None
    return int(text)


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a row id, so a number past LARGEST_ID does not match (404)."""

    def __init__(
        self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = LARGEST_ID, signed: bool = False
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


LAST_PAGE = 100_000  # far beyond any list's end; a larger number would overflow the OFFSET


def page_arg() -> int:
    """?page=N for a paginated list: 1 when absent or not a number, never past LAST_PAGE (the
    list's own last page is shown for any number after it)."""
    return min(max(request.args.get("page", 1, type=int), 1), LAST_PAGE)


def local_path(target: str | None) -> str | None:
    """`target` when it is a plain path on this site a redirect may go to, else None.

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so
    `/%09/evil.example` and `/\\evil` would leave the site, and a line break would end the
    Location header and start another: any control character, whitespace or backslash refuses
    the target, as does a scheme, a host, or a second leading slash."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def _has_nul(fields) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in fields.items(multi=True))


def refuse_nul_characters():
    """400 for a NUL character anywhere in the URL or a form's fields: no page or form of ours
    sends one, and PostgreSQL refuses it in any text it is given (a 500 otherwise)."""
    if "\x00" in request.path or _has_nul(request.args) or (request.method == "POST" and _has_nul(request.form)):
        return render_error(400)
    return None


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter  # before the blueprints add their routes
    app.before_request(refuse_nul_characters)
    for code in ERROR_PAGES:
        app.register_error_handler(code, lambda error, code=code: render_error(code))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, "页面已过期或来源无法验证，请刷新页面后重新提交。")

    app.jinja_env.filters["local"] = format_local
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["reject_page"] = lambda args: {k: v for k, v in args.items() if k != "page"}

    @app.get("/favicon.ico")
    def favicon():
        # Pages link static/favicon.svg; a browser still asks for /favicon.ico by itself (for a PDF,
        # a download, an older browser), and each of those would be a 404 in the log.
        return send_from_directory(app.static_folder, "favicon.ico", mimetype="image/x-icon", max_age=FAVICON_MAX_AGE)

    @app.context_processor
    def page_preferences():
        return {"large_text": request.cookies.get("text") == "large"}
