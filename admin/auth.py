"""Staff sign-in and sign-out, throttled per account and per address."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from admin.forms import ConfirmForm, LoginForm
from core.extensions import limiter
from core.web import local_path
from core.users import services

bp = Blueprint("auth", __name__, url_prefix="/staff", template_folder="templates")


def _submitted_username() -> str:
    return "login:" + request.form.get("username", "").strip().lower()


def _failed(response) -> bool:
    # Only failed attempts count, so a colleague's correct logins never lock an office out.
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_submitted_username, deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 400
    user = services.authenticate(form.username.data, form.password.data)
    if user is None:
        form.password.errors.append("用户名或密码错误，或账号已停用")
        return render_template("auth/login.html", form=form), 401
    session.clear()  # a fresh session on login: nothing carried over from before it
    login_user(user)
    services.record_login(user)
    return redirect(_safe_next(request.args.get("next")))


def _safe_next(target: str | None) -> str:
    return local_path(target) or url_for("admin.home")


@bp.post("/logout")
@login_required
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash("已退出登录", "info")
    return redirect(url_for("auth.login"))
