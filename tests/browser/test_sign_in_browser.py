"""An administrator's first sign-in where the second factor is required, on a phone (the QR code is
scanned by another phone, but the pages must read on one too): set up TOTP, keep the recovery
codes, then sign in again with a code."""

import re

import pyotp
import pytest

PASSWORD = "pw-for-tests-1"  # pragma: allowlist secret


@pytest.fixture
def admin(app, make_user):
    app.config["STAFF_2FA_REQUIRED"] = True
    return make_user("root", "admin")


def _password(page, live_server):
    page.goto(f"{live_server}/staff/login")
    page.get_by_label("用户名").fill("root")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_admin_sets_up_the_second_factor_and_signs_in_with_it(admin, phone, live_server, checkpoint):
    _password(phone, live_server)
    phone.wait_for_url(f"{live_server}/staff/login/enrol")
    checkpoint(phone, "enrol")
    assert phone.get_by_role("img", name="两步验证二维码").is_visible()
    secret = re.sub(r"\s", "", phone.locator(".totp-key").inner_text())
    totp = pyotp.TOTP(secret)
    phone.get_by_label("验证码").fill(totp.now())
    phone.get_by_role("button", name="确认").click()
    phone.get_by_text("只显示这一次").wait_for()
    checkpoint(phone, "recovery-codes")
    codes = phone.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    phone.get_by_role("link", name="我已抄好，继续").click()
    phone.wait_for_url(f"{live_server}/admin/")

    phone.context.clear_cookies()
    _password(phone, live_server)
    phone.wait_for_url(f"{live_server}/staff/login/code")
    phone.get_by_label("验证码").fill(codes[0])  # the phone with the app is "lost": a recovery code
    checkpoint(phone, "code")
    phone.get_by_role("button", name="验证并登录").click()
    phone.wait_for_url(f"{live_server}/admin/")
