"""A feature cache on disk: one entry per audio file, feature group and parameter set.

Layout::

    <cache dir>/<corpus>/<group>-<params hash>/params.json
    <cache dir>/<corpus>/<group>-<params hash>/layout.json     dtype, shape, column names
    <cache dir>/<corpus>/<group>-<params hash>/<aa>/<file hash>.bin

* The **file hash** is a hash of the audio file's bytes, so an edited or
  replaced file gets a new entry while a copied or moved corpus keeps its
  cache. Like git's index, :class:`HashIndex` remembers each file's hash
  with its size and modification time, so an unchanged corpus is not
  re-read on every run (MELD's media alone are about 10 GB).
* The **params hash** covers only the parameters the group uses, so
  changing the pitch floor recomputes prosody and voice quality, not MFCCs.
* An entry is the raw bytes of one array; its dtype, shape and column names
  are stored once per folder in ``layout.json``. Reading 5,000 raw entries
  takes a fraction of a second, where ``.npz`` files spent most of the
  time parsing their headers.
* Entries are written to a temporary file and renamed into place
  (``os.replace`` is atomic), so an interrupted run never leaves a half
  entry, and a re-run computes only what is missing.

The cache lives in ``MMSER_CACHE_DIR`` (default ``~/.cache/mmser``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from mmser_lib import config


def file_hash(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hash of a file's bytes (BLAKE2b, 16 bytes, hex)."""
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


RACY_NS = 3_000_000_000  # files modified less than 3 s ago are always hashed again


class HashIndex:
    """File hashes remembered by (size, modification time), in ``<cache dir>/<corpus>/file_hashes.json``."""

    def __init__(self, corpus: str, root: str | Path | None = None):
        root = Path(root) if root is not None else config.cache_dir()
        self.path = root / (corpus or "other") / "file_hashes.json"
        try:
            self.entries = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.entries = {}
        self.changed = False

    def key(self, path: str | Path) -> str:
        """The content hash of ``path``, re-read only when its size or mtime changed."""
        path = os.path.abspath(path)
        stat = os.stat(path)
        known = self.entries.get(path)
        # A file written in the last few seconds may be rewritten within the same mtime tick
        # ("racy git"): hash it again rather than trust the remembered hash.
        settled = time.time_ns() - stat.st_mtime_ns > RACY_NS
        if known and settled and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            return known[2]
        digest = file_hash(path)
        self.entries[path] = [stat.st_size, stat.st_mtime_ns, digest]
        self.changed = True
        return digest

    def save(self) -> None:
        if self.changed:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write_bytes(self.path, json.dumps(self.entries).encode())
            self.changed = False


def content_keys(paths: list[str], corpora: list[str], failed: dict[str, str]) -> list[str | None]:
    """The content hash of every file (None for one that cannot be read, recorded in ``failed``).

    One :class:`HashIndex` per corpus is read once and saved at the end.
    """
    indexes = {corpus: HashIndex(corpus) for corpus in set(corpora)}
    keys: list[str | None] = []
    for path, corpus in zip(paths, corpora):
        try:
            keys.append(indexes[corpus].key(path))
        except OSError as err:
            failed[path] = f"cannot read the file ({err})"
            keys.append(None)
    for index in indexes.values():
        index.save()
    return keys


def params_hash(group: str, params: dict) -> str:
    """Short hash of a group name, its version and the parameters it uses."""
    text = json.dumps({"group": group, **params}, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def group_dir(corpus: str, group: str, params: dict, root: str | Path | None = None) -> Path:
    """The folder of one corpus, group and parameter set (created, with ``params.json``)."""
    root = Path(root) if root is not None else config.cache_dir()
    folder = root / (corpus or "other") / f"{group}-{params_hash(group, params)}"
    if not (folder / "params.json").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        _atomic_write_bytes(folder / "params.json",
                            json.dumps({"group": group, **params}, indent=2, default=str).encode())
    return folder


def entry_path(folder: Path, key: str) -> Path:
    return folder / key[:2] / f"{key}.bin"


def write_layout(folder: Path, array: np.ndarray, names: list[str] | None = None) -> None:
    """Record the dtype, shape and column names every entry of ``folder`` has (once)."""
    if not (folder / "layout.json").is_file():
        layout = {"dtype": array.dtype.str, "shape": list(array.shape), "names": names}
        _atomic_write_bytes(folder / "layout.json", json.dumps(layout).encode())


def read_layout(folder: Path) -> dict | None:
    """The folder's layout (``dtype``, ``shape``, ``names``), or None before the first entry."""
    try:
        return json.loads((folder / "layout.json").read_text())
    except (OSError, ValueError):
        return None


def read_entry(folder: Path, key: str, layout: dict | None) -> np.ndarray | None:
    """The array stored for ``key``, or None when there is no entry (or a damaged one, to recompute)."""
    if layout is None:
        return None
    path = entry_path(folder, key)
    try:
        flat = np.fromfile(path, dtype=np.dtype(layout["dtype"]))
    except OSError:
        return None
    shape = tuple(layout["shape"])
    if flat.size != int(np.prod(shape)):  # truncated, e.g. by a full disk
        return None
    return flat.reshape(shape)


def write_entry(folder: Path, key: str, array: np.ndarray) -> None:
    """Store ``array`` for ``key`` atomically (temporary file, then rename)."""
    path = entry_path(folder, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write_bytes(path, np.ascontiguousarray(array).tobytes())


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
