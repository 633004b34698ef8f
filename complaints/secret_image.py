"""A PNG of the case number and secret that a villager can long-press to save on the phone."""

from __future__ import annotations

import base64
import io
import zlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from complaints.codes import format_secret

if TYPE_CHECKING:  # Pillow is imported with the first picture, not with the app
    from PIL import Image, ImageFont

FONT_PATH = Path(__file__).resolve().parents[1] / "core" / "fonts" / "wqy-microhei-subset.ttf"
WIDTH, HEIGHT = 720, 470
INK, MUTED, BRAND = 0, 90, 60  # grey levels: the picture is greyscale, a few kB on weak 4G
# Four grey levels (2 bits a pixel) keep anti-aliased text smooth at a third of 8-bit's bytes.
GREY_STEP = 85
GREY_PALETTE = [level for shade in range(4) for level in (shade * GREY_STEP,) * 3]
TO_TWO_BITS = [(value + GREY_STEP // 2) // GREY_STEP for value in range(256)]


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT_PATH), size)


@lru_cache(maxsize=4)
def _card(track_url: str) -> Image.Image:
    """Everything but the case's own number and secret, drawn once per process."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (WIDTH, HEIGHT), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((6, 6, WIDTH - 7, HEIGHT - 7), outline=BRAND, width=4)
    lines = [
        (28, "阳光村务 · 反映问题查询凭证", 30, BRAND),
        (92, "案件编号", 26, MUTED),
        (204, "查询密码", 26, MUTED),
        (330, "凭案件编号和查询密码查看办理进展和答复。", 24, MUTED),
        (366, "请妥善保存，不要告诉别人。", 24, MUTED),
        (412, f"查询网址：{track_url}", 22, MUTED),
    ]
    for top, text, size, shade in lines:
        draw.text((32, top), text, font=_font(size), fill=shade)
    return image


@lru_cache(maxsize=64)
def _glyph(char: str, size: int) -> tuple[Image.Image, float]:
    """One character's coverage mask and advance, drawn once per process."""
    from PIL import Image, ImageDraw

    font = _font(size)
    ascent, descent = font.getmetrics()
    mask = Image.new("L", (int(font.getlength(char)) + 4, ascent + descent), 0)
    ImageDraw.Draw(mask).text((0, 0), char, font=font, fill=255)
    return mask, font.getlength(char)


def _stamp(image: Image.Image, at: tuple[int, int], text: str, size: int) -> None:
    """Ink `text` (digits, dashes, spaces: the font has no kerning for them) from cached glyphs,
    at a third of the cost of laying the line out with FreeType on every filing."""
    left, top = at
    for char in text:
        mask, advance = _glyph(char, size)
        image.paste(INK, (round(left), top), mask)
        left += advance


def secret_png(code: str, secret: str, track_url: str) -> bytes:
    """Case number and 4×4 secret, large, with where to look the case up."""
    image = _card(track_url).copy()
    _stamp(image, (32, 126), code, 46)
    _stamp(image, (32, 238), format_secret(secret), 56)
    buffer = io.BytesIO()
    # Mapped straight to the palette and run-length coded: ~1.5 ms and ~11 kB, where quantize()
    # and an optimised 8-bit PNG took ~100 ms, most of a filing's CPU time.
    two_bit = image.point(TO_TWO_BITS)
    two_bit.putpalette(GREY_PALETTE)
    two_bit.save(buffer, "PNG", bits=2, compress_type=zlib.Z_RLE)
    return buffer.getvalue()


def secret_data_uri(code: str, secret: str, track_url: str) -> str:
    """The PNG inline, so the secret never travels in a URL."""
    return "data:image/png;base64," + base64.b64encode(secret_png(code, secret, track_url)).decode("ascii")
