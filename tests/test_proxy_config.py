"""The README's nginx configuration: the pages where villagers complain, track a case or look
up their subsidies are logged without addresses; the rest keeps the operator's usual log."""

import re

import pytest
from support import REPO

ANONYMOUS = [
    "/complain",
    "/complain?village=629901101201&item=subsidies:5",
    "/track",
    "/track/case",
    "/track/case/rate",
    "/lookup",
    "/kiosk/reset",
    "/r/629901101201/report?item=subsidies:9",
]
IDENTIFIED = [
    "/",
    "/r/629901101201",
    "/r/629901101201/subsidies",
    "/staff/login",
    "/admin/cases",
    "/complaints-elsewhere",
    "/trackers",
    "/stats",
]


@pytest.fixture(scope="module")
def nginx() -> str:
    return re.search(r"```nginx\n(.*?)```", (REPO / "README.md").read_text(), re.S).group(1)


def anonymous(nginx: str, uri: str) -> bool:
    """What the config's `map $uri $cunwu_anonymous` gives a request (nginx matches $uri, which
    has no query string, against each regex in turn)."""
    body = re.search(r"map \$uri \$cunwu_anonymous \{(.*?)\}", nginx, re.S).group(1)
    path = uri.split("?", 1)[0]
    for pattern, value in re.findall(r"~(\S+)\s+(\d);", body):
        if re.search(pattern, path):
            return value == "1"
    return False


@pytest.mark.parametrize("uri", ANONYMOUS)
def test_complaint_pages_go_to_the_log_without_addresses(nginx, uri):
    assert anonymous(nginx, uri)


@pytest.mark.parametrize("uri", IDENTIFIED)
def test_other_pages_keep_the_usual_log(nginx, uri):
    assert not anonymous(nginx, uri)


def test_the_two_logs_split_requests_and_the_anonymous_one_names_no_one(nginx):
    assert re.search(r"access_log \S+ combined if=\$cunwu_identified;", nginx)
    assert re.search(r"access_log \S+ cunwu_anonymous if=\$cunwu_anonymous;", nginx)
    assert re.search(r"map \$cunwu_anonymous \$cunwu_identified \{ 1 0; default 1; \}", nginx)
    log_format = re.search(r"log_format cunwu_anonymous '([^']*)';", nginx).group(1)
    # No address, user agent, referrer or query string ($request and $request_uri would carry
    # it), and the time to the minute only.
    assert set(re.findall(r"\$(\w+)", log_format)) == {
        "cunwu_minute",
        "request_method",
        "uri",
        "status",
        "body_bytes_sent",
    }
    assert re.search(
        r"map \$time_iso8601 \$cunwu_minute \{ ~\^\(\?<minute>\[\^T\]\+T\[0-9\]\+:\[0-9\]\+\) \$minute; \}", nginx
    )


def test_nginx_sends_hsts_once_on_every_answer(nginx):
    from core.security import HSTS

    tls = next(block for block in nginx.split("server {")[1:] if "listen 443" in block)
    # One header, the same value the app would send, on error pages too (`always`).
    assert f'add_header Strict-Transport-Security "{HSTS}" always;' in tls
    # The app adds its own when it sees https (TRUSTED_PROXIES): hidden, or browsers get two.
    proxied = re.search(r"location / \{(.*?)\}", tls, re.S).group(1)
    assert "proxy_pass" in proxied and "proxy_hide_header Strict-Transport-Security;" in proxied
    # Plain http only redirects to https.
    assert re.search(r"listen 80;.*return 301 https://\$host\$request_uri;", nginx, re.S)
