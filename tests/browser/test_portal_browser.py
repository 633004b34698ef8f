"""A villager on a phone finds their village from the county page by pinyin."""

import re

import pytest

from .axe import check_accessibility


@pytest.mark.parametrize("term", ["qs", "qingshan"])
def test_find_village_by_pinyin(township_tree, phone, live_server, visit, checkpoint, page_requests, term):
    visit(phone, "/", "county")
    assert phone.locator("h1").inner_text() == "青川县村务公开"

    phone.locator("input[name=q]").fill(term)
    checkpoint(phone, "typed")
    phone.locator("input[name=q]").press("Enter")
    phone.wait_for_url(re.compile(r"/search\?q="))
    checkpoint(phone, "results")

    phone.locator("main").get_by_role("link", name=re.compile("^青山村")).click()
    phone.wait_for_url(f"{live_server}/r/629901101201")
    checkpoint(phone, "village")
    assert phone.locator("h1").inner_text() == "青山村"

    # Nothing may leave the machine: no CDN, font, analytics or map tile.
    outside = [url for url in page_requests if not url.startswith((live_server + "/", "data:", "about:"))]
    assert page_requests and not outside, outside


def test_axe_reports_serious_problems(phone):
    """The harness itself: a button with no name and an image with no text must fail."""
    phone.set_content('<html lang="zh-CN"><title>t</title><main><img src="data:,"><button></button></main></html>')
    with pytest.raises(pytest.fail.Exception, match="button-name") as failure:
        check_accessibility(phone)
    assert "image-alt" in str(failure.value)


def test_inline_css_and_the_text_size_switch_under_the_real_policy(browser, township_tree, live_server):
    """Without bypass_csp: the page's inline CSS and script run because the policy lists their
    hashes (nothing else inline would), and 大字 flips with no request at all (issue 16)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    refused, requests = [], []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    # The favicon is fetched after the page paints and blocks nothing: not counted.
    page.on("request", lambda request: None if "favicon" in request.url else requests.append(request.url))
    page.goto(f"{live_server}/r/629901101201")
    header = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert header == "rgb(179, 38, 30)"  # --brand, from the inline site.css
    assert [url for url in requests if "/static/" in url] == []  # no stylesheet to fetch
    requests.clear()
    page.get_by_role("link", name="大字").click()
    page.wait_for_function("document.body.classList.contains('large-text')")
    assert page.get_by_role("link", name="标准字号").is_visible() and requests == []
    assert page.url == f"{live_server}/r/629901101201"
    # The next page the server renders reads the cookie the script set.
    page.goto(f"{live_server}/r/629901101000")
    assert "large-text" in page.evaluate("document.body.className")
    page.get_by_role("link", name="标准字号").click()
    page.wait_for_function("!document.body.classList.contains('large-text')")
    assert refused == []
    context.close()
