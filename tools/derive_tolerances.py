"""Derive a reference's tolerances from reruns with different seeds, and write its tolerances.json.

    python tools/derive_tolerances.py --twin --fast --runs 5 02_baseline_vs_two_branch

Runs the notebook ``--runs`` times with ``MMSER_SEED=0, 1, ...`` (notebooks
read it through ``config.seed``) in the mode of the reference it writes
(the main one, ``twin/`` or ``twin-fast/``), then gives every number of
``metrics.json`` one rule:

- numbers that did not move in any rerun (counts, a notebook that reads no
  seed, deterministic features) may move by 0.1% of their size, at least
  0.001 (another CPU or library build rounds differently); whole numbers
  that did not move must be equal;
- numbers that moved may move by 1.5 times the range seen over the reruns.

Each rule's ``why`` records the range and standard deviation it came from,
and the file's ``derived`` entry the runs, seeds and mode. Rules written by
hand (a pattern with ``*``) are kept and come first.

``--from-own-seeds`` is the cheaper, weaker estimate for a notebook whose
full settings take long: no reruns, but each ``<x>.mean`` of the reference's
``metrics.json`` that comes with the ``<x>.sd`` of the notebook's own seeds
may move by 2.5 of those sd (at least 0.03), its interval bounds likewise;
spreads and p-values are not compared. The ``derived`` entry says so.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import tempfile
from pathlib import Path

import make_reference_figures as mrf

from mmser_lib.infra.grading import flatten


def rule_for(name: str, values: list, runs: str) -> dict:
    """The tolerance rule of one metric from its values over the reruns."""
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(numbers) != len(values):
        return {"pattern": name, "abs": 0, "why": f"not a number: must be equal ({runs})"}
    if any(math.isnan(v) or math.isinf(v) for v in numbers):
        return {"pattern": name, "ignore": True,
                "why": f"undefined (NaN or infinite) in {sum(not math.isfinite(v) for v in numbers)} of {runs}: "
                       "not graded"}
    spread = max(numbers) - min(numbers)
    sd = statistics.stdev(numbers) if len(numbers) > 1 else 0.0
    if spread == 0:
        if all(isinstance(v, int) for v in numbers):
            return {"pattern": name, "abs": 0, "why": f"the same whole number in every rerun ({runs})"}
        allowed = max(0.001, 0.001 * abs(numbers[0]))
        return {"pattern": name, "abs": round(allowed, 6),
                "why": f"the same in every rerun ({runs}); 0.1% (at least 0.001) for rounding on other machines"}
    return {"pattern": name, "abs": round(1.5 * spread, 4),
            "why": f"range {spread:.4g}, sd {sd:.4g} over {runs}; allowed 1.5 x range"}


def rules_from_own_seeds(metrics: dict) -> list[dict]:
    """Rules from the seed spread a notebook reports itself (``<x>.mean`` next to ``<x>.sd``)."""
    flat = flatten(metrics)
    rules = []
    for name in flat:
        stem, _, leaf = name.rpartition(".")
        if leaf == "sd" or "mcnemar" in name or "p_value" in name:
            rules.append({"pattern": name, "ignore": True,
                          "why": "a spread over a few seeds, or a p-value, is itself too noisy to compare"})
        elif leaf in ("mean", "ci_low", "ci_high") and isinstance(flat.get(f"{stem}.sd"), int | float):
            sd = float(flat[f"{stem}.sd"])
            rules.append({"pattern": name, "abs": round(max(0.03, 2.5 * sd), 3),
                          "why": f"the reference's own seeds have sd {sd:.3g}: 2.5 sd, at least 0.03 (not yet "
                                 "measured over reruns)"})
    return rules


def stale_reference_values(metrics_path: Path, values: dict[str, list], rules: list[dict]) -> list[str]:
    """Numbers of the committed reference further from every rerun than their rule allows (a stale reference)."""
    if not metrics_path.is_file():
        return []
    reference = flatten(json.loads(metrics_path.read_text())["metrics"])
    outside = []
    for rule in rules:
        name, seen = rule["pattern"], values.get(rule["pattern"], [])
        if rule.get("ignore") or name not in reference or not seen:
            continue
        value = reference[name]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in [value, *seen]):
            stale = min(abs(value - v) for v in seen) > rule["abs"] + 1e-9
        else:
            stale = value not in seen
        if stale:
            outside.append(name)
    return outside


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--twin", action="store_true")
    parser.add_argument("--fast", action="store_true")
    parser.add_argument("--from-own-seeds", action="store_true", help="no reruns: use the sd the notebook reports")
    args = parser.parse_args()
    if args.from_own_seeds:
        target = mrf.destination(args.notebook, args.twin, args.fast)
        metrics = json.loads((target / "metrics.json").read_text())["metrics"]
        rules = rules_from_own_seeds(metrics)
        if not rules:
            raise SystemExit(f"{target}/metrics.json reports no <x>.mean with its <x>.sd: rerun instead (--runs 5)")
        payload = {"derived": {"runs": 0, "mode": "from the seed sd the reference reports itself",
                               "tool": "tools/derive_tolerances.py --from-own-seeds"},
                   "default": {"abs": 0.05}, "rules": rules}
        (target / "tolerances.json").write_text(json.dumps(payload, indent=1) + "\n")
        print(f"wrote {target.relative_to(mrf.REPO)}/tolerances.json: {len(rules)} rules from the own seeds")
        return
    if args.runs < 2:
        raise SystemExit("--runs must be at least 2 to see a spread (the issue asks for 5)")
    mrf.set_mode(args.twin, args.fast)
    target = mrf.destination(args.notebook, args.twin, args.fast)
    values: dict[str, list] = {}
    for seed in range(args.runs):
        os.environ["MMSER_SEED"] = str(seed)
        with tempfile.TemporaryDirectory() as scratch:
            _, seconds = mrf.execute(args.notebook, Path(scratch))
            metrics = json.loads((Path(scratch) / args.notebook / "metrics.json").read_text())["metrics"]
        for name, value in flatten(metrics).items():
            values.setdefault(name, []).append(value)
        print(f"{args.notebook}: seed {seed} in {seconds:.0f} s", flush=True)
    mode = f"{'twin' if args.twin else 'main data'}, {'fast' if args.fast else 'full'} settings"
    runs = f"{args.runs} reruns, MMSER_SEED=0-{args.runs - 1}, {mode}"
    path = target / "tolerances.json"
    old = json.loads(path.read_text()) if path.is_file() else {}
    by_hand = [r for r in old.get("rules", []) if "*" in r["pattern"] or "?" in r["pattern"]]
    derived = [rule_for(name, vals, runs) for name, vals in values.items()
               if len(vals) == args.runs]
    payload = {"derived": {"runs": args.runs, "seeds": list(range(args.runs)), "mode": mode,
                           "tool": "tools/derive_tolerances.py"},
               "default": {"abs": 0.05}, "rules": by_hand + derived}
    target.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1) + "\n")
    moved = sum("range" in r["why"] for r in derived)
    print(f"wrote {path.relative_to(mrf.REPO)}: {len(derived)} rules, {moved} numbers moved between seeds")
    outside = stale_reference_values(target / "metrics.json", values, derived)
    if outside:
        print(f"the committed reference is outside its reruns' tolerance on {len(outside)} number(s) (remake it at "
              f"this commit: tools/make_reference_figures.py): " + ", ".join(outside[:12]))


if __name__ == "__main__":
    main()
