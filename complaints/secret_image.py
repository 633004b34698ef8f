"""A PNG of the case number and secret that a villager can long-press to save on the phone."""
import base64
import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from complaints.codes import format_secret

FONT_PATH = Path(__file__).resolve().parents[1] / "core" / "fonts" / "wqy-microhei-subset.ttf"
WIDTH, HEIGHT = 720, 470
INK, MUTED, BRAND = 0, 90, 60  # grey levels: the picture is greyscale, a few kB on weak 4G
GREY_PALETTE = [level for shade in range(16) for level in (shade * 17,) * 3]


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size)


def secret_png(code: str, secret: str, track_url: str) -> bytes:
    """Case number and 4×4 secret, large, with where to look the case up."""
    image = Image.new("L", (WIDTH, HEIGHT), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((6, 6, WIDTH - 7, HEIGHT - 7), outline=BRAND, width=4)
    lines = [
        (28, "阳光村务 · 反映问题查询凭证", 30, BRAND),
        (92, "案件编号", 26, MUTED),
        (126, code, 46, INK),
        (204, "查询密码", 26, MUTED),
        (238, format_secret(secret), 56, INK),
        (330, "凭案件编号和查询密码查看办理进展和答复。", 24, MUTED),
        (366, "请妥善保存，不要告诉别人。", 24, MUTED),
        (412, f"查询网址：{track_url}", 22, MUTED),
    ]
    for top, text, size, shade in lines:
        draw.text((32, top), text, font=_font(size), fill=shade)
    buffer = io.BytesIO()
    # Sixteen grey levels are plenty for black text and keep the file small; mapping them
    # directly is ~15× cheaper than quantize() + optimize, which dominated a filing's CPU time.
    four_bit = image.point(lambda value: value // 17)
    four_bit.putpalette(GREY_PALETTE)
    four_bit.save(buffer, "PNG", bits=4)
    return buffer.getvalue()


def secret_data_uri(code: str, secret: str, track_url: str) -> str:
    """The PNG inline, so the secret never travels in a URL."""
    return "data:image/png;base64," + base64.b64encode(secret_png(code, secret, track_url)).decode("ascii")
