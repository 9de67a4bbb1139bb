"""Run a notebook on the fast twin, then every Python block of its solutions, in the same kernel.

    python tools/run_solutions.py 02_baseline_vs_two_branch [more notebooks]

Prints, per exercise block, whether it ran and how long it took, and the error of any that failed;
exits 1 if any block failed. Figures go to a temporary folder, never to ``figures/``. Blocks that
need weights that do not ship (HuBERT, BERT) catch the error and say so; that counts as run.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
import make_reference_figures  # noqa: E402  (tools/, beside this script)

from mmser_lib.infra import solutions  # noqa: E402


def run(notebook: str) -> bool:
    make_reference_figures.set_mode(twin=True, fast=True)
    os.environ["MMSER_FIGURES_DIR"] = tempfile.mkdtemp(prefix="solutions-")
    nb = nbformat.read(REPO / "notebooks" / f"{notebook}.ipynb", as_version=4)
    n_notebook = len(nb.cells)
    blocks = solutions.code_blocks(notebook)
    nb.cells += [nbformat.v4.new_code_cell(code) for _, code in blocks]
    client = NotebookClient(nb, timeout=3600, kernel_name="python3",
                            resources={"metadata": {"path": str(REPO / "notebooks")}})
    ok = True
    with client.setup_kernel():
        started = time.perf_counter()
        for index, cell in enumerate(nb.cells[:n_notebook]):
            client.execute_cell(cell, index)
        print(f"{notebook}: notebook ran in {time.perf_counter() - started:.0f} s (fast twin)")
        for offset, (exercise, _) in enumerate(blocks):
            index = n_notebook + offset
            started = time.perf_counter()
            try:
                client.execute_cell(nb.cells[index], index)
                print(f"  exercise {exercise}: ran in {time.perf_counter() - started:.0f} s")
            except CellExecutionError as error:
                ok = False
                print(f"  exercise {exercise}: FAILED\n{str(error)[-1500:]}")
    return ok


if __name__ == "__main__":
    results = [run(name) for name in sys.argv[1:]]
    sys.exit(0 if all(results) else 1)
