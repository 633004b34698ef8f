"""Browser tests: the app on a live local server, driven by Debian's Chromium as a phone.

Every page a test visits goes through `visit(page, path, step)` or, after a click or a submit,
`checkpoint(page, step)`: each saves a screenshot to test-artifacts/screenshots/ and runs
axe-core, failing on serious or critical problems. Without Chromium or axe-core the tests
skip; under CI=true they fail instead, so a green CI always means they ran.
"""

import os
import re
import threading
from pathlib import Path

import pytest
from flask import got_request_exception
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import make_server

from tools.chromium import CHROMIUM, CHROMIUM_ARGS

from .axe import IN_CI, REPO, check_accessibility, require_axe

HERE = Path(__file__).resolve().parent
# .ci/run gives its PostgreSQL run a folder of its own, as it runs beside the SQLite one.
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or REPO / "test-artifacts" / "screenshots")
SCREENSHOT_ATTEMPTS = 3
UNCAPTURABLE = "Unable to capture screenshot"
# WeChat's built-in browser on an Android phone: how most villagers open the portal.
WECHAT_ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; V2219A Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 "
    "MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin "
    "NetType/4G Language/zh_CN ABI/arm64"
)
LOCAL_SCHEMES = ("data:", "about:", "blob:")


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def missing(message: str):
    if IN_CI:
        pytest.fail(f"{message} (CI=true: browser tests must run, not skip)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing(f"Debian chromium not installed ({CHROMIUM} missing): apt-get install chromium")
    require_axe()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app):
    """The test's app, on its own database, served on 127.0.0.1 at a free port; yields the base URL."""
    errors = []

    def record(sender, exception, **extra):
        errors.append(exception)

    server = make_server("127.0.0.1", 0, _closing_every_response(app), threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base  # links and QR codes the pages print point here
    got_request_exception.connect(record, app)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield base
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    got_request_exception.disconnect(record, app)
    if errors:
        pytest.fail(f"the live server raised: {errors!r}", pytrace=False)


def _closing_every_response(app):
    """The app with each response read whole and closed before it is sent.

    Werkzeug's server drains the request after the response and, when the browser has reset the
    connection meanwhile (a page left mid-load), skips close() on the response: a static file
    served by WhiteNoise then stays open and the test fails on its ResourceWarning."""

    def application(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return application


def is_local(url: str, base: str) -> bool:
    return url.startswith(LOCAL_SCHEMES) or url == base or url.startswith(base + "/")


@pytest.fixture
def page_requests():
    """Every URL the phone's pages requested, in order."""
    return []


def wechat_context(browser, live_server, viewport: dict, *, text: str = "standard", bypass_csp: bool = True):
    """A fresh context that looks like WeChat on an Android phone of the viewport's size, in
    standard or 大字 (`text="large"`) text, refusing every request off the live server.
    bypass_csp: the app sends script-src 'self', which would refuse the injected axe-core."""
    context = browser.new_context(
        viewport=viewport,
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        user_agent=WECHAT_ANDROID,
        bypass_csp=bypass_csp,
    )
    context.route(lambda url: not is_local(url, live_server), lambda route: route.abort("blockedbyclient"))
    context.set_default_timeout(10_000)
    if text == "large":
        context.add_cookies([{"name": "text", "value": "large", "url": live_server}])
    return context


@pytest.fixture
def phone(browser, live_server, page_requests, request):
    """A new page in a fresh context that looks like WeChat on a 390×844 Android phone."""
    context = wechat_context(browser, live_server, {"width": 390, "height": 844})
    # Anything bound elsewhere is recorded here, and refused by the context, so it never leaves the machine.
    context.on("request", lambda req: page_requests.append(req.url))
    yield from page_of(request, context)
    outside = [url for url in page_requests if not is_local(url, live_server)]
    assert not outside, f"pages requested addresses off the live server: {outside}"


def page_of(request, context):
    """For a fixture to `yield from`: a page of the context, a screenshot of it if the test
    failed, then the context closed. Returns the page."""
    page = context.new_page()
    yield page
    call = getattr(request.node, "report_call", None)
    if call is not None and call.failed and not page.is_closed():
        save_screenshot(page, f"{screenshot_name(request.node)}-failure")
    context.close()
    return page


def screenshot_name(node) -> str:
    return re.sub(r"[^\w.-]", "_", node.name.replace("[", "-").rstrip("]"))


def save_screenshot(page, stem: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{stem}.png"
    for attempt in range(SCREENSHOT_ATTEMPTS):
        try:
            page.screenshot(path=path, full_page=True)
            return path
        except PlaywrightError as error:
            # Headless Chromium on a busy 2-core machine sometimes has no compositor frame
            # ready for a full-page capture; the page itself is fine, so wait a frame and retry.
            if UNCAPTURABLE not in str(error) or attempt == SCREENSHOT_ATTEMPTS - 1:
                raise
            page.wait_for_timeout(250 * (attempt + 1))
    return path


def check_no_sideways_scroll(page) -> None:
    """A page wider than the phone makes villagers pan sideways to read each line."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide on a {widths[1]} px phone"


@pytest.fixture
def checkpoint(request):
    """checkpoint(page, step): screenshot the page as it is now, run axe-core, check its width."""
    name = screenshot_name(request.node)
    for old in SCREENSHOTS.glob(f"{name}-[0-9][0-9]-*.png"):
        old.unlink(missing_ok=True)
    steps = iter(range(1, 100))

    def check(page, step: str) -> Path:
        page.wait_for_load_state("load")
        path = save_screenshot(page, f"{name}-{next(steps):02d}-{step}")
        check_accessibility(page)
        check_no_sideways_scroll(page)
        return path

    return check


@pytest.fixture
def visit(live_server, checkpoint):
    """visit(page, "/path", step, status=200): open a page of the live server, then checkpoint it."""

    def go(page, path: str, step: str, status: int = 200):
        url = path if path.startswith("http") else live_server + path
        response = page.goto(url)
        assert response is not None and response.status == status, (
            f"GET {url}: expected {status}, got {response and response.status}"
        )
        checkpoint(page, step)
        return response

    return go
