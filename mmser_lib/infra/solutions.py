"""The exercise solutions of ``solutions/``: which file answers which notebook, and its code blocks.

Each numbered notebook ends with ``## Exercises``, a numbered list. Its solutions are in
``solutions/<notebook>.md`` (the corpus notebooks 03-07 share ``solutions/corpus_notebooks.md``), one
``## Exercise N: ...`` section per exercise, with Python code blocks that run in the notebook's kernel
after "Run all" (``tools/run_solutions.py`` does exactly that on the fast twin).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
SHARED = {"03_crema_d", "04_ravdess", "05_tess", "06_meld", "07_iemocap"}  # one template, one solutions file
_CODE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
_EXERCISE = re.compile(r"^## Exercise (\d+)\b", re.MULTILINE)


def solutions_file(notebook: str) -> Path:
    """The Markdown file that holds the solutions of ``notebook`` (e.g. "02_baseline_vs_two_branch")."""
    name = "corpus_notebooks" if notebook in SHARED else notebook
    return REPO / "solutions" / f"{name}.md"


def exercise_count(notebook: str) -> int:
    """How many exercises the notebook's ``## Exercises`` list has (0 when it has none)."""
    cells = nbformat.read(REPO / "notebooks" / f"{notebook}.ipynb", as_version=4).cells
    for cell in cells:
        if cell.cell_type == "markdown" and "## Exercises" in cell.source:
            listed = cell.source.split("## Exercises", 1)[1]
            return len(re.findall(r"^\d+\. ", listed, re.MULTILINE))
    return 0


def solved_exercises(notebook: str) -> list[int]:
    """The exercise numbers that have a ``## Exercise N`` section in the solutions file, in order."""
    return [int(n) for n in _EXERCISE.findall(solutions_file(notebook).read_text())]


def code_blocks(notebook: str) -> list[tuple[int, str]]:
    """(exercise number, code) of every Python block in the solutions file, in order."""
    text = solutions_file(notebook).read_text()
    starts = [(m.start(), int(m.group(1))) for m in _EXERCISE.finditer(text)]
    blocks = []
    for match in _CODE.finditer(text):
        before = [n for start, n in starts if start < match.start()]
        if before:
            blocks.append((before[-1], match.group(1)))
    return blocks
