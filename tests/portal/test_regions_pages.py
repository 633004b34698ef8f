import re

import pytest


def test_single_county_home_is_the_county_page(client, township_tree):
    response = client.get("/")
    assert response.status_code == 200
    assert "青川县村务公开" in response.text and "黄大镇" in response.text and "白水乡" in response.text


def test_several_counties_are_listed(client, township_tree, make_region):
    make_region("629902000000", "白河县", "county")
    response = client.get("/")
    assert response.status_code == 200
    assert "选择县" in response.text and "青川县" in response.text and "白河县" in response.text


def test_township_lists_its_villages_only(client, township_tree):
    page = client.get("/r/629901101000").text
    assert "青山村" in page and "上东村" in page and "河口村" not in page


def test_village_page_has_breadcrumb(client, township_tree):
    page = client.get("/r/629901101201").text
    assert "<h1>青山村</h1>" in page and "青川县" in page and "黄大镇" in page


@pytest.mark.parametrize("term", ["qs", "qingshan", "QS", "青山", "qing shan"])
def test_search_finds_village_by_name_or_pinyin(client, township_tree, term):
    page = client.get("/search", query_string={"q": term}).text
    assert "/r/629901101201" in page


def test_search_treats_wildcards_literally(client, township_tree):
    page = client.get("/search", query_string={"q": "%"}).text
    assert "没有找到" in page


def test_text_size_toggle_sets_cookie_and_stays_on_site(client, township_tree):
    response = client.get("/prefs/text-size", query_string={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert "text=large" in response.headers["Set-Cookie"]
    assert 'class="large-text' in client.get("/").text


def test_text_size_flips_in_the_page_without_a_round_trip(client, township_tree):
    html = client.get("/").text
    # The page's own script flips the class and the cookie (static/js/text-size.js); the link is
    # what a browser without scripts follows.
    assert re.search(r'href="/prefs/text-size\?next=[^"]+" data-text-size>大字</a>', html)
    script = re.findall(r"<script>(.*?)</script>", html, re.S)[-1]
    assert "a[data-text-size]" in script and "preventDefault" in script and "text=large" in script
    # A cookie that script can change later: the link's cookie is not HttpOnly.
    cookie = client.get("/prefs/text-size").headers["Set-Cookie"]
    assert "text=large" in cookie and "HttpOnly" not in cookie
