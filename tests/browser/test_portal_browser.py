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
