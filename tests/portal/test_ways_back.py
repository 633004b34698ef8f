"""A way back from every public page: 查询办理进展, 我的补贴 and 公开统计 are one tap away, and
我的反映 (the list a phone keeps for itself) everywhere but on a shared kiosk."""

import re

import pytest

WAYS_BACK = {"/track": "查询办理进展", "/lookup": "我的补贴", "/stats": "公开统计"}
PAGES = [
    "/",
    "/r/629901000000",
    "/r/629901101000",
    "/r/629901101201",
    "/track",
    "/lookup",
    "/stats",
    "/complain?village=629901101201",
    "/mine",
]


def services(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="services".*?</nav>', html, re.S)
    assert nav, "no 便民服务 links on the page"
    return {href: label for href, label in re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav.group(0))}


@pytest.mark.parametrize("path", PAGES)
def test_every_public_page_leads_back(client, township_tree, path):
    response = client.get(path)
    assert response.status_code == 200
    links = services(response.text)
    assert WAYS_BACK.items() <= links.items()
    assert links.get("/mine") == "我的反映"


@pytest.mark.parametrize("path", ["/r/629901101000", "/r/629901101201", "/track", "/lookup"])
def test_a_kiosk_leads_back_but_keeps_no_list(client, township_tree, path):
    client.get("/kiosk/629901101000")
    links = services(client.get(path).text)
    assert WAYS_BACK.items() <= links.items() and "/mine" not in links


def test_the_list_page_is_the_same_for_everyone_and_asks_for_nothing(client, township_tree):
    page = client.get("/mine").text
    assert re.search(r"/static/js/mine\.[0-9a-f]{12}\.js", page) and "data-mine" in page
    assert "<form" not in page.split("<main")[1].split("</main>")[0]  # nothing is ever posted from it
    client.get("/kiosk/629901101000")
    kiosk = client.get("/mine").text
    assert "js/mine." not in kiosk and "不保存" in kiosk
