"""Where things live: corpus roots, twins, figures.

Every setting is an environment variable so that a notebook, the ``mmser``
command and CI agree without passing paths around:

``MMSER_<CORPUS>_ROOT``
    Folder of a real corpus, e.g. ``MMSER_RAVDESS_ROOT=/data/ravdess``.
    When unset, notebooks write a synthetic twin instead (see ``data/README.md``).
``MMSER_TWIN_DIR``
    Where twins are written (default ``~/.cache/mmser/twins``).
``MMSER_CACHE_DIR``
    Where extracted features are cached (default ``~/.cache/mmser/features``).
``MMSER_FIGURES_DIR``
    Where notebooks save figures and ``metrics.json`` (default: the
    repository's ``student/``, which git ignores). The committed reference
    in ``figures/`` is written only by ``tools/make_reference_figures.py``,
    which points this variable there; a student's run never touches it.
``MMSER_<CORPUS>_SPEAKERS``
    Only these speakers of a real corpus, e.g. ``MMSER_RAVDESS_SPEAKERS=1-12``
    to match a reference made on actors 01-12.
``MMSER_FAST``
    ``1`` makes notebooks use few epochs and small twins (CI sets it).
``MMSER_SEED``
    Overrides the random seed of the notebooks that read :func:`seed`.
``MMSER_GRADE_STRICT``
    ``1`` makes a notebook's closing self-check fail unless its run passes
    against the reference made on the same data (the tests set it).
``MMSER_ALLOW_DOWNLOADS``
    ``1`` lets Hugging Face download a model named by the hub (wav2vec2,
    HuBERT, WavLM, BERT) into its own cache; on by default on Colab, off
    elsewhere (and in the tests), where only local copies are read.
"""

from __future__ import annotations

import os
from pathlib import Path

CORPORA = ("crema_d", "ravdess", "tess", "meld", "iemocap")


def corpus_root_from_env(corpus: str) -> Path | None:
    """Return the real corpus folder named by ``MMSER_<CORPUS>_ROOT``, or None."""
    value = os.environ.get(f"MMSER_{corpus.upper()}_ROOT", "").strip()
    return Path(value).expanduser().resolve() if value else None


def twin_dir() -> Path:
    """Return the folder under which twins are written."""
    value = os.environ.get("MMSER_TWIN_DIR", "").strip()
    return Path(value).expanduser() if value else Path.home() / ".cache" / "mmser" / "twins"


def cache_dir() -> Path:
    """Return the folder of the feature cache."""
    value = os.environ.get("MMSER_CACHE_DIR", "").strip()
    return Path(value).expanduser() if value else Path.home() / ".cache" / "mmser" / "features"


def fast_mode() -> bool:
    """True when ``MMSER_FAST`` asks for few epochs and small twins (CI)."""
    return os.environ.get("MMSER_FAST", "").strip().lower() in {"1", "true", "yes"}


def seed(default: int = 0) -> int:
    """The notebook's random seed: ``MMSER_SEED`` when set, else ``default``.

    ``tools/derive_tolerances.py`` reruns a notebook with seeds 0-4 this way
    to measure how far its numbers move, which sets the grader's tolerances.
    """
    value = os.environ.get("MMSER_SEED", "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"MMSER_SEED must be an integer, got {value!r}") from None


def grade_strict() -> bool:
    """True when ``MMSER_GRADE_STRICT`` asks a notebook's self-check to fail on a verdict other than pass (CI)."""
    return os.environ.get("MMSER_GRADE_STRICT", "").strip().lower() in {"1", "true", "yes"}


def downloads_allowed() -> bool:
    """True when a hub model may be downloaded: ``MMSER_ALLOW_DOWNLOADS=1``, or on Colab unless it is ``0``."""
    import sys

    value = os.environ.get("MMSER_ALLOW_DOWNLOADS", "").strip().lower()
    if value:
        return value in {"1", "true", "yes"}
    return "google.colab" in sys.modules


def repository_root(start: Path | None = None) -> Path | None:
    """Return the mmser checkout containing ``start`` (default: cwd), if any."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "mmser_lib").is_dir() and (folder / "notebooks").is_dir():
            return folder
    return None


STUDENT_DIR = "student"  # a student's figures and metrics.json, next to the reference figures/ (git-ignored)


def figures_dir() -> Path:
    """Return the folder under which ``<notebook>/<figure>.png`` files go (``student/`` unless set)."""
    value = os.environ.get("MMSER_FIGURES_DIR", "").strip()
    if value:
        return Path(value).expanduser()
    repo = repository_root() or repository_root(Path(__file__).parent)
    return (repo or Path.cwd()) / STUDENT_DIR
