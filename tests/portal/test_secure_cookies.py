"""The display and device cookies (kiosk, text size, the lookup's device token) are Secure when
the portal is reached over https, as the session cookie is, so no plain-http request sends them."""

import pytest

VILLAGE = "629901101201"
COOKIE_PAGES = {"kiosk": "/kiosk/629901000000", "text": "/prefs/text-size", "device": "/lookup"}


def set_cookie(response, name: str) -> str:
    return next(header for header in response.headers.getlist("Set-Cookie") if header.startswith(name + "="))


@pytest.mark.parametrize("name", COOKIE_PAGES)
def test_cookies_are_secure_under_https(client, township_tree, name):
    response = client.get(COOKIE_PAGES[name], base_url="https://portal.test")
    cookie = set_cookie(response, name)
    assert "; Secure" in cookie and "SameSite=Lax" in cookie
    # The text size is switched in the page by static/js/text-size.js: the one cookie a script reads.
    assert ("HttpOnly" in cookie) == (name != "text")


@pytest.mark.parametrize("name", COOKIE_PAGES)
def test_cookies_are_secure_when_the_base_url_is_https(make_app, database_uri, township_tree, name):
    # Behind a proxy that does not pass the scheme on, the configured address still tells.
    client = make_app(database_uri, PUBLIC_BASE_URL="https://cunwu.example.gov.cn").test_client()
    assert "; Secure" in set_cookie(client.get(COOKIE_PAGES[name]), name)


@pytest.mark.parametrize("name", COOKIE_PAGES)
def test_plain_http_try_out_keeps_cookies_usable(client, township_tree, name):
    assert "Secure" not in set_cookie(client.get(COOKIE_PAGES[name]), name)
