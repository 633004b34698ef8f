"""Photos people upload (villagers' complaint photos, project site photos): checked by content,
never by name, and cleaned.

A photo is decoded and re-encoded as a plain JPEG of bounded size, which drops EXIF (GPS, device),
XMP and comments. Pillow is imported with the first photo, not with the app."""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

MAX_SIDE = 2000
# Pixel caps, read from the file's header before anything is decoded. A JPEG decodes at a reduced
# scale (draft), so a 48-megapixel phone photo costs about what a 12-megapixel one does; PNG, WebP
# and the rest decode whole, and a few 60-megapixel PNGs (tiny files when flat) would hold a worker
# for seconds each. A phone screenshot is under 4 megapixels, a phone photo 12.
MAX_PIXELS_SCALED = 50_000_000
MAX_PIXELS_WHOLE = 16_000_000
SCALED_FORMATS = {"JPEG", "MPO"}
JPEG_QUALITY = 85
THUMB_SIDE = 240
# MPO is how Pillow names the JPEG that many phone cameras write (a JPEG with a depth image).
PHOTO_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF", "AVIF"}


class ImageRefused(ValueError):
    """A file that is not a photo we take; the message is for the person who chose it."""


def clean_photo(data: bytes, filename: str = "", max_side: int = MAX_SIDE) -> bytes:
    """Decode a photo whatever its name says; re-encode it as a bare JPEG of at most max_side px."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    refused = ImageRefused(f"“{filename}”不是能识别的照片，请选择手机拍的照片（JPG、PNG 等）")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in PHOTO_FORMATS:
                raise refused
            _check_pixels(image, filename)
            image.draft("RGB", (max_side, max_side))  # JPEG only: decode at a smaller scale, faster
            image = ImageOps.exif_transpose(image)  # keep it upright once the EXIF is gone
            image = _flatten(image)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ) as error:
        raise (error if isinstance(error, ImageRefused) else refused) from None
    image.thumbnail((max_side, max_side))
    return jpeg(image)


def _check_pixels(image: Image.Image, filename: str) -> None:
    """Refuse on the header's size alone: Image.open has read nothing else yet."""
    limit = MAX_PIXELS_SCALED if image.format in SCALED_FORMATS else MAX_PIXELS_WHOLE
    if image.width * image.height > limit:
        raise ImageRefused(
            f"照片“{filename}”像素太多（{image.width}×{image.height}），"
            f"这种格式的照片最多{limit // 10_000}万像素。请用手机相机直接拍一张，或截图后再上传"
        )


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white (transparent PNGs would turn black), with no metadata carried along."""
    from PIL import Image

    image.load()
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
    else:
        flat = image.convert("RGB")
    flat.info = {}
    return flat


def jpeg(image: Image.Image, quality: int = JPEG_QUALITY) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def thumbnail(data: bytes, side: int = THUMB_SIDE) -> bytes:
    """A small JPEG of a stored (already clean) photo."""
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.draft("RGB", (side, side))
    image = image.convert("RGB")
    image.thumbnail((side, side))
    return jpeg(image, 75)
