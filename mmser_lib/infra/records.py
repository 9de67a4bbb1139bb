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
    """The commit of the checkout ``mmser_lib`` is imported from (``+dirty`` when its code differs from it).

    What the references' tool writes does not count as a change: ``figures/``,
    and notebooks whose cells' sources are those of the commit (only their
    outputs differ). None when the library is not in a git checkout (an
    installed package).
    """
    root = config.repository_root(Path(__file__).parent)
    if root is None:
        return None
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if changed_files(root) else "")


def changed_files(root: Path) -> list[str]:
    """Tracked files whose content differs from HEAD, leaving out ``figures/`` and notebooks changed in outputs only."""
    try:
        listed = subprocess.run(["git", "-C", str(root), "diff", "HEAD", "--name-only", "--", ".", ":!figures"],
                                capture_output=True, text=True, timeout=10, check=True).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return []
    return [name for name in listed if not (name.endswith(".ipynb") and not _sources_changed(root, name))]


def _sources_changed(root: Path, name: str) -> bool:
    """True when notebook ``name`` differs from HEAD in a cell's type or source (not only in outputs)."""
    try:
        before = subprocess.run(["git", "-C", str(root), "show", f"HEAD:{name}"], capture_output=True, text=True,
                                timeout=10, check=True).stdout
        after = (root / name).read_text()
        cells = [[(c["cell_type"], "".join(c["source"])) for c in json.loads(text)["cells"]]
                 for text in (before, after)]
    except (OSError, subprocess.SubprocessError, ValueError, KeyError):
        return True
    return cells[0] != cells[1]


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
