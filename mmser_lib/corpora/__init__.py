"""Corpus loaders and twins, one module per corpus.

>>> from mmser_lib import corpora
>>> root = corpora.make_twin("ravdess", "/tmp/ravdess_twin", speakers=4)
>>> manifest = corpora.load("ravdess", root)

Or let the notebook setting decide between the real corpus and a twin:

>>> root, is_twin = corpora.corpus_root("ravdess")

``MMSER_<CORPUS>_SPEAKERS`` (e.g. ``MMSER_RAVDESS_SPEAKERS=1-12``) keeps only
those speakers of a real corpus, so a student with the full release can
match a reference made on part of it. Every :func:`load` is remembered in
:data:`LOADED` (speakers, clips, sample rates), which each notebook's
``metrics.json`` records.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import pandas as pd
import soundfile as sf

from mmser_lib import config
from mmser_lib.corpora import crema_d, iemocap, meld, ravdess, tess, twin, twin_text
from mmser_lib.corpora.common import MANIFEST_COLUMNS, CorpusNotFoundError

MODULES = {"crema_d": crema_d, "ravdess": ravdess, "tess": tess, "meld": meld, "iemocap": iemocap}

__all__ = [
    "MANIFEST_COLUMNS", "CorpusNotFoundError", "MODULES", "LOADED", "load", "make_twin", "corpus_root", "is_twin",
    "speaker_filter", "twin", "twin_text",
]

# What this process loaded, by corpus: written into every metrics.json (see mmser_lib.infra.records).
LOADED: dict[str, dict] = {}
# The real corpora this process loaded (a figure is marked "twin" only when there are none).
REAL_LOADED: set[str] = set()


def _module(corpus: str):
    if corpus not in MODULES:
        available = ", ".join(sorted(MODULES))
        raise ValueError(f"unknown corpus {corpus!r}; available: {available}")
    return MODULES[corpus]


def load(corpus: str, root: str | Path, verbose: bool = True, **options) -> pd.DataFrame:
    """Return the manifest (one row per utterance, ``MANIFEST_COLUMNS``) of ``corpus`` under ``root``.

    ``options`` go to the corpus loader (e.g. ``keep_unlabelled`` for IEMOCAP).
    On a real corpus, ``MMSER_<CORPUS>_SPEAKERS`` keeps only the speakers it
    names (:func:`speaker_filter`); the clips dropped are counted and printed.
    """
    manifest = _module(corpus).load(root, verbose=verbose, **options)
    synthetic = is_twin(root)
    wanted = None if synthetic else speaker_filter(corpus)
    if wanted is not None:
        numbers = manifest["speaker"].str.split(":").str[-1]
        keep = numbers.isin(wanted) | numbers.str.lstrip("0").isin({w.lstrip("0") for w in wanted})
        if not keep.any():
            raise ValueError(f"MMSER_{corpus.upper()}_SPEAKERS={os.environ[f'MMSER_{corpus.upper()}_SPEAKERS']} "
                             f"matches none of the {manifest['speaker'].nunique()} speakers under {root} "
                             f"(they look like {', '.join(sorted(numbers.unique())[:4])}); see data/README.md")
        if verbose:
            print(f"{corpus}: kept {int(keep.sum())} of {len(manifest)} clips, the speakers "
                  f"MMSER_{corpus.upper()}_SPEAKERS names")
        manifest = manifest[keep].reset_index(drop=True)
    if not synthetic:
        REAL_LOADED.add(corpus)
    LOADED[corpus] = {"twin": synthetic, "root": Path(root).name, "clips": len(manifest),
                      "speakers": sorted(manifest["speaker"].unique().tolist()),
                      "speaker_filter": os.environ.get(f"MMSER_{corpus.upper()}_SPEAKERS", "").strip() or None,
                      "sample_rates_hz": _sample_rates(manifest["path"])}
    return manifest


def speaker_filter(corpus: str) -> set[str] | None:
    """The speakers ``MMSER_<CORPUS>_SPEAKERS`` names (``"1-12"``, ``"1,3,5-8"``, ``"Ses01F,Ses01M"``), or None.

    Numbers are matched against the part of the speaker id after the colon,
    with or without leading zeros (``ravdess:08`` is speaker 8).
    """
    value = os.environ.get(f"MMSER_{corpus.upper()}_SPEAKERS", "").strip()
    if not value:
        return None
    wanted = set()
    for part in value.split(","):
        part = part.strip()
        ranged = re.fullmatch(r"(\d+)\s*-\s*(\d+)", part)
        if ranged:
            low, high = int(ranged.group(1)), int(ranged.group(2))
            if low > high:
                raise ValueError(f"MMSER_{corpus.upper()}_SPEAKERS: range {part!r} runs backwards")
            wanted |= {str(n) for n in range(low, high + 1)}
        elif part:
            wanted.add(part)
    return wanted


def _sample_rates(paths: pd.Series, at_most: int = 200) -> list[int]:
    """The distinct sample rates among (up to ``at_most``, evenly spaced) files soundfile can read."""
    paths = paths.iloc[:: max(1, len(paths) // at_most)]
    rates = set()
    for path in paths:
        try:
            rates.add(int(sf.info(path).samplerate))
        except (RuntimeError, OSError, TypeError):  # video or a format soundfile cannot read
            continue
    return sorted(rates)


def make_twin(corpus: str, root: str | Path, speakers: int | None = None, seed: int = 0, **options) -> Path:
    """Write a synthetic twin of ``corpus`` with the real layout into ``root``.

    ``speakers`` defaults to the corpus module's own default (2 for TESS,
    10 for IEMOCAP, 8 otherwise).
    """
    if speakers is not None:
        options["speakers"] = speakers
    return _module(corpus).make_twin(root, seed=seed, **options)


def is_twin(root: str | Path) -> bool:
    """True when ``root`` was written by :func:`make_twin` (it holds ``TWIN.json``)."""
    return (Path(root) / "TWIN.json").is_file()


# The twins the notebooks use, once for the whole course: (fast mode, as in CI; full settings).
# Notebooks that ask for the same corpus share one twin on disk, so nothing is synthesised twice.
COURSE_TWINS = {
    "crema_d": (dict(speakers=8, sentences=4), dict(speakers=16, sentences=12)),
    "ravdess": (dict(speakers=8, repetitions=1), dict(speakers=12, repetitions=2)),
    "tess": (dict(words=10), dict(words=40)),
    "meld": (dict(speakers=8, dialogues=(12, 3, 3)), dict(speakers=8, dialogues=(40, 8, 10))),
    "iemocap": (dict(dialogs=2), dict(dialogs=6)),
}
# A smaller RAVDESS twin for notebook 08 in fast mode, where Whisper transcribes every clip on a CPU.
COURSE_TWINS["ravdess_small"] = (dict(speakers=3, repetitions=1), COURSE_TWINS["ravdess"][1])


def course_twin(name: str) -> dict:
    """The twin settings of :data:`COURSE_TWINS` for the current mode (``MMSER_FAST``)."""
    fast, full = COURSE_TWINS[name]
    return dict(fast if config.fast_mode() else full)


def corpus_root(corpus: str, speakers: int | None = None, seed: int = 0, size: str | None = None,
                **options) -> tuple[Path, bool]:
    """Return ``(root, is_twin)``: the real corpus if configured, else a twin.

    The real corpus is named by the environment variable
    ``MMSER_<CORPUS>_ROOT``. Without it a twin is written once under
    ``MMSER_TWIN_DIR`` and reused afterwards: the course's twin
    (:data:`COURSE_TWINS`, by ``size`` when given, else by corpus) unless
    ``speakers`` or other twin options are given.
    """
    if speakers is None and not options:
        options = course_twin(size or corpus)
        speakers = options.pop("speakers", None)
    real = config.corpus_root_from_env(corpus)
    if real is not None:
        if not real.is_dir():
            raise CorpusNotFoundError(
                f"MMSER_{corpus.upper()}_ROOT points at {real}, which does not exist. See data/README.md."
            )
        return real, False
    version = twin.TWIN_VERSIONS.get(corpus, 1)
    tag = "-".join([*([f"v{version}"] if version > 1 else []), f"s{speakers or 'default'}", f"seed{seed}",
                    *(f"{k}{v}" for k, v in sorted(options.items()))])
    return twin_at(corpus, config.twin_dir() / corpus / tag, speakers=speakers, seed=seed, **options), True


def twin_at(corpus: str, root: str | Path, seed: int = 0, progress: bool = True, **options) -> Path:
    """The twin at ``root``, written there first unless a finished one is already there.

    Several processes may ask at once (two notebooks side by side in CI, two
    test workers): one writes the twin under a lock, the others wait and reuse it.
    ``TWIN.json`` is written last, so a half-written twin is written again.
    """
    root = Path(root)
    marker = root / "TWIN.json"
    if not marker.is_file():
        with _twin_lock(root):
            if not marker.is_file():
                make_twin(corpus, root, seed=seed, progress=progress, **options)
    return root


@contextlib.contextmanager
def _twin_lock(root: Path):
    """Hold an exclusive lock on ``<root>.lock`` (POSIX; elsewhere no lock is taken)."""
    try:
        import fcntl
    except ImportError:  # Windows: one process at a time is the user's job
        yield
        return
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f"{root.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
