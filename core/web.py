"""Error pages, template filters and the small bits every page shares."""
from decimal import Decimal

from flask import Flask, render_template, request, send_from_directory
from flask_wtf.csrf import CSRFError

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
    return render_template("errors/error.html", code=code, title=title,
                           message=message or default_message), code


def money(value) -> str:
    """1234.5 → 1,234.50 (元, two decimals); empty for None."""
    if value is None:
        return ""
    return f"{Decimal(value):,.2f}"


def init_app(app: Flask) -> None:
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
        return send_from_directory(app.static_folder, "favicon.ico", mimetype="image/x-icon",
                                   max_age=FAVICON_MAX_AGE)

    @app.context_processor
    def page_preferences():
        return {"large_text": request.cookies.get("text") == "large"}
