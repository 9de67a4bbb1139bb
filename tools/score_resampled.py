"""Cross-validate a model on a corpus folder and score every fold on the same clips saved at another sample rate.

    python tools/score_resampled.py --root ../shared/data/ravdess-actors-01-12 --model best_audio
    python tools/score_resampled.py --root ../shared/data/ravdess-actors-01-12 --model best_audio --enrol 8

Each fold trains on the clips as they are (k-fold speaker cross-validation, as ``mmser crossval``), then scores
its test speakers twice: on the original files and on copies written once to ``--copies`` at ``--rate``
(soxr HQ, 16-bit PCM, the same folder layout). The model never sees the copies in training, as a user's
recordings at another rate. Prints the UAR per fold for both and the mean difference (README, "The best audio
recipe"; issue goal: at most 0.02).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
from tqdm.auto import tqdm

import mmser_lib  # noqa: F401  (before TensorFlow: see mmser_lib/__init__.py)
from mmser_lib import architectures, corpora, inputs, runs, splits


def resampled_copies(manifest, root: Path, copies: Path, rate: int) -> list[Path]:
    """Write every clip of ``manifest`` (under ``root``) at ``rate`` Hz below ``copies``; return the new paths."""
    paths = []
    for path in tqdm([Path(p) for p in manifest["path"]], desc=f"copies at {rate} Hz"):
        out = copies / path.relative_to(root)
        if not out.is_file():
            audio, sr = sf.read(path, dtype="float32")
            out.parent.mkdir(parents=True, exist_ok=True)
            sf.write(out, soxr.resample(audio, sr, rate, quality="HQ"), rate, subtype="PCM_16")
        paths.append(out)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="ravdess")
    parser.add_argument("--root", required=True)
    parser.add_argument("--model", default="best_audio", choices=list(architectures.ARCHITECTURES))
    parser.add_argument("--rate", type=int, default=48000)
    parser.add_argument("--copies", default=None, help="folder for the copies (default: /tmp/mmser_<rate>)")
    parser.add_argument("--folds", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--enrol", type=int, default=0, help="K enrolment clips per test speaker (per-speaker "
                        "normalisation, not scored); 0 = no statistics from test speakers")
    args = parser.parse_args()
    root = Path(args.root).resolve()
    copies = Path(args.copies or f"/tmp/mmser_{args.rate}")
    manifest = corpora.load(args.corpus, root, verbose=False)
    resampled = manifest.assign(path=[str(p) for p in resampled_copies(manifest, root, copies, args.rate)])
    arch = architectures.get(args.model)
    raw = inputs.raw_inputs(manifest, arch.inputs)
    raw_copies = inputs.raw_inputs(resampled, arch.inputs)
    folds = splits.speaker_folds(manifest, args.folds, seed=args.seed)
    scaling = "speaker" if args.enrol else "train"
    scores = {"original": [], f"{args.rate} Hz copies": []}
    for fold in tqdm(range(folds.k), desc="speaker folds"):
        split = folds.split(manifest, fold)
        run = runs.train(manifest, args.model, split=split, raw=raw, seed=args.seed, scaling=scaling,
                         enrol=args.enrol, progress=False)
        test = (split == "test").to_numpy()
        for out, (rows, x) in zip(scores.values(), ((manifest, raw), (resampled, raw_copies))):
            metrics = run.evaluate(rows[test].reset_index(drop=True), inputs.take_rows(x, test), progress=False,
                                   enrol=args.enrol, enrol_seed=fold)
            out.append(metrics["uar"])
    print(f"\n{args.model} on {root} ({len(manifest)} clips), {folds.k} speaker folds, seed {args.seed}, "
          + (f"{args.enrol} enrolment clips per test speaker" if args.enrol else "no statistics from test speakers"))
    print(f"{'fold':>4s} " + " ".join(f"{name:>18s}" for name in scores))
    for fold in range(folds.k):
        print(f"{fold:4d} " + " ".join(f"{values[fold]:18.3f}" for values in scores.values()))
    means = [np.mean(v) for v in scores.values()]
    print("mean " + " ".join(f"{m:18.3f}" for m in means) + f"   difference {means[0] - means[1]:+.3f} UAR")


if __name__ == "__main__":
    main()
