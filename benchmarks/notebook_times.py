"""How long every notebook takes in full settings (and in the fast CI settings), side by side.

    python benchmarks/notebook_times.py            # the times recorded when the references were made
    python benchmarks/notebook_times.py --run      # execute every notebook now, full settings, into a temp folder

``tools/make_reference_figures.py`` records each notebook's run time and
the CPU cores in ``figures/run_times.json`` (and in the reference's
``metrics.json``); without ``--run`` this script prints those, with the
data each main reference was made on, so the table belongs to the
committed references. ``--run``
measures again on this machine (the corpora of ``MMSER_<CORPUS>_ROOT``,
twins for the rest) and writes nothing into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))


def recorded(name: str, label: str) -> dict | None:
    """The recorded time of one notebook's reference (``main``, ``twin``, ``twin-fast``), with its data."""
    times_path = REPO / "figures" / "run_times.json"
    times = json.loads(times_path.read_text()) if times_path.is_file() else {}
    entry = times.get(name, {}).get(label)
    if entry is None:
        return None
    folder = REPO / "figures" / name / ("" if label == "main" else label)
    data = "twins"
    if (folder / "metrics.json").is_file():
        corpora = json.loads((folder / "metrics.json").read_text()).get("corpora") or {}
        real = sorted(c for c, info in corpora.items() if not info.get("twin"))
        data = ("real " + ", ".join(real)) if real else "twins"
    elif label == "main":
        data = "writes no figures"
    return {**entry, "data": data}


def table(rows: list[tuple[str, dict | None, dict | None]]) -> str:
    """Markdown: notebook, full-settings time and data, fast-settings time."""
    lines = ["| notebook | full settings | data | fast (CI) settings | commit |", "|---|---|---|---|---|"]
    full_total = fast_total = 0.0
    for name, full, fast in rows:
        full_s = f"{full['seconds'] / 60:.1f} min" if full else "not recorded"
        if full and full.get("note"):  # e.g. another job shared the CPU: an upper bound
            full_s += " (*)"
        fast_s = f"{fast['seconds']:.0f} s" if fast else "not recorded"
        full_total += full["seconds"] if full else 0.0
        fast_total += fast["seconds"] if fast else 0.0
        lines.append(f"| {name} | {full_s} | {full['data'] if full else '-'} | {fast_s} | "
                     f"{full['commit'] if full else '-'} |")
    lines.append(f"| **total** | **{full_total / 60:.1f} min** | | **{fast_total / 60:.1f} min** | |")
    notes = sorted({full["note"] for _, full, _ in rows if full and full.get("note")})
    lines += [f"\n(*) {note}" for note in notes]
    return "\n".join(lines)


def main() -> None:
    import make_reference_figures as mrf

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", action="store_true", help="execute every notebook now (full settings)")
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args()
    names = args.notebooks or mrf.notebook_names()
    rows = []
    if args.run:
        os.environ["MMSER_FAST"] = "0"
        for name in names:
            with tempfile.TemporaryDirectory() as scratch:
                _, seconds = mrf.execute(name, Path(scratch))
            print(f"{name}: {seconds:.0f} s", flush=True)
            rows.append((name, {"seconds": seconds, "data": "as configured", "commit": "now"}, None))
    else:
        for name in names:
            rows.append((name, recorded(name, "main"), recorded(name, "twin-fast")))
    cores = os.cpu_count()
    print(f"\nNotebook run times ({'measured now' if args.run else 'recorded with the references'}; "
          f"this machine has {cores} CPU cores)\n")
    print(table(rows))


if __name__ == "__main__":
    main()
