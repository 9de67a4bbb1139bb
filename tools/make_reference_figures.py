"""Regenerate the committed reference figures by executing the notebooks.

    MMSER_RAVDESS_ROOT=/data/RAVDESS python tools/make_reference_figures.py [NOTEBOOK ...]

Each notebook runs top to bottom in full mode (not MMSER_FAST) and writes
``figures/<notebook>/*.png`` and ``metrics.json``; the notebooks on disk are
left untouched (outputs are not committed: they would embed corpus audio).
Set the ``MMSER_<CORPUS>_ROOT`` variables for the corpora you have; the
others run on twins, and each metrics.json records which.
"""

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    names = sys.argv[1:] or sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    os.environ.pop("MMSER_FAST", None)
    os.environ.pop("MMSER_FIGURES_DIR", None)
    for name in names:
        started = time.perf_counter()
        notebook = nbformat.read(REPO / "notebooks" / f"{name}.ipynb", as_version=4)
        NotebookClient(notebook, timeout=1800, kernel_name="python3",
                       resources={"metadata": {"path": str(REPO / "notebooks")}}).execute()
        print(f"{name}: executed in {time.perf_counter() - started:.0f} s -> figures/{name}/")


if __name__ == "__main__":
    main()
