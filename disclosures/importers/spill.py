"""Checked rows parked on disk between the checking pass and the storing pass of a big file.

The rows hold ID numbers and bank accounts in clear, so each chunk is sealed (AES-GCM) under a
key that exists only in this process's memory: the unnamed temporary file is unreadable, even
from a disk image, once the import is over. Only this process writes and reads it, and the GCM
tag authenticates every chunk before it is unpickled.
"""

import pickle
import tempfile
from collections.abc import Iterator

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CHUNK_ROWS = 5000
_LENGTH = 8


class RowSpill:
    """Row dicts written in chunks, read back once in the same order."""

    def __init__(self, chunk_rows: int = CHUNK_ROWS):
        self._file = tempfile.TemporaryFile()
        self._seal = AESGCM(AESGCM.generate_key(bit_length=128))
        self._chunk_rows = chunk_rows
        self._names: tuple[str, ...] | None = None
        self._pending: list[tuple] = []
        self._chunks = 0
        self.rows = 0

    def add(self, row: dict) -> None:
        # Every row dict of a template has the same keys in the same order: store the values.
        if self._names is None:
            self._names = tuple(row)
        self._pending.append(tuple(row.values()))
        self.rows += 1
        if len(self._pending) >= self._chunk_rows:
            self._flush()

    def _nonce(self, number: int) -> bytes:
        return number.to_bytes(12, "big")

    def _flush(self) -> None:
        sealed = self._seal.encrypt(self._nonce(self._chunks), pickle.dumps(self._pending, protocol=5), None)
        self._file.write(len(sealed).to_bytes(_LENGTH, "big") + sealed)
        self._chunks += 1
        self._pending = []

    def chunks(self) -> Iterator[list[dict]]:
        """The rows as they were added, a chunk at a time."""
        if self._pending:
            self._flush()
        self._file.seek(0)
        names = self._names or ()
        for number in range(self._chunks):
            size = int.from_bytes(self._file.read(_LENGTH), "big")
            values = pickle.loads(self._seal.decrypt(self._nonce(number), self._file.read(size), None))
            yield [dict(zip(names, row)) for row in values]

    def close(self) -> None:
        self._file.close()
