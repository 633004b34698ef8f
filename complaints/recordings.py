"""Voice recordings: which container the bytes are, and the same recording without what a phone
or an app writes about the person — a title or artist (often the owner's name), the device, a
place, a time.

Tags are removed with mutagen: ID3 and APE (MP3, AAC), Vorbis comments (Ogg Vorbis, Opus,
Speex, FLAC). A WAV is rewritten by the standard library's wave module, which keeps the samples
and nothing else (RIFF INFO, ID3, bext chunks). MP4/3GP metadata boxes are blanked in place, as
mutagen only clears iTunes tags and a recorder may keep a location beside them. AMR carries no
metadata; WebM recordings come from browsers, which write none, and no maintained library
edits Matroska tags, so they are kept as they are.
"""

import io
import struct
import wave

# mutagen is imported by the functions that use it: few requests carry a recording, and every
# process would pay its import at start (docs/architecture.md).

METADATA_BOXES = {b"udta", b"meta", b"uuid"}


class UnreadableRecording(ValueError):
    """Bytes that are no recording this module can clean."""


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


def _parse_errors() -> tuple[type[BaseException], ...]:
    """What a damaged file makes mutagen or wave raise: the recording is refused, never stored
    half-read."""
    from mutagen import MutagenError

    return (MutagenError, ValueError, OSError, EOFError, struct.error, wave.Error, IndexError)


def clean_recording(data: bytes) -> tuple[bytes, str]:
    """(the recording without its tags, its content type); UnreadableRecording otherwise."""
    if audio_type(data) in ("audio/mpeg", "audio/aac"):
        data = _without_id3_or_ape(data)  # an ID3 tag may also stand before an AAC stream
    content_type = audio_type(data)
    if content_type is None:
        raise UnreadableRecording
    cleaner = CLEANERS.get(content_type)
    try:
        return (cleaner(data) if cleaner else data), content_type
    except _parse_errors():
        raise UnreadableRecording from None


def _without_id3_or_ape(data: bytes) -> bytes:
    from mutagen import apev2, id3

    buffer = io.BytesIO(data)
    try:
        id3.delete(buffer)
        apev2.delete(buffer)
    except _parse_errors():
        raise UnreadableRecording from None
    return buffer.getvalue()


def _without_ogg_comments(data: bytes) -> bytes:
    import mutagen
    from mutagen.oggflac import OggFLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggspeex import OggSpeex
    from mutagen.oggvorbis import OggVorbis

    buffer = io.BytesIO(data)
    found = mutagen.File(buffer, options=[OggVorbis, OggOpus, OggSpeex, OggFLAC])
    if found is None:  # an Ogg stream of no voice codec
        raise UnreadableRecording
    buffer.seek(0)
    found.delete(buffer)
    return buffer.getvalue()


def _rewritten_wav(data: bytes) -> bytes:
    with wave.open(io.BytesIO(data), "rb") as source:
        params, frames = source.getparams(), source.readframes(source.getnframes())
    if not frames:
        raise UnreadableRecording
    output = io.BytesIO()
    with wave.open(output, "wb") as target:
        target.setparams(params)
        target.writeframes(frames)
    return output.getvalue()


def blank_mp4_metadata(data: bytes) -> bytes:
    """Turn metadata boxes (moov/udta, meta: title, device, location) into zeroed free space.

    Sizes stay the same, so the sample offsets that point into mdat stay right."""
    out = bytearray(data)

    def walk(start: int, end: int, depth: int) -> None:
        at = start
        while at + 8 <= end:
            size = int.from_bytes(out[at : at + 4], "big")
            kind = bytes(out[at + 4 : at + 8])
            header = 8
            if size == 1 and at + 16 <= end:
                size, header = int.from_bytes(out[at + 8 : at + 16], "big"), 16
            elif size == 0:
                size = end - at
            if size < header or at + size > end:
                return  # a damaged box: leave the rest as it is
            if kind in METADATA_BOXES:
                out[at + 4 : at + 8] = b"free"
                out[at + header : at + size] = bytes(size - header)
            elif kind in (b"moov", b"trak", b"mdia") and depth < 3:
                walk(at + header, at + size, depth + 1)
            at += size

    walk(0, len(out), 0)
    return bytes(out)


CLEANERS = {
    "audio/ogg": _without_ogg_comments,
    "audio/wav": _rewritten_wav,
    "audio/mp4": blank_mp4_metadata,
    "audio/3gpp": blank_mp4_metadata,
}
