"""Write the course's repository URL, set once in pyproject.toml, into every notebook's Colab parts.

Two things in a notebook name the repository: the *Open in Colab* badge in its first cell and the setup
cell that clones it on Colab. The URL lives once, as ``[project.urls] Repository`` in ``pyproject.toml``;
the setup cell's code lives once, in ``tools/colab_setup.py`` (a plain Python file, so ruff checks it).
This tool copies both into ``notebooks/*.ipynb`` and the template of notebooks 03-07, touching nothing
else (outputs and cell ids stay). ``make notebooks`` runs it; CI fails when a notebook disagrees.

A fork changes the one line in pyproject.toml and runs ``make notebooks``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SETUP = ROOT / "tools" / "colab_setup.py"
MARKER = "# Setup: on Colab"
BADGE = re.compile(r"https://colab\.research\.google\.com/github/[^/\"]+/[^/\"]+/blob/main/")


def repository() -> str:
    """The repository URL of ``[project.urls] Repository`` in pyproject.toml, without a trailing ``.git``."""
    url = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
    return url.removesuffix(".git").rstrip("/")


def setup_cell(url: str) -> str:
    """The setup cell's code: tools/colab_setup.py with the repository URL filled in."""
    code, n = re.subn(r'^REPOSITORY = "[^"]*"', f'REPOSITORY = "{url}"', SETUP.read_text().rstrip("\n"),
                      flags=re.M)
    if n != 1:
        raise ValueError(f"{SETUP} must assign REPOSITORY = \"...\" exactly once")
    return code


def sync(path: Path, url: str, setup_code: str) -> bool:
    """Put the badge of ``url`` and ``setup_code`` into the notebook at ``path``; True when it changed."""
    owner_and_name = url.split("github.com/", 1)[1]
    notebook = nbformat.read(path, as_version=4)
    before = nbformat.writes(notebook)
    setup = [cell for cell in notebook.cells if cell.cell_type == "code" and cell.source.startswith(MARKER)]
    if len(setup) != 1:
        raise ValueError(f"{path} needs exactly one code cell starting with {MARKER!r}, found {len(setup)}")
    setup[0].source = setup_code
    first = notebook.cells[0]
    first.source = BADGE.sub(f"https://colab.research.google.com/github/{owner_and_name}/blob/main/", first.source)
    if nbformat.writes(notebook) == before:
        return False
    nbformat.write(notebook, path)
    return True


def main() -> None:
    url = repository()
    if "github.com/" not in url:
        raise SystemExit(f"pyproject.toml's Repository must be a GitHub URL (Colab opens notebooks from GitHub): {url}")
    paths = sorted((ROOT / "notebooks").glob("*.ipynb")) + [ROOT / "tools" / "corpus_notebooks" / "template.ipynb"]
    setup_code = setup_cell(url)
    for path in paths:
        if sync(path, url, setup_code):
            print("synced", path.relative_to(ROOT))


if __name__ == "__main__":
    main()
