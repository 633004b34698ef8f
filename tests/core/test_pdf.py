import io
import logging
import re
import socket

import pytest
from support import dark_pixels, pdf_ink, require_font, run_tool
import zxingcpp
from fontTools.ttLib import TTFont
from PIL import Image

from core.pdf import FONT_PATH, render_pdf
from core.qr import qr_data_uri, qr_png, qr_svg

NAME_CHARS = "堃喆昇赟玥"  # rare in names, but inside U+4E00–9FFF, so the bundle must have them
QR_URL = "https://cunwu.example.cn/q/7KQ2M9XA"
NOTICE = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<style>h1 {{ font-size: 28pt; margin: 0 0 6mm; }} .qr {{ width: 45mm; }}</style></head>
<body><h1>青川县坝店村 村务公开栏</h1>
<p>2026年第一季度 耕地地力保护补贴 发放名单（公示期：7天）</p>
<table><tr><th>姓名</th><th>金额（元）</th></tr>
{"".join(f"<tr><td>王*{char}</td><td>1,280.00</td></tr>" for char in NAME_CHARS)}</table>
<p>如有异议，请扫码反映：</p><img class="qr" src="{qr_data_uri(QR_URL)}" alt="二维码">
</body></html>"""


def embedded_fonts(tmp_path, pdf):
    """pdffonts rows as (name, embedded) pairs."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    rows = run_tool("pdffonts", str(path)).splitlines()[2:]
    # name, type (may hold spaces), encoding, emb, sub, uni, object number, generation
    pattern = re.compile(r"^(\S+)\s.*\s(yes|no)\s+(?:yes|no)\s+(?:yes|no)\s+\d+\s+\d+\s*$")
    return [pattern.match(row).groups() for row in rows if row.strip()]


def render_page(tmp_path, pdf, dpi):
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    run_tool("pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(path), str(tmp_path / "page"))
    return Image.open(tmp_path / "page.png").convert("L")


@pytest.fixture(scope="module")
def notice_pdf():
    return render_pdf(NOTICE)


def test_notice_embeds_the_bundled_font(tmp_path, notice_pdf):
    assert notice_pdf.startswith(b"%PDF-")
    fonts = embedded_fonts(tmp_path, notice_pdf)
    assert fonts, "no fonts in the PDF"
    for name, embedded in fonts:
        assert "wqy" in name.lower() and "bundled" in name.lower(), name
        assert embedded == "yes", name


def test_notice_text_is_real_glyphs(tmp_path, notice_pdf, caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_pdf(NOTICE)
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]
    (tmp_path / "notice.pdf").write_bytes(notice_pdf)
    text = run_tool("pdftotext", "-enc", "UTF-8", str(tmp_path / "notice.pdf"), "-")
    assert "青川县坝店村 村务公开栏" in text
    for char in NAME_CHARS:
        assert f"王*{char}" in text


def test_notice_page_is_not_blank_where_the_text_is(tmp_path, notice_pdf):
    page = render_page(tmp_path, notice_pdf, 60)
    width, height = page.size  # A4 at 60 dpi: about 496 x 702
    assert abs(width / height - 210 / 297) < 0.01
    heading = (0, 0, width, height // 8)  # the 28pt title sits in the top margin area
    assert dark_pixels(page, heading) > 400
    assert dark_pixels(page, (0, height * 3 // 4, width, height)) == 0


def test_qr_png_decodes_to_the_url():
    image = Image.open(io.BytesIO(qr_png(QR_URL)))
    assert [result.text for result in zxingcpp.read_barcodes(image)] == [QR_URL]


def test_qr_in_the_pdf_decodes_to_the_url(tmp_path, notice_pdf):
    page = render_page(tmp_path, notice_pdf, 150)
    assert QR_URL in [result.text for result in zxingcpp.read_barcodes(page)]


def test_qr_data_uri_and_svg():
    assert qr_data_uri(QR_URL).startswith("data:image/png;base64,iVBOR")
    svg = qr_svg(QR_URL)
    assert svg.startswith("<svg") and 'viewBox="0 0 ' in svg and 'aria-label="二维码"' in svg
    assert "<script" not in svg and "style=" not in svg and 'id="' not in svg
    assert len(re.findall(r"<path ", svg)) == 1


def test_default_page_is_a4_and_the_page_css_can_override_it(tmp_path):
    (tmp_path / "a4.pdf").write_bytes(render_pdf("<p>村</p>"))
    assert "(A4)" in run_tool("pdfinfo", str(tmp_path / "a4.pdf"))
    landscape = render_pdf("<style>@page { size: A5 landscape }</style><p>村</p>")
    (tmp_path / "a5.pdf").write_bytes(landscape)
    assert re.search(r"Page size:\s+595\.2\d* x 419\.5", run_tool("pdfinfo", str(tmp_path / "a5.pdf")))


def test_no_network_only_file_and_data_urls(monkeypatch, caplog):
    connections = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: connections.append(address))
    html = (
        '<img src="http://127.0.0.1:9/tracker.png"><img src="https://example.com/x.png">'
        '<link rel="stylesheet" href="ftp://127.0.0.1/x.css"><p>村务公开</p>'
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf(html)
    assert pdf.startswith(b"%PDF-")
    assert connections == []
    refused = [r.getMessage() for r in caplog.records if "disallowed protocol" in r.getMessage()]
    assert len(refused) == 3


def test_bundled_font_coverage():
    cmap = TTFont(FONT_PATH).getBestCmap()
    covered = (
        "青川县坝店村村务公开栏补贴发放姓名金额" + NAME_CHARS + "，。、：；！？（）《》“”…·０９ＡＸｘ¥ABCxyz0123456789"
    )
    assert [char for char in covered if ord(char) not in cmap] == []
    assert all(code in cmap for code in range(0x4E00, 0x9FA6))  # every URO ideograph
    assert 0x4DAE not in cmap  # 䶮, CJK Ext-A: outside the subset
    assert 0x20BB7 not in cmap  # 𠮷, CJK Ext-B: outside the subset
    assert 2_500_000 < FONT_PATH.stat().st_size < 3_500_000


# CJK Extension A and B characters of names, outside the bundle: the Hanazono fonts print them.
RARE_NAME_CHARS = {"䶮": "Ext-A, as in 刘䶮", "𠮷": "Ext-B, as in 𠮷田", "𠀁": "Ext-B, in HanaMinB only"}


@pytest.mark.parametrize("char", RARE_NAME_CHARS)
def test_name_characters_outside_the_bundle_print(tmp_path, caplog, char):
    require_font("HanaMinA", "fonts-hanazono")
    require_font("HanaMinB", "fonts-hanazono")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf(f'<html lang="zh-CN"><p style="font-size:40pt">刘 {char} 坝</p></html>')
    assert [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage()] == []
    names = [name for name, _ in embedded_fonts(tmp_path, pdf)]
    assert any("Bundled" in name for name in names) and any("HanaMin" in name for name in names), names
    words, page = pdf_ink(pdf, tmp_path)
    boxes = dict(words)
    assert list(boxes) == ["刘", char, "坝"]
    # Ink where the glyph is: a blank box (what printed before) has none at all.
    assert dark_pixels(page, boxes[char]) > dark_pixels(page, boxes["刘"]) / 4 > 100
