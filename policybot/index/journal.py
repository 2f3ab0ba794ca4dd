"""Vectors an unfinished build already computed, kept so the next build does not compute them again.

A first build of a thousand documents embeds for hours on a small machine. If it is killed (power cut, Ctrl-C,
SIGKILL), the vectors computed so far are in index/embedding.journal and the next build takes them from there
instead of starting over. Records are appended whole and each carries a CRC: a record cut short or damaged
ends the journal there. The journal belongs to one embedding model and is removed once a version is published.

    header   b"PBJRNL1\\n", dim (u32), length of the model id (u32), model id (utf-8)
    record   text hash (24 ascii bytes), vector (dim float32), crc32 of both (u32), all little-endian
"""

from __future__ import annotations

import logging
import os
import struct
import zlib
from collections.abc import Container
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

JOURNAL_FILE = "embedding.journal"
MAGIC = b"PBJRNL1\n"
HASH_BYTES = 24


class EmbedJournal:
    """The vectors embedded so far by builds that did not publish, keyed by chunk text hash."""

    def __init__(self, index_dir: Path, embedder_id: str, dim: int) -> None:
        self.path = index_dir / JOURNAL_FILE
        self.dim = dim
        model = embedder_id.encode("utf-8")
        self._header = MAGIC + struct.pack("<II", dim, len(model)) + model
        self._record = struct.Struct(f"<{HASH_BYTES}s{4 * dim}sI")
        self._file = None

    def open(self, wanted: Container[str]) -> dict[str, np.ndarray]:
        """The vectors recorded by earlier builds of the same model for the wanted text hashes; afterwards
        append() adds to the journal.

        Whatever follows the last whole, intact record is cut off; a journal of another model is started anew."""
        recorded: dict[str, np.ndarray] = {}
        data = self.path.read_bytes() if self.path.is_file() else b""
        keep = 0
        if data.startswith(self._header):
            keep = len(self._header)
            size = self._record.size
            while keep + size <= len(data):
                text_hash, vector, crc = self._record.unpack_from(data, keep)
                if zlib.crc32(text_hash + vector) != crc:
                    log.warning("%s: damaged record at byte %d; the journal ends there", self.path, keep)
                    break
                key = text_hash.rstrip(b"\0").decode("ascii")
                if key in wanted:  # a journal can hold vectors of texts edited since: they are not kept
                    recorded[key] = np.frombuffer(vector, dtype="<f4")
                keep += size
        elif data:
            log.info("%s belongs to another model or format; starting it anew", self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("r+b" if keep else "wb")
        self._file.truncate(keep)
        self._file.seek(keep)
        if not keep:
            self._file.write(self._header)
        return recorded

    def append(self, hashes: list[str], vectors: np.ndarray) -> None:
        """Record vectors durably (written and fsynced) before the build goes on."""
        if self._file is None:
            raise RuntimeError("EmbedJournal.append before open")
        vectors = np.ascontiguousarray(vectors, dtype="<f4")
        if vectors.shape != (len(hashes), self.dim):  # a wrong shape would be cut or padded into a valid record
            raise ValueError(f"journal of {self.dim}-dim vectors got {vectors.shape} for {len(hashes)} texts")
        out = bytearray()
        for text_hash, vector in zip(hashes, vectors, strict=True):
            key = text_hash.encode("ascii").ljust(HASH_BYTES, b"\0")[:HASH_BYTES]
            raw = vector.tobytes()
            out += self._record.pack(key, raw, zlib.crc32(key + raw))
        self._file.write(out)
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        """Stop appending (the journal stays for the next build)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def remove(self) -> None:
        """Delete the journal: its vectors are in the published version now."""
        self.close()
        self.path.unlink(missing_ok=True)
