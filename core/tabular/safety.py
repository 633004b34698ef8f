"""Checks on an uploaded file before any parser sees it: size, real type, zip bombs, text encoding."""

import codecs
import io
import zipfile
from pathlib import PurePath
from typing import BinaryIO, Literal

from core.problems import Problem, Rejected

MiB = 1024 * 1024
# A real workbook has a dozen parts; thousands of members only cost us time.
MAX_ZIP_MEMBERS = 1000
# Spreadsheet XML deflates about 10–30:1; a bomb reaches ~1000:1. Small parts may compress better.
MAX_ZIP_RATIO = 200
RATIO_FREE_BYTES = 1 * MiB
MAX_UNZIPPED_BYTES = 256 * MiB
_CHUNK = 1 * MiB

# Local file header, or the end record of an empty archive.
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")
_TEXT_SUFFIXES = {".csv", ".txt"}

SAVE_AS = "请用Excel另存为.xlsx或CSV后再上传"
OLD_EXCEL = "这是旧版Excel（.xls）文件或加了密码的Excel文件，" + SAVE_AS + "（不要设密码）"
NOT_TABLE = "文件不是表格，只能上传Excel（.xlsx）或CSV文件"
NOT_XLSX = "文件不是有效的Excel工作簿（.xlsx），" + SAVE_AS
ZIP_BOMB = "文件解压后过大或压缩比异常，拒绝读取；" + SAVE_AS
HAS_NUL = "文件含有空字符，不是文本CSV（可能是UTF-16或二进制文件），请另存为UTF-8或GBK编码的CSV"
UNDECODABLE = "无法识别文件编码，请另存为UTF-8或GBK编码的CSV"


def reject(reason: str) -> Rejected:
    """A Rejected carrying one file-level problem."""
    return Rejected([Problem(reason)])


def _size_text(limit: int) -> str:
    if limit >= MiB:
        return f"{limit / MiB:g}MB"
    return f"{limit / 1024:g}KB" if limit >= 1024 else f"{limit}字节"


def as_stream(data: bytes | BinaryIO, max_bytes: int) -> BinaryIO:
    """A seekable binary stream of the upload, positioned at 0; too large a file is rejected."""
    too_big = reject(f"文件超过{_size_text(max_bytes)}上限")
    if isinstance(data, (bytes, bytearray, memoryview)):
        if len(data) > max_bytes:
            raise too_big
        return io.BytesIO(data)
    if not getattr(data, "seekable", lambda: False)():
        # Read one byte past the limit so an oversized stream is caught without reading it all.
        return as_stream(data.read(max_bytes + 1), max_bytes)
    size = data.seek(0, io.SEEK_END)
    data.seek(0)
    if size > max_bytes:
        raise too_big
    return data


def sniff(stream: BinaryIO, filename: str) -> Literal["xlsx", "csv"]:
    """The file's real type from its first bytes; the name only decides whether text is a CSV."""
    head = stream.read(8)
    stream.seek(0)
    if not head:
        raise reject("文件是空的")
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE2_MAGIC):
        raise reject(OLD_EXCEL)
    if head.startswith(_BINARY_MAGIC):
        raise reject(NOT_TABLE)
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in _TEXT_SUFFIXES:
        return "csv"
    if suffix.startswith(".xl") or suffix == ".et":
        # Finance software often saves an HTML page under a .xls name.
        raise reject("文件内容不是Excel工作簿，" + SAVE_AS)
    raise reject(NOT_TABLE)


def _zip_members(stream: BinaryIO) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(stream) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise reject(NOT_XLSX) from None
    finally:
        stream.seek(0)


def check_zip(stream: BinaryIO, *, max_total: int = MAX_UNZIPPED_BYTES, max_ratio: int = MAX_ZIP_RATIO) -> None:
    """Refuse a non-workbook zip or a zip bomb, from the declared sizes alone (nothing is inflated)."""
    members = _zip_members(stream)
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise reject(NOT_XLSX)
    if any(member.flag_bits & 0x1 for member in members):
        raise reject(NOT_XLSX)
    if len(members) > MAX_ZIP_MEMBERS:
        raise reject(ZIP_BOMB)
    # zipfile stops inflating at the declared size and checks the CRC, so declared sizes bind.
    if sum(member.file_size for member in members) > max_total:
        raise reject(ZIP_BOMB)
    for member in members:
        if member.file_size > RATIO_FREE_BYTES and member.file_size > max_ratio * max(member.compress_size, 1):
            raise reject(ZIP_BOMB)


def _decodes(stream: BinaryIO, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    stream.seek(0)
    try:
        while chunk := stream.read(_CHUNK):
            if b"\x00" in chunk:
                raise reject(HAS_NUL)
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return True
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)


def detect_encoding(stream: BinaryIO) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as such, else GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        if _decodes(stream, encoding):
            return encoding
    raise reject(UNDECODABLE)
