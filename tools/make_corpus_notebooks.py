"""Write the five per-corpus notebooks (03-07) from one template, so they stay alike.

The shared walk (find, load, count, listen, look, extract, cache, explore)
is ``tools/corpus_notebooks/template.ipynb``; what differs per corpus (title,
introduction, the column to count by, cells of its own) is
``tools/corpus_notebooks/corpora.yaml``. Edit those two files, never the five
notebooks, then run ``make notebooks`` (CI fails when a notebook and its
template disagree). Every other notebook is its own source.

Outputs already in a notebook are kept for every cell whose text did not
change, so committed outputs survive a regeneration; cell ids are fixed.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "tools" / "corpus_notebooks" / "template.ipynb"
CORPORA = ROOT / "tools" / "corpus_notebooks" / "corpora.yaml"
MARKER = "<<corpus cells>>"


def render(template: nbformat.NotebookNode, corpus: str, spec: dict) -> nbformat.NotebookNode:
    """The template with the corpus's values filled in and its own cells in place of the marker cell."""
    values = {"corpus": corpus, "CORPUS": corpus.upper(), **{k: str(v) for k, v in spec.items() if k != "cells"}}
    notebook = copy.deepcopy(template)
    cells = []
    for cell in notebook.cells:
        if cell.source.strip() == MARKER:
            for k, own in enumerate(spec.get("cells", [])):
                kind, text = next(iter(own.items()))
                new = new_markdown_cell(text) if kind == "markdown" else new_code_cell(text)
                new.id = f"{corpus.replace('_', '-')}-{k:02d}"
                cells.append(new)
            continue
        for key, value in values.items():
            cell.source = cell.source.replace(f"<<{key}>>", value)
        cells.append(cell)
    notebook.cells = cells
    return notebook


def keep_outputs(new: nbformat.NotebookNode, path: Path) -> None:
    """Copy outputs from the notebook at ``path`` into ``new`` for cells with the same id and text."""
    if not path.is_file():
        return
    old = {cell.get("id"): cell for cell in nbformat.read(path, as_version=4).cells}
    for cell in new.cells:
        before = old.get(cell.get("id"))
        if cell.cell_type == "code" and before is not None and before.source == cell.source:
            cell.outputs = before.get("outputs", [])
            cell.execution_count = before.get("execution_count")


def main() -> None:
    template = nbformat.read(TEMPLATE, as_version=4)
    corpora = yaml.safe_load(CORPORA.read_text())
    for corpus, spec in corpora.items():
        path = ROOT / "notebooks" / f"{spec['number']}_{corpus}.ipynb"
        notebook = render(template, corpus, spec)
        keep_outputs(notebook, path)
        nbformat.validate(notebook)
        nbformat.write(notebook, path)
        print("wrote", path.relative_to(ROOT))


if __name__ == "__main__":
    main()
