"""The per-file cache, and the one map that serves features, SSL embeddings and transcripts.

:func:`cached_map` is the loop all three share: for every row of a manifest
it looks up each value in the cache (keyed by the file's content and the
parameters), computes only what is missing (in batches, optionally in
worker processes through joblib, so a Dask cluster works too), writes the
new entries, and counts hits, computed files and failures.

Layout on disk::

    <cache dir>/<corpus>/<group>-<params hash>/params.json
    <cache dir>/<corpus>/<group>-<params hash>/layout.json     dtype, shape, column names
    <cache dir>/<corpus>/<group>-<params hash>/<aa>/<file hash>.bin    (an array)
    <cache dir>/<corpus>/<group>-<params hash>/<aa>/<file hash>.json   (a text: a transcript)

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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from mmser_lib import config

# Below this many files, starting worker processes costs more than it saves.
MIN_FILES_FOR_PARALLEL = 64


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


def read_text(folder: Path, key: str) -> str | None:
    """The text stored for ``key`` (a transcript), or None when there is none."""
    try:
        return json.loads(entry_path(folder, key).with_suffix(".json").read_text())["text"]
    except (OSError, ValueError, KeyError):
        return None


def write_text(folder: Path, key: str, text: str) -> None:
    """Store ``text`` for ``key`` atomically."""
    path = entry_path(folder, key).with_suffix(".json")
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write_bytes(path, json.dumps({"text": text}).encode())


@dataclass
class Computed:
    """What a compute function returns for one file.

    ``values`` : group -> array (or str for text groups); empty when ``error`` is set.
    ``names`` : group -> column names of an array group (stored once in ``layout.json``).
    ``info`` : anything the caller wants to add up (CPU seconds, audio seconds).
    """

    values: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    error: str | None = None


@dataclass
class Job:
    """One file to compute: its row, its source (a path, or an in-memory array) and the groups missing."""

    row: int
    source: object
    groups: list[str]


@dataclass
class MapResult:
    """What :func:`cached_map` returns.

    ``values`` : one dict group -> value per manifest row, or None for a file that failed.
    ``names`` : group -> column names (array groups that have them).
    ``computed`` : (row, :class:`Computed`) of every file computed in this call, for its ``info``.
    """

    values: list
    names: dict
    computed: list
    n_files: int = 0
    cache_hits: int = 0
    failed: dict = field(default_factory=dict)


def row_sources(manifest: pd.DataFrame) -> list:
    """Each row's source: the array of its ``audio`` column when it has one, else its ``path``."""
    paths = manifest["path"].astype(str).tolist()
    if "audio" not in manifest:
        return paths
    return [a if isinstance(a, np.ndarray) else p for p, a in zip(paths, manifest["audio"])]


def cached_map(
    manifest: pd.DataFrame,
    groups: dict[str, dict],
    compute: Callable[[list[Job]], list[Computed]],
    use_cache: bool = True,
    text: bool = False,
    batch_size: int = 1,
    n_jobs: int | None = 1,
    in_workers: bool = False,
    progress: bool = True,
    desc: str = "files",
    similar_lengths: bool = False,
) -> MapResult:
    """Every group's value for every row of ``manifest``, from the cache or computed.

    Parameters
    ----------
    manifest : rows with ``path`` and ``corpus`` (and optionally ``audio``:
        in-memory arrays, computed every time and never cached).
    groups : group name -> the parameters its values depend on (the cache key).
    compute : a module-level function (it may be sent to worker processes)
        taking a batch of :class:`Job` and returning one :class:`Computed` each.
    text : the values are strings (transcripts), stored as JSON.
    batch_size : jobs per call of ``compute`` (Whisper decodes a batch at once);
        entries are written after each call, so an interrupted run keeps them.
    n_jobs : worker processes through joblib (1: in this process, None: every
        core); under ``joblib.parallel_config(backend="dask")`` the workers are
        a Dask cluster's. Entries are written here, by this process, so workers
        need no access to the cache folder.
    in_workers : use worker processes however few the files (for libraries
        that must not load in this process).
    similar_lengths : put files of similar length in one batch (sorted by file
        size, or by length for in-memory audio), for a ``compute`` that pads a
        batch to its longest clip; the values do not depend on the order.

    Returns
    -------
    :class:`MapResult`
    """
    corpora = (manifest["corpus"].astype(str) if "corpus" in manifest else pd.Series("other", manifest.index)).tolist()
    sources = row_sources(manifest)
    result = MapResult(values=[{} for _ in sources], names={}, computed=[], n_files=len(sources))
    folders: dict[tuple[str, str], Path] = {}
    layouts: dict[tuple[str, str], dict | None] = {}
    keys: list[str | None] = [None] * len(sources)
    if use_cache:
        indexes = {c: HashIndex(c) for c in set(corpora)}
        for corpus in indexes:
            for group, params in groups.items():
                folders[corpus, group] = group_dir(corpus, group, params)
                layouts[corpus, group] = None if text else read_layout(folders[corpus, group])
                if layouts[corpus, group] and layouts[corpus, group].get("names"):
                    result.names[group] = layouts[corpus, group]["names"]
    jobs = []
    for i, (source, corpus) in enumerate(zip(sources, corpora)):
        missing = list(groups)
        if use_cache and not isinstance(source, np.ndarray):
            try:
                keys[i] = indexes[corpus].key(source)
            except OSError as err:
                result.failed[source] = f"cannot read the file ({err})"
                result.values[i] = None
                continue
            missing = []
            for group in groups:
                folder = folders[corpus, group]
                value = read_text(folder, keys[i]) if text else read_entry(folder, keys[i], layouts[corpus, group])
                if value is None:
                    missing.append(group)
                else:
                    result.values[i][group] = value
        if missing:
            jobs.append(Job(i, source, missing))
        else:
            result.cache_hits += 1
    if use_cache:
        for index in indexes.values():
            index.save()

    if similar_lengths:
        jobs.sort(key=_source_size)
    batches = [jobs[k:k + batch_size] for k in range(0, len(jobs), batch_size)]
    bar = tqdm(total=len(jobs), desc=desc, unit="file", disable=not progress or not jobs)
    for batch, outputs in zip(batches, _map_batches(compute, batches, n_jobs, in_workers)):
        for job, output in zip(batch, outputs):
            if output.error:
                name = job.source if isinstance(job.source, str) else f"row {job.row} (in-memory audio)"
                result.failed[name] = output.error
                result.values[job.row] = None
                continue
            result.values[job.row].update(output.values)
            result.names.update(output.names)
            result.computed.append((job.row, output))
            if keys[job.row] is None:
                continue
            corpus = corpora[job.row]
            for group, value in output.values.items():
                folder = folders[corpus, group]
                if text:
                    write_text(folder, keys[job.row], value)
                else:
                    write_layout(folder, value, output.names.get(group))
                    write_entry(folder, keys[job.row], value)
        bar.update(len(batch))
    bar.close()
    return result


def _source_size(job: Job) -> int:
    """A job's length for :func:`cached_map`'s ``similar_lengths``: samples in memory, else bytes on disk."""
    if isinstance(job.source, np.ndarray):
        return len(job.source)
    try:
        return os.path.getsize(job.source)
    except OSError:
        return 0


def _map_batches(compute: Callable, batches: list, n_jobs: int | None, in_workers: bool):
    """``compute`` over ``batches``, in this process or in joblib workers, yielding results in order."""
    n_jobs = joblib.cpu_count() if n_jobs is None else n_jobs
    n_files = sum(len(batch) for batch in batches)
    if in_workers:
        n_jobs = max(n_jobs, 2)  # joblib runs n_jobs=1 in this process
    elif n_jobs == 1 or n_files < MIN_FILES_FOR_PARALLEL:
        return (compute(batch) for batch in batches)
    calls = (joblib.delayed(compute)(batch) for batch in batches)
    return joblib.Parallel(n_jobs=n_jobs, return_as="generator", batch_size=8)(calls)
