"""The saveable picture of the case number and secret."""

import io

from PIL import Image, ImageChops, ImageDraw

from complaints import secret_image
from complaints.secret_image import GREY_PALETTE, secret_png


def test_picture_is_a_small_four_grey_png_of_the_full_card():
    picture = Image.open(io.BytesIO(secret_png("2026-629901101-0123", "1234567812345678", "https://x.cn/track")))
    assert picture.format == "PNG" and picture.size == (secret_image.WIDTH, secret_image.HEIGHT)
    assert picture.mode == "P" and picture.getpalette()[:12] == GREY_PALETTE
    assert len(picture.getcolors()) == 4  # black ink, two greys of anti-aliasing, white paper


def test_cached_glyphs_ink_the_same_line_freetype_lays_out():
    # The digits, dash and space have no kerning, so stamping glyph by glyph must match drawing the line.
    for text, size in (("2026-629901101-0123", 46), ("1234 5678 9012 3456", 56)):
        drawn = Image.new("L", (720, 80), 255)
        ImageDraw.Draw(drawn).text((32, 0), text, font=secret_image._font(size), fill=0)
        stamped = Image.new("L", (720, 80), 255)
        secret_image._stamp(stamped, (32, 0), text, size)
        assert ImageChops.invert(drawn).getbbox() == ImageChops.invert(stamped).getbbox(), text
        assert ImageChops.difference(drawn, stamped).getextrema()[1] <= 8, text
