"""What a notebook or a run records next to its numbers, so a grader can tell where they came from.

``figures/<notebook>/metrics.json`` holds the numbers a grader compares,
with their provenance: which data (real corpus or twin), the package
versions and the git commit of the code that made them.
"""

from __future__ import annotations

import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import numpy as np

from mmser_lib import config
from mmser_lib.plots import figure_path

PACKAGES = ("tensorflow", "tensorflow-cpu", "keras", "numpy", "librosa", "scikit-learn", "espeakng-loader",
            "praat-parselmouth", "opensmile", "av", "torch", "faster-whisper", "openai-whisper", "transformers",
            "sentence-transformers", "jiwer", "statsmodels", "imbalanced-learn")


def git_commit() -> str | None:
    """The commit of the checkout ``mmser_lib`` is imported from (``+dirty`` when tracked files differ).

    None when the library is not in a git checkout (an installed package).
    """
    root = config.repository_root(Path(__file__).parent)
    if root is None:
        return None
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


def package_versions() -> dict[str, str]:
    """Versions of the packages that shape the numbers (those installed)."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def write_metrics(notebook: str, metrics: dict, data: dict) -> Path:
    """Write ``figures/<notebook>/metrics.json``.

    Parameters
    ----------
    metrics : the numbers a grader compares (nested dicts of floats).
    data : provenance: which corpus (real or twin), root, split, seed.

    The file also records ``fast_mode`` (``MMSER_FAST``), every corpus this
    process loaded (:data:`mmser_lib.corpora.LOADED`: speakers, clips,
    sample rates, the speaker filter), the git commit and package versions.
    """
    from mmser_lib.corpora import LOADED

    path = figure_path(notebook, "metrics").with_suffix(".json")
    payload = {"notebook": notebook, "data": data, "fast_mode": config.fast_mode(), "corpora": dict(LOADED),
               "git_commit": git_commit(), "versions": package_versions(), "metrics": metrics}
    path.write_text(json.dumps(payload, indent=2, default=_to_builtin) + "\n")
    return path


def _to_builtin(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value)} to JSON")
