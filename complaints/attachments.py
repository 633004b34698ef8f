"""Villagers' photos and voice recordings: checked by content, never by name, and cleaned.

Photos are decoded and re-encoded as plain JPEG, which drops EXIF (GPS, device), XMP and
comments (core/images.py, shared with the projects' site photos). Recordings cannot be
re-encoded without ffmpeg; their container is checked by its magic bytes and their tags are
removed (complaints/recordings.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar


from core import images, storage
from complaints.models import Attachment
from complaints.recordings import UnreadableRecording, clean_recording
from complaints.services import FiledComplaint, file_complaint

AREA = "attachments"
MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_AUDIO_BYTES = 5 * 1024 * 1024
ORPHAN_AGE = timedelta(hours=1)  # a filing stores its files and commits within seconds
StoredFile = tuple[str, str, str, int]  # kind, stored name, content type, size
T = TypeVar("T")


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
    try:
        return CleanFile("image", images.clean_photo(data, filename), "image/jpeg")
    except images.ImageRefused as refused:
        raise AttachmentError(str(refused)) from None


thumbnail = images.thumbnail  # a small JPEG of a stored photo, for the tracking page


def clean_audio(data: bytes, filename: str = "") -> CleanFile:
    """A recording whose content is a known audio container, stripped of its tags."""
    try:
        data, content_type = clean_recording(data)
    except UnreadableRecording:
        raise AttachmentError(f"“{filename}”不是能识别的录音，请用手机录音后再选择") from None
    return CleanFile("audio", data, content_type)


def file_with_attachments(cleaned: list[CleanFile], **filing) -> FiledComplaint:
    """Store the files, then commit the complaint with their rows; never one without the other."""
    filed, stored = store_then(cleaned, lambda stored: file_complaint(**filing, attachments=stored))
    if not filed.secret:  # a retry of a case already filed: the first submission's files stand
        _discard(stored)
    return filed


def store_then(cleaned: list[CleanFile], commit: Callable[[list[StoredFile]], T]) -> tuple[T, list[StoredFile]]:
    """Store the files, then call `commit` with them (it commits their rows); on any error the
    stored files are removed again, so no file outlives a transaction that failed."""
    stored: list[StoredFile] = []
    try:
        for item in cleaned:
            stored.append((item.kind, storage.save(AREA, item.data), item.content_type, len(item.data)))
        return commit(stored), stored
    except BaseException:
        _discard(stored)
        raise


def _discard(stored) -> None:
    for _kind, name, _type, _size in stored:
        storage.delete(AREA, name)


def prune_orphan_files(age: timedelta = ORPHAN_AGE) -> int:
    """Delete attachment files that no complaint names, stored longer ago than `age`; how many.

    file_with_attachments removes its files on any error it sees; these are the files of a worker
    that died between storing them and committing the case (and unfinished writes)."""
    return storage.prune_unnamed(AREA, Attachment.stored_name, age)
