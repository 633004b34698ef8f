"""Static files as a phone on a weak signal gets them (issue 16): built once with hashed names and
gzip/brotli copies, served by WhiteNoise and cached for good; public pages carry their CSS
inline, allowed by its hash in the Content-Security-Policy."""

import base64
import gzip
import hashlib
import json
import re
import shutil

import brotli
import pytest

from support import REPO

VILLAGE = "629901101201"
FOREVER = "max-age=315360000, public, immutable"
STYLE = re.compile(r"<style>(.*?)</style>", re.S)
SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def hashed_stylesheets(html: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="(/static/css/[^"]+)"', html)


def test_build_writes_hashed_names_and_compressed_copies(tmp_path):
    from core.assets.build import build

    manifest = build(REPO / "static", tmp_path)
    source = (REPO / "static" / "css" / "site.css").read_bytes()
    hashed = manifest["files"]["css/site.css"]
    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", hashed)
    assert (tmp_path / hashed).read_bytes() == (tmp_path / "css/site.css").read_bytes() == source
    assert gzip.decompress((tmp_path / f"{hashed}.gz").read_bytes()) == source
    assert brotli.decompress((tmp_path / f"{hashed}.br").read_bytes()) == source
    assert json.loads((tmp_path / "manifest.json").read_text()) == manifest


def test_hashed_stylesheet_is_served_compressed_and_cached_for_good(client):
    href = hashed_stylesheets(client.get("/staff/login").text)[0]
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", href)
    source = (REPO / "static" / "css" / "site.css").read_bytes()
    for encoding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        with client.get(href, headers={"Accept-Encoding": f"{encoding}"}) as response:
            assert response.status_code == 200 and response.headers["Content-Encoding"] == encoding
            assert response.headers["Cache-Control"] == FOREVER
            assert "Accept-Encoding" in response.headers["Vary"]
            assert decode(response.get_data()) == source
            assert response.headers["X-Content-Type-Options"] == "nosniff"
    with client.get(href) as plain:
        assert plain.get_data() == source and "Content-Encoding" not in plain.headers


def test_a_plain_name_is_served_but_not_for_good(client):
    with client.get("/static/css/site.css", headers={"Accept-Encoding": "br"}) as response:
        assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
        assert response.headers["Cache-Control"] == "max-age=60, public"


def test_back_office_pages_link_every_stylesheet_by_hashed_name(client):
    html = client.get("/staff/login").text
    names = [re.sub(r"\.[0-9a-f]{12}\.css$", ".css", href.rsplit("/", 1)[1]) for href in hashed_stylesheets(html)]
    assert names == ["site.css", "disclosures.css", "complaints.css", "staff.css"]
    assert "<style>" not in html


@pytest.mark.parametrize(
    "path, parts", [(f"/r/{VILLAGE}", 2), ("/complain?village=" + VILLAGE, 2), ("/", 3), ("/track", 3)]
)
def test_public_pages_carry_their_css_inline_under_the_policys_hashes(client, township_tree, path, parts):
    response = client.get(path)
    html, policy = response.text, response.headers["Content-Security-Policy"]
    styles = STYLE.findall(html)
    assert len(styles) == parts and hashed_stylesheets(html) == []  # no second request before painting
    style_src = re.search(r"style-src ([^;]+)", policy).group(1)
    assert all(csp_hash(text) in style_src for text in styles)
    assert "unsafe-inline" not in policy
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert [csp_hash(text) in script_src for text in SCRIPT.findall(html)] == [True]


def test_the_inline_css_is_the_stylesheet_minified(client, township_tree):
    village_styles = STYLE.findall(client.get(f"/r/{VILLAGE}").text)
    assert village_styles[0].startswith(":root{--ink:#1f2328;") and "/*" not in village_styles[0]
    assert ".section-tabs{" in village_styles[1]
    form_styles = STYLE.findall(client.get(f"/complain?village={VILLAGE}").text)
    assert form_styles[0] == village_styles[0] and ".complaint-form .step{" in form_styles[1]


def test_a_build_older_than_the_sources_is_not_served(make_app, database_uri, tmp_path):
    from core.assets.build import build

    changed = tmp_path / "changed-static"
    shutil.copytree(REPO / "static", changed)
    (changed / "css" / "site.css").write_text("body { color: red; }")
    build(changed, tmp_path / "stale-build")
    client = make_app(database_uri, STATIC_BUILD_DIR=str(tmp_path / "stale-build")).test_client()
    with client.get("/static/css/site.css") as response:  # the sources, as they are now
        assert response.get_data() == (REPO / "static" / "css" / "site.css").read_bytes()
    assert hashed_stylesheets(client.get("/staff/login").text)[0] == "/static/css/site.css"


def test_the_build_command(make_app, database_uri, tmp_path):
    target = tmp_path / "built"
    app = make_app(database_uri, STATIC_BUILD_DIR=str(target))
    result = app.test_cli_runner().invoke(args=["static", "build"])
    assert result.exit_code == 0, result.output
    assert "css/site.css → css/site." in result.output and (target / "manifest.json").exists()
    # The next start serves the build.
    client = make_app(database_uri, STATIC_BUILD_DIR=str(target)).test_client()
    href = hashed_stylesheets(client.get("/staff/login").text)[0]
    with client.get(href, headers={"Accept-Encoding": "br"}) as response:
        assert response.headers["Cache-Control"] == FOREVER
