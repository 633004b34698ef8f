"""Villagers' photos and voice recordings: checked by content, never by name, and cleaned.

Photos are decoded and re-encoded as plain JPEG, which drops EXIF (GPS, device), XMP and
comments. Recordings cannot be re-encoded without ffmpeg; their container is checked by its
magic bytes, and an MP4/M4A's metadata boxes (where a recorder may keep a location) are blanked.
"""
import io
import warnings
from dataclasses import dataclass
from datetime import timedelta

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from core import storage
from core.extensions import db
from complaints.models import Attachment
from complaints.services import FiledComplaint, file_complaint

AREA = "attachments"
MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_AUDIO_BYTES = 5 * 1024 * 1024
MAX_SIDE = 2000
MAX_PIXELS = 60_000_000  # a 60-megapixel photo is already beyond any phone's camera
JPEG_QUALITY = 85
THUMB_SIDE = 240
ORPHAN_AGE = timedelta(hours=1)  # a filing stores its files and commits within seconds
NAMES_PER_QUERY = 500
# MPO is how Pillow names the JPEG that many phone cameras write (a JPEG with a depth image).
PHOTO_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF", "AVIF"}


class AttachmentError(ValueError):
    """A file refused; the message is for the person who chose it."""


@dataclass(frozen=True)
class CleanFile:
    kind: str  # image / audio
    data: bytes
    content_type: str


def clean_uploads(photos, voice) -> list[CleanFile]:
    """Every chosen file checked and cleaned, or AttachmentError for the first bad one."""
    photos = [photo for photo in photos or [] if photo and photo.filename]
    if len(photos) > MAX_PHOTOS:
        raise AttachmentError(f"最多只能上传{MAX_PHOTOS}张照片，您选了{len(photos)}张")
    cleaned = [clean_photo(_read(photo, MAX_PHOTO_BYTES, "照片"), photo.filename) for photo in photos]
    if voice and voice.filename:
        cleaned.append(clean_audio(_read(voice, MAX_AUDIO_BYTES, "录音"), voice.filename))
    return cleaned


def _read(upload, limit: int, what: str) -> bytes:
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise AttachmentError(f"{what}“{upload.filename}”太大了，每个不能超过{limit // (1024 * 1024)} MB")
    if not data:
        raise AttachmentError(f"{what}“{upload.filename}”是空的，请重新选择")
    return data


def clean_photo(data: bytes, filename: str = "") -> CleanFile:
    """Decode a photo whatever its name says; re-encode it as a bare JPEG of at most 2000 px."""
    refused = AttachmentError(f"“{filename}”不是能识别的照片，请选择手机拍的照片（JPG、PNG 等）")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in PHOTO_FORMATS:
                raise refused
            if image.width * image.height > MAX_PIXELS:
                raise AttachmentError(f"照片“{filename}”像素太多，请换一张")
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG only: decode at a smaller scale, faster
            image = ImageOps.exif_transpose(image)  # keep it upright once the EXIF is gone
            image = _flatten(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError) as error:
        raise (error if isinstance(error, AttachmentError) else refused) from None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    return CleanFile("image", _jpeg(image), "image/jpeg")


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white (transparent PNGs would turn black), with no metadata carried along."""
    image.load()
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
    else:
        flat = image.convert("RGB")
    flat.info = {}
    return flat


def _jpeg(image: Image.Image, quality: int = JPEG_QUALITY) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def thumbnail(data: bytes) -> bytes:
    """A small JPEG of a stored (already clean) photo for the tracking page."""
    image = Image.open(io.BytesIO(data))
    image.draft("RGB", (THUMB_SIDE, THUMB_SIDE))
    image = image.convert("RGB")
    image.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return _jpeg(image, 75)


def audio_type(data: bytes) -> str | None:
    """The content type a recording's first bytes prove, or None."""
    head = data[:16]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:9] == b"#!AMR-WB\n":
        return "audio/amr-wb"
    if head[:6] == b"#!AMR\n":
        return "audio/amr"
    if head[4:8] == b"ftyp":
        return "audio/3gpp" if head[8:11] == b"3gp" else "audio/mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "audio/webm"
    if head[:3] == b"ID3":
        return "audio/mpeg"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        # An MPEG frame: layer bits 00 mean AAC in ADTS framing, anything else MP3.
        return "audio/aac" if head[1] & 0x06 == 0 else "audio/mpeg"
    return None


def clean_audio(data: bytes, filename: str = "") -> CleanFile:
    """A recording whose content is a known audio container; MP4 metadata blanked."""
    content_type = audio_type(data)
    if content_type is None:
        raise AttachmentError(f"“{filename}”不是能识别的录音，请用手机录音后再选择")
    if content_type in ("audio/mp4", "audio/3gpp"):
        data = blank_mp4_metadata(data)
    return CleanFile("audio", data, content_type)


METADATA_BOXES = {b"udta", b"meta", b"uuid"}


def blank_mp4_metadata(data: bytes) -> bytes:
    """Turn metadata boxes (moov/udta, meta: title, device, location) into zeroed free space.

    Sizes stay the same, so the sample offsets that point into mdat stay right."""
    out = bytearray(data)

    def walk(start: int, end: int, depth: int) -> None:
        at = start
        while at + 8 <= end:
            size = int.from_bytes(out[at:at + 4], "big")
            kind = bytes(out[at + 4:at + 8])
            header = 8
            if size == 1 and at + 16 <= end:
                size, header = int.from_bytes(out[at + 8:at + 16], "big"), 16
            elif size == 0:
                size = end - at
            if size < header or at + size > end:
                return  # a damaged box: leave the rest as it is
            if kind in METADATA_BOXES:
                out[at + 4:at + 8] = b"free"
                out[at + header:at + size] = bytes(size - header)
            elif kind in (b"moov", b"trak", b"mdia") and depth < 3:
                walk(at + header, at + size, depth + 1)
            at += size

    walk(0, len(out), 0)
    return bytes(out)


def file_with_attachments(cleaned: list[CleanFile], **filing) -> FiledComplaint:
    """Store the files, then commit the complaint with their rows; never one without the other."""
    stored: list[tuple[str, str, str, int]] = []
    try:
        for item in cleaned:
            stored.append((item.kind, storage.save(AREA, item.data), item.content_type, len(item.data)))
        filed = file_complaint(**filing, attachments=stored)
    except BaseException:
        _discard(stored)
        raise
    if not filed.secret:  # a retry of a case already filed: the first submission's files stand
        _discard(stored)
    return filed


def _discard(stored) -> None:
    for _kind, name, _type, _size in stored:
        storage.delete(AREA, name)


def prune_orphan_files(age: timedelta = ORPHAN_AGE) -> int:
    """Delete attachment files that no complaint names, stored longer ago than `age`; how many.

    file_with_attachments removes its files on any error it sees; these are the files of a worker
    that died between storing them and committing the case (and unfinished writes)."""
    names = storage.stale_names(AREA, age)
    named: set[str] = set()
    for start in range(0, len(names), NAMES_PER_QUERY):
        named.update(db.session.scalars(select(Attachment.stored_name).where(
            Attachment.stored_name.in_(names[start:start + NAMES_PER_QUERY]))))
    orphans = [name for name in names if name not in named]
    for name in orphans:
        storage.delete(AREA, name)
    return len(orphans)
