"""Staff sign-in (password, then the second factor where it applies) and sign-out.

Throttled per address (flask-limiter) and per account (core/users/backoff.py: doubling waits, no
lock). Between the password and the code the account is only "pending" in the session: nothing
else opens until the code is right.
"""

import time

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from admin.forms import CodeForm, LoginForm
from core.forms import ConfirmForm
from core.extensions import limiter
from core.fields import field_cipher
from core.qr import qr_svg
from core.users import backoff, second_factor, services
from core.users.models import User
from core.web import local_path

bp = Blueprint("auth", __name__, url_prefix="/staff", template_folder="templates")

PENDING = "pending_login"
PENDING_SECONDS = 300  # the code must follow the password within five minutes
PENDING_KEY = "enrol_key"  # the TOTP key being set up, encrypted


def _failed(response) -> bool:
    # Only failed attempts count, so a colleague's correct logins never hold an office back.
    return response.status_code != 302


def _address_limit():
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def _slow_down(form, seconds: int):
    form.password.errors.append(f"这个账号刚才多次登录失败，为安全起见请{seconds}秒后再试")
    return render_template("auth/login.html", form=form), 429


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 400
    known = services.find_user(form.username.data)
    if known is not None and (wait := backoff.seconds_to_wait(known)):
        return _slow_down(form, wait)  # the password is not even checked while the account waits
    user = services.authenticate(form.username.data, form.password.data)
    if user is None:
        if known is not None:
            backoff.record_failure(known.id)
        form.password.errors.append("用户名或密码错误，或账号已停用")
        return render_template("auth/login.html", form=form), 401
    target = _safe_next(request.args.get("next"))
    session.clear()  # a fresh session on login: nothing carried over from before it
    if user.has_second_factor or second_factor.must_enrol(user):
        session[PENDING] = {"user": user.get_id(), "at": int(time.time()), "next": target}
        return redirect(url_for(".code" if user.has_second_factor else ".enrol"))
    return _sign_in(user, target)


def _sign_in(user: User, target: str):
    session.clear()
    login_user(user)
    session["seen"] = session["since"] = int(time.time())
    services.record_login(user)
    return redirect(target)


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return services.load_user(str(pending.get("user", "")))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"], deduct_when=_failed)
def code():
    user = _pending_user()
    if user is None or not user.has_second_factor:
        flash("请重新登录", "info")
        return redirect(url_for(".login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/code.html", form=form), 200 if request.method == "GET" else 400
    if wait := backoff.seconds_to_wait(user):
        form.code.errors.append(f"这个账号刚才多次验证失败，为安全起见请{wait}秒后再试")
        return render_template("auth/code.html", form=form), 429
    if not second_factor.verify(user, form.code.data):
        form.code.errors.append("验证码不对或已用过，请看手机上最新的6位数字，或输入一个恢复码")
        return render_template("auth/code.html", form=form), 401
    return _sign_in(user, session[PENDING]["next"])


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol():
    """Set up TOTP: at sign-in when it is required, or later from the workbench by choice."""
    user = current_user if current_user.is_authenticated else _pending_user()
    if user is None:
        return redirect(url_for(".login"))
    if user.has_second_factor:
        return redirect(url_for("admin.home"))
    form = CodeForm()
    # The key waits in the session until a code confirms it; the cookie is signed, not secret, so
    # it carries the key encrypted.
    cipher = field_cipher()
    secret = cipher.decrypt(session[PENDING_KEY]) if PENDING_KEY in session else second_factor.new_secret()
    session[PENDING_KEY] = cipher.encrypt(secret)
    if form.validate_on_submit():
        codes = second_factor.enrol(user, secret, form.code.data)
        if codes is not None:
            target = session.get(PENDING, {}).get("next") or url_for("admin.home")
            session.pop(PENDING_KEY, None)
            if not current_user.is_authenticated:
                _sign_in(user, target)
            return _private(render_template("auth/recovery_codes.html", codes=codes, target=target))
        form.code.errors.append("验证码不对，请核对手机上显示的6位数字后再试")
    uri = second_factor.provisioning_uri(user, secret)
    page = render_template(
        "auth/enrol.html",
        form=form,
        secret=secret,
        qr=qr_svg(uri, label="两步验证二维码"),
        required=second_factor.must_enrol(user),
    )
    return _private(page, 400 if request.method == "POST" else 200)


@bp.app_template_filter("totp_groups")
def totp_groups(secret: str) -> str:
    """ABCDEFGH… → ABCD EFGH …: easier to copy by hand from one screen to another."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _safe_next(target: str | None) -> str:
    return local_path(target) or url_for("admin.home")


def _private(body: str, status: int = 200):
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/logout")
@login_required
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        services.end_sessions(current_user._get_current_object())
        logout_user()
        session.clear()
        flash("已退出登录", "info")
    return redirect(url_for("auth.login"))
