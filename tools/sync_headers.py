"""Write "what you should see" and the measured run time at the top of every notebook.

The text comes from ``tools/notebook_headers.yaml`` (one line per notebook,
true on any run); the run time from ``figures/run_times.json``, which
``tools/make_reference_figures.py`` fills when it makes the references, so
the time a student reads is the one measured, on the machine named. The two
lines are a block quote right after the Colab badge of the first cell;
everything else is left as it is (outputs and cell ids stay). ``make
notebooks`` runs this after the corpus notebooks are written; CI fails when
a notebook disagrees.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
HEADERS = ROOT / "tools" / "notebook_headers.yaml"
TIMES = ROOT / "figures" / "run_times.json"
BLOCK = re.compile(r"\n\n> \*\*What you should see:\*\*.*?(?=\n\n|\Z)", re.S)


def run_time(entry: dict | None) -> str:
    """The run-time sentence of one notebook, from its run_times.json entry."""
    entry = entry or {}
    main, fast = entry.get("main"), entry.get("twin-fast")

    def size(seconds: float) -> str:
        return f"{seconds / 60:.0f} min" if seconds >= 120 else f"{seconds:.0f} s"

    if main is None:
        full = "full settings not measured yet (`make references` records it)"
    else:
        full = (f"{size(main['seconds'])} on {main['cpu_cores']} CPU cores in full settings when the reference was "
                f"made (commit {main['commit']}; a first run on a new machine also writes twins and features, which "
                "the cache keeps)" + (f"; {main['note']}" if main.get("note") else ""))
    if fast is not None:
        full += f"; {size(fast['seconds'])} in the fast settings CI uses (`MMSER_FAST=1`, twins)"
    return full + "; GPU: not measured yet"


def header(text: str, entry: dict | None) -> str:
    """The block quote: what to expect, how long it takes, and (when so) that the outputs are from the fast run."""
    block = f"\n\n> **What you should see:** {text.strip()}\n>\n> **Run time:** {run_time(entry)}."
    if entry and "main" not in entry and "twin-fast" in entry:
        block += ("\n>\n> **The outputs below** come from the fast settings on twins (CI's run, `twin-fast/`): "
                  "expect other numbers in full settings or on the real corpus.")
    return block


def sync(path: Path, text: str, entry: dict | None) -> bool:
    """Put the header into the notebook's first cell; True when it changed."""
    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0]
    badge_end = first.source.find("</a>")
    if first.cell_type != "markdown" or badge_end < 0:
        raise ValueError(f"{path}: the first cell must be markdown with the Colab badge")
    source = BLOCK.sub("", first.source)
    badge_end = source.find("</a>") + len("</a>")
    new = source[:badge_end] + header(text, entry) + source[badge_end:]
    if new == first.source:
        return False
    first.source = new
    nbformat.write(notebook, path)
    return True


def main() -> None:
    texts = yaml.safe_load(HEADERS.read_text())
    times = json.loads(TIMES.read_text()) if TIMES.is_file() else {}
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    missing = sorted({p.stem for p in paths} - set(texts))
    if missing:
        raise SystemExit(f"{HEADERS.name} has no line for {', '.join(missing)}")
    for path in paths:
        if sync(path, texts[path.stem], times.get(path.stem)):
            print("synced", path.relative_to(ROOT))


if __name__ == "__main__":
    main()
