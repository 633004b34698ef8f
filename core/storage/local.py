"""The local store: a folder per area under UPLOAD_DIR (the single-server default)."""

import os
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

PART = ".part"  # a file being written; renamed to its name once complete


# Areas and names are ours (urlsafe base64 tokens, plain words): anything else could walk out of
# the folder or name what no store holds, and a name of non-ASCII letters (str.isalnum takes 长)
# or too long fails in the OS with another error than FileNotFoundError (a 500 where a form posted one).
VALID_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")


def valid_name(name: str) -> bool:
    return bool(VALID_NAME.fullmatch(name))


class LocalStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _folder(self, area: str) -> Path:
        if not valid_name(area):
            raise FileNotFoundError(area)
        return self.root / area

    def _path(self, area: str, name: str, *, create: bool = False) -> Path:
        if not valid_name(name.removesuffix(PART)):
            raise FileNotFoundError(f"{area}/{name}")
        folder = self._folder(area)
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    def put(self, area: str, name: str, data: bytes) -> None:
        target = self._path(area, name, create=True)
        temporary = target.with_name(name + PART)
        try:
            with open(temporary, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(target)
        except BaseException:
            # A full disk or a quota: the half-written file goes at once, not at the next prune.
            temporary.unlink(missing_ok=True)
            raise

    def open(self, area: str, name: str) -> bytes:
        return self._path(area, name).read_bytes()

    def delete(self, area: str, name: str) -> None:
        try:
            self._path(area, name).unlink()
        except FileNotFoundError:
            pass

    def exists(self, area: str, name: str) -> bool:
        try:
            return self._path(area, name).is_file()
        except FileNotFoundError:
            return False

    def names(self, area: str, *, older_than: timedelta | None = None) -> list[str]:
        """The names in an area (stored longer ago than `older_than`, unfinished writes included);
        without an age, the finished files only."""
        folder = self._folder(area)
        if not folder.is_dir():
            return []
        if older_than is None:
            return sorted(path.name for path in folder.iterdir() if path.is_file() and not path.name.endswith(PART))
        cutoff = time.time() - older_than.total_seconds()
        return sorted(path.name for path in folder.iterdir() if path.is_file() and path.stat().st_mtime < cutoff)

    def everything(self) -> Iterator[tuple[str, str]]:
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and valid_name(folder.name):
                for name in self.names(folder.name):
                    yield folder.name, name
