"""The security headers on every kind of response the portal sends (ASVS 14.4; SECURITY.md)."""

import pytest
from support import publish_ledger_row

VILLAGE = "629901101201"
# What each kind of response is: a page, a redirect, an error, a file, a download, a probe.
RESPONSES = {
    "village page": f"/r/{VILLAGE}",
    "staff sign-in": "/staff/login",
    "redirect to sign-in": "/admin/",
    "not found": "/r/999999999999",
    "static file": "/static/css/site.css",
    "CSV download": f"/r/{VILLAGE}/ledger.csv?month=2026-10",
    "health probe": "/healthz",
}


def assert_security_headers(response) -> None:
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    permissions = headers["Permissions-Policy"]
    assert "geolocation=()" in permissions and "camera=()" in permissions


@pytest.fixture
def published(app, township_tree):
    publish_ledger_row(VILLAGE)


@pytest.mark.parametrize("kind", RESPONSES)
def test_every_kind_of_response_carries_the_security_headers(client, published, kind):
    with client.get(RESPONSES[kind]) as response:  # a file's response holds it open until closed
        assert response.status_code < 500
        assert_security_headers(response)
        assert "Strict-Transport-Security" not in response.headers  # plain http: a local try-out


def test_the_busy_page_carries_them_too(client, published, outage):
    outage.down()
    response = client.get(f"/r/{VILLAGE}")
    assert response.status_code == 503
    assert_security_headers(response)


@pytest.mark.parametrize("kind", RESPONSES)
def test_hsts_over_https(client, published, kind):
    with client.get(RESPONSES[kind], base_url="https://portal.test") as response:
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert_security_headers(response)


def test_hsts_behind_a_trusted_proxy_that_terminates_https(make_app, database_uri):
    proxied = make_app(database_uri, TRUSTED_PROXIES=1).test_client()
    over_https = proxied.get("/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.1"})
    assert over_https.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in proxied.get("/healthz").headers
