"""Regenerate the committed reference figures by executing the notebooks.

    MMSER_RAVDESS_ROOT=/data/RAVDESS python tools/make_reference_figures.py [--fast] [NOTEBOOK ...]

Each notebook runs top to bottom in full mode (not MMSER_FAST) and writes
``figures/<notebook>/*.png`` and ``metrics.json`` (a student's run writes
``student/`` instead); the notebooks on disk are left untouched (outputs
are not committed: they would embed corpus audio).
Set the ``MMSER_<CORPUS>_ROOT`` variables for the corpora you have; the
others run on twins, and each metrics.json records which. ``--fast`` keeps
the CI settings (one seed, few epochs), for twin-only notebooks whose full
settings take long on a CPU; their metrics.json says ``"fast_mode": true``.
"""

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    args = sys.argv[1:]
    fast = "--fast" in args
    everything = sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    names = [a for a in args if a != "--fast"] or everything
    if fast:
        os.environ["MMSER_FAST"] = "1"
    else:
        os.environ.pop("MMSER_FAST", None)
    os.environ["MMSER_FIGURES_DIR"] = str(REPO / "figures")  # the one writer of the reference
    for name in names:
        started = time.perf_counter()
        notebook = nbformat.read(REPO / "notebooks" / f"{name}.ipynb", as_version=4)
        NotebookClient(notebook, timeout=1800, kernel_name="python3",
                       resources={"metadata": {"path": str(REPO / "notebooks")}}).execute()
        print(f"{name}: executed in {time.perf_counter() - started:.0f} s -> figures/{name}/")


if __name__ == "__main__":
    main()
