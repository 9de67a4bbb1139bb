"""Regenerate the committed references (and the notebooks' committed outputs) by executing the notebooks.

    MMSER_RAVDESS_ROOT=/data/RAVDESS MMSER_RAVDESS_SPEAKERS=1-12 \\
        python tools/make_reference_figures.py --outputs            # every notebook, main references
    python tools/make_reference_figures.py --twin --fast 02_baseline_vs_two_branch   # one twin-fast reference

Each notebook runs top to bottom and writes its figures and ``metrics.json``
(with the git commit, the corpora and speakers it loaded, their sample
rates, fast or full mode) into one reference folder:

- ``figures/<notebook>/``: the main reference, on the corpora whose
  ``MMSER_<CORPUS>_ROOT`` is set (twins for the others), in full settings;
- ``figures/<notebook>/twin/`` with ``--twin``: twins only, full settings;
- ``figures/<notebook>/twin-fast/`` with ``--twin --fast``: twins only, the
  CI settings (``MMSER_FAST=1``), what ``tests/test_reference_grading.py``
  grades a fresh run against.

A student's run of a notebook writes ``student/`` instead and never touches
``figures/``. ``tolerances.json`` files are kept (they are derived from
seeded reruns, see README). ``--outputs`` also writes the executed cells'
outputs into ``notebooks/<notebook>.ipynb``, so GitHub and Colab show every
table and figure: normally from the main reference's run, from the
twin-fast run where a notebook's full settings are too long to rerun (the
README lists which); audio players of real corpus clips are replaced by a
line saying so (only twin audio is committed).

The run time of each notebook goes into its ``metrics.json`` (``run``) and
into ``figures/run_times.json`` (every notebook, also those that write no
figures); ``benchmarks/notebook_times.py`` prints them as a table. The tool refuses to
run on a checkout with uncommitted changes, so every reference names the
commit that made it (``--allow-dirty`` to try things out).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from mmser_lib.infra.records import changed_files

REPO = Path(__file__).resolve().parents[1]
# Lines of the machine's own start-up noise on stderr, left out of committed outputs: tqdm's note that
# ipywidgets is missing (Colab has it), TensorFlow's C++ log about an attribute its tf.data kernels do not
# know (a version skew between TensorFlow and Keras that changes nothing), and its notes on CPUs where oneDNN
# is used ("oneDNN custom operations are on", "oneDNN supports DT_BOOL only on platforms with AVX-512"), which
# depend on the machine, not on the lesson. Everything else is kept.
NOISE = re.compile(r"TqdmWarning: IProgress not found|from \.autonotebook import tqdm as notebook_tqdm|"
                   r"^WARNING: All log messages before absl::InitializeLog|node_def_util\.cc|"
                   r"port\.cc:\d+\] oneDNN custom operations are on|"
                   r"util\.cc:\d+\] oneDNN supports DT_BOOL only on platforms with AVX-512")
AUDIO_NOTE = ("(An audio player of a real corpus clip was here; real recordings are not committed. "
              "Run the cell to hear it.)\n")


def notebook_names() -> list[str]:
    """Every numbered notebook, in course order."""
    return sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def destination(name: str, twin: bool, fast: bool) -> Path:
    """The reference folder that a run of notebook ``name`` in this mode writes."""
    folder = REPO / "figures" / name
    if twin:
        return folder / ("twin-fast" if fast else "twin")
    if fast:
        raise SystemExit("--fast without --twin: the main reference is made in full settings")
    return folder


def set_mode(twin: bool, fast: bool) -> None:
    """Set this process's (and its kernels') mode: fast or full settings, and twins only when ``twin``."""
    os.environ["MMSER_FAST"] = "1" if fast else "0"
    if twin:
        for key in [k for k in os.environ if k.startswith("MMSER_") and k.endswith("_ROOT")]:
            del os.environ[key]


def execute(name: str, figures_dir: Path, timeout: int = 3600) -> tuple[nbformat.NotebookNode, float]:
    """Run ``notebooks/<name>.ipynb`` with figures going to ``figures_dir``; the executed notebook and seconds."""
    os.environ["MMSER_FIGURES_DIR"] = str(figures_dir)
    notebook = nbformat.read(REPO / "notebooks" / f"{name}.ipynb", as_version=4)
    started = time.perf_counter()
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO / "notebooks")}}).execute()
    return notebook, time.perf_counter() - started


def install(made: Path, target: Path) -> None:
    """Replace the figures and metrics.json of ``target`` by those of ``made``; keep tolerances and subfolders."""
    target.mkdir(parents=True, exist_ok=True)
    for old in target.iterdir():
        if old.is_file() and old.name != "tolerances.json":
            old.unlink()
    for new in made.iterdir():
        if new.is_file():
            shutil.copy2(new, target / new.name)


def record_run_time(metrics: Path, seconds: float) -> None:
    """Add how long the notebook took, and on what, to its metrics.json."""
    payload = json.loads(metrics.read_text())
    payload["run"] = {"seconds": round(seconds, 1), "cpu_cores": os.cpu_count(), "machine": platform.machine(),
                      "gpu": bool(os.environ.get("CUDA_VISIBLE_DEVICES", "").strip() not in ("", "-1"))}
    metrics.write_text(json.dumps(payload, indent=2) + "\n")


def record_in_run_times(name: str, label: str, seconds: float) -> None:
    """Keep ``figures/run_times.json`` up to date: seconds per notebook and reference (main, twin, twin-fast)."""
    path = REPO / "figures" / "run_times.json"
    times = json.loads(path.read_text()) if path.is_file() else {}
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    times.setdefault(name, {})[label] = {"seconds": round(seconds, 1), "cpu_cores": os.cpu_count(),
                                         "commit": commit}
    path.write_text(json.dumps(dict(sorted(times.items())), indent=1) + "\n")


def is_real_audio(output: dict, real: bool) -> bool:
    """True for an audio player (IPython.display.Audio) in a run that read a real corpus."""
    html = output.get("data", {}).get("text/html", "")
    return real and "<audio" in (html if isinstance(html, str) else "".join(html))


def without_noise(outputs: list) -> list:
    """``outputs`` with the :data:`NOISE` lines taken out of text streams (and streams left empty dropped).

    stdout too: a shell cell (``!mmser ...``) shows the command's stderr in its stdout.
    """
    kept = []
    for output in outputs:
        if output.get("output_type") == "stream":
            every = output["text"].splitlines(keepends=True)
            lines = [line for line in every if not NOISE.search(line)]
            if len(lines) == len(every):  # nothing taken out: kept as it is
                kept.append(output)
                continue
            if not "".join(lines).strip():
                continue
            output = nbformat.from_dict({**output, "text": "".join(lines)})
        kept.append(output)
    return kept


def with_path_shown(outputs: list, scratch: str, shown: str) -> list:
    """``outputs`` with the run's temporary figure folder ``scratch`` written as ``shown`` (where the files went)."""
    kept = []
    for output in outputs:
        if output.get("output_type") == "stream" and scratch in output["text"]:
            output = nbformat.from_dict({**output, "text": output["text"].replace(scratch, shown)})
        elif "text/plain" in output.get("data", {}) and scratch in "".join(output["data"]["text/plain"]):
            plain = "".join(output["data"]["text/plain"]).replace(scratch, shown)
            output = nbformat.from_dict({**output, "data": {**output["data"], "text/plain": plain}})
        kept.append(output)
    return kept


def write_outputs(executed: nbformat.NotebookNode, path: Path, real: bool, scratch: str | None = None,
                  shown: str = "") -> int:
    """Copy the outputs of ``executed`` into the notebook at ``path``, cell by cell where the source is the same.

    ``scratch`` (the run's temporary figure folder) is shown as ``shown`` (the
    reference folder the figures were installed in). Returns the number of
    code cells that got outputs. Markdown is never touched, so prose edited
    since the run stays as it is.
    """
    notebook = nbformat.read(path, as_version=4)
    done = [c for c in executed.cells if c.cell_type == "code"]
    filled = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        match = next((c for c in done if c.source == cell.source), None)
        if match is None:
            cell.outputs, cell.execution_count = [], None
            continue
        done.remove(match)
        outputs = without_noise(match.outputs)
        if scratch:
            outputs = with_path_shown(outputs, scratch, shown)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=AUDIO_NOTE)
                        if is_real_audio(o, real) else o for o in outputs]
        cell.execution_count = match.execution_count
        filled += 1
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    return filled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebook names (default: all)")
    parser.add_argument("--twin", action="store_true", help="twins only (ignore MMSER_<CORPUS>_ROOT)")
    parser.add_argument("--fast", action="store_true", help="CI settings (MMSER_FAST=1); with --twin only")
    parser.add_argument("--outputs", action="store_true", help="also write the outputs into notebooks/")
    parser.add_argument("--allow-dirty", action="store_true", help="run with uncommitted changes")
    args = parser.parse_args()
    names = args.notebooks or notebook_names()
    unknown = sorted(set(names) - set(notebook_names()))
    if unknown:
        raise SystemExit(f"no such notebook(s): {', '.join(unknown)}; choose from {', '.join(notebook_names())}")
    dirty = changed_files(REPO)  # figures/ and notebooks' outputs (what this tool writes) do not count
    if dirty and not args.allow_dirty:
        raise SystemExit(f"uncommitted changes in {', '.join(dirty)}: commit first so every metrics.json names "
                         "the commit that made it (or --allow-dirty)")
    set_mode(args.twin, args.fast)
    real = any(k.startswith("MMSER_") and k.endswith("_ROOT") for k in os.environ)
    times = []
    for name in names:
        target = destination(name, args.twin, args.fast)
        os.environ["MMSER_MAKING_REFERENCE"] = str(target.relative_to(REPO))  # the notebook's check cell says so
        with tempfile.TemporaryDirectory() as scratch:
            executed, seconds = execute(name, Path(scratch))
            made = Path(scratch) / name
            if not made.is_dir():
                print(f"{name}: wrote no figures ({seconds:.0f} s)")
            else:
                record_run_time(made / "metrics.json", seconds) if (made / "metrics.json").is_file() else None
                install(made, target)
                print(f"{name}: {seconds:.0f} s -> {target.relative_to(REPO)}/", flush=True)
        record_in_run_times(name, "main" if target.name == name else target.name, seconds)
        if args.outputs:
            filled = write_outputs(executed, REPO / "notebooks" / f"{name}.ipynb", real, scratch=str(made),
                                   shown=str(target.relative_to(REPO)))
            print(f"{name}: outputs of {filled} code cells written to notebooks/{name}.ipynb", flush=True)
        times.append((name, seconds))
    total = sum(s for _, s in times)
    print(f"\n{len(times)} notebook(s) in {total / 60:.1f} min on {os.cpu_count()} CPU cores "
          f"({'fast' if args.fast else 'full'} settings, {'twins' if args.twin else 'main data'})")
    sys.exit(0)


if __name__ == "__main__":
    main()
