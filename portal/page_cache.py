"""The rendered public pages a worker keeps, by ETag (portal/caching.py decides what goes in)."""

import os
from collections import OrderedDict
from pathlib import Path
from threading import Lock, get_ident


class PageCache:
    """Rendered pages by ETag, least recently used dropped first, bounded in entries and bytes;
    behind it, when a folder is configured, the same pages as files that every worker (and the
    background warm-up after a publication, portal/warming.py) shares.

    Correctness never depends on it: the key names the data, so an entry is never stale, only
    unused. Each worker process has its own memory; the folder is read only on a miss there.
    """

    def __init__(self, entries: int, max_bytes: int, folder: str = "", max_files: int = 2000):
        self.entries, self.max_bytes, self.size = entries, max_bytes, 0
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = Lock()
        self.folder, self.max_files = (Path(folder) if folder and entries else None), max_files

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
                return body
        body = self._read(key)
        if body is not None:
            self._remember(key, body)
        return body

    def put(self, key: str, body: bytes) -> None:
        if self._remember(key, body):
            self._write(key, body)

    def _remember(self, key: str, body: bytes) -> bool:
        if not self.entries or len(body) > self.max_bytes // 4:
            return False
        with self._lock:
            self.size += len(body) - len(self._items.pop(key, b""))
            self._items[key] = body
            while len(self._items) > self.entries or self.size > self.max_bytes:
                self.size -= len(self._items.popitem(last=False)[1])
        return True

    def _read(self, key: str) -> bytes | None:
        if self.folder is None:
            return None
        try:
            return (self.folder / key).read_bytes()
        except OSError:
            return None

    def _write(self, key: str, body: bytes) -> None:
        """Written whole or not at all (another worker may read it at any moment); the oldest
        files go beyond max_files."""
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f".{key}.{os.getpid()}.{get_ident()}"
        partial.write_bytes(body)
        os.replace(partial, self.folder / key)
        files = [path for path in self.folder.iterdir() if not path.name.startswith(".")]
        if len(files) > self.max_files:
            files.sort(key=_modified_or_zero)
            for old in files[: len(files) - self.max_files]:
                old.unlink(missing_ok=True)


def _modified_or_zero(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed by another worker meanwhile
        return 0.0
