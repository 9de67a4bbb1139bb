"""Wall time and peak memory of `mmser demo`, and of the notebook suite.

    python benchmarks/demo_benchmark.py                 # the demo only
    python benchmarks/demo_benchmark.py --notebooks     # the demo, then every notebook (fast mode, as CI)

Goals (issue 2): the demo under 5 minutes and 3 GB on 2 CPU cores after
installation; the notebook suite under 15 minutes. Each is run as a child
process; peak memory is the largest resident set of the whole process tree
(the command and every worker it starts), sampled every 0.2 s with psutil.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Run ``command``; return (wall seconds, peak tree RSS in GiB, exit code)."""
    peak = 0
    done = threading.Event()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(process.pid)
        while not done.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    done.set()
    sampler.join()
    if process.returncode:
        sys.stderr.write(stderr.decode(errors="replace")[-3000:])
    return time.perf_counter() - started, peak / 2**30, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks", action="store_true", help="also time the notebook suite under nbval")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {"MMSER_TWIN_DIR": f"{tmp}/twins", "MMSER_FIGURES_DIR": f"{tmp}/figures"}
        wall, peak, code = measure([str(bin_dir / "mmser"), "demo", "--out", f"{tmp}/demo"], env)
        rows.append(("mmser demo", wall, peak, code, "< 300 s, < 3 GiB"))
        if args.notebooks:
            wall, peak, code = measure([sys.executable, "-m", "pytest", "-q", "notebooks"], env | {"MMSER_FAST": "1"})
            rows.append(("notebooks (nbval, fast)", wall, peak, code, "< 900 s"))
    print(f"\n{psutil.cpu_count()} CPU cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
          f"Python {sys.version.split()[0]}")
    print(f"{'what':<26}{'wall (s)':>10}{'peak RSS (GiB)':>16}{'exit':>6}   goal")
    for what, wall, peak, code, goal in rows:
        print(f"{what:<26}{wall:>10.1f}{peak:>16.2f}{code:>6}   {goal}")


if __name__ == "__main__":
    main()
