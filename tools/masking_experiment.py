"""Masked vs unmasked average pooling in the Conv1D baseline: does the share of padding carry emotion?

    python tools/masking_experiment.py --root ../shared/data/ravdess-actors-01-12 --seeds 5

The same RAVDESS speaker split (60/20/20, seed 0) and training seeds twice: once with each clip's
``frames_mask`` (padding left out of the scaler statistics and of the average over time, what every
frame model of the course does), once with every frame marked real, so the padding enters the
average and the share of padding, i.e. how long the trimmed clip is, becomes visible to the model,
as in Roig's model. Prints the test UAR per seed, the mean and sd of each, and what the clip length
alone predicts (a logistic regression on the number of real frames).
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.linear_model import LogisticRegression

import mmser_lib  # noqa: F401  (before TensorFlow: see mmser_lib/__init__.py)
from mmser_lib import corpora, evaluation, inputs, runs, splits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="a RAVDESS folder")
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    manifest = corpora.load("ravdess", args.root, verbose=False)
    split = splits.speaker_split(manifest, val_size=0.2, test_size=0.2, seed=0)
    raw = inputs.raw_inputs(manifest, ("frames",))
    every_frame_real = {**raw, "frames_mask": np.ones_like(raw["frames_mask"])}
    test, train = (split == "test").to_numpy(), (split == "train").to_numpy()
    lengths = raw["frames_mask"].sum(axis=1)
    print(f"{len(manifest)} clips; real frames per clip: mean {lengths.mean():.0f} of {raw['frames_mask'].shape[1]}")
    scores = {"masked": [], "unmasked": []}
    for seed in range(args.seeds):
        for name, x in (("masked", raw), ("unmasked", every_frame_real)):
            run = runs.train(manifest, "conv1d", split=split, raw=x, seed=seed, progress=False)
            metrics = run.evaluate(manifest[test].reset_index(drop=True), inputs.take_rows(x, test), progress=False)
            scores[name].append(metrics["uar"])
        print(f"seed {seed}: " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in scores.items()), flush=True)
    for name, values in scores.items():
        sd = f"{np.std(values, ddof=1):.3f}" if len(values) > 1 else "n/a"
        print(f"{name}: mean test UAR {np.mean(values):.3f} (sd {sd}) over {args.seeds} seeds")
    length_only = LogisticRegression(max_iter=1000).fit(lengths[train, None], manifest["emotion"][train])
    uar = evaluation.uar(manifest["emotion"][test], length_only.predict(lengths[test, None]))
    chance = 1 / manifest["emotion"].nunique()
    print(f"clip length alone (logistic regression): test UAR {uar:.3f}, chance {chance:.3f}")


if __name__ == "__main__":
    main()
