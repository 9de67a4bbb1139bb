"""Run several architectures over several seeds on one split, and compare them honestly.

A notebook cell that compares models is one call::

    comparison = experiments.compare(manifest, ["conv1d", "two_branch"], split, seeds=(0, 1, 2))
    comparison.table("uar")          # mean, sd over seeds, bootstrap 95% CI
    comparison.mcnemar("conv1d")     # each model against a reference, same test clips

Every model sees the same training, validation and test rows; epochs (and a
detector's threshold) are chosen on validation; the test rows are scored
once per run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mmser_lib import architectures, evaluation, inputs, runs
from mmser_lib.targets import Target


@dataclass
class Comparison:
    """Test-set results of several models, each trained with several seeds."""

    target: Target
    y_true: np.ndarray
    test_rows: pd.DataFrame
    predictions: dict[str, list[np.ndarray]] = field(default_factory=dict)
    probabilities: dict[str, list[np.ndarray]] = field(default_factory=dict)
    metrics: dict[str, list[dict]] = field(default_factory=dict)
    runs: dict[str, list[runs.Run]] = field(default_factory=dict)

    def table(self, metric: str = "uar", n_resamples: int = 1000) -> pd.DataFrame:
        """:func:`evaluation.seed_table` of every model (rounded for display).

        ``metric="f1"`` is the F1 of the emotion a detector flags.
        """
        y_true, predictions = self.y_true, self.predictions
        if metric == "f1":
            flagged = self.target.detects
            y_true = (self.y_true == flagged).astype(int)
            predictions = {k: [(p == flagged).astype(int) for p in v] for k, v in predictions.items()}
        table = evaluation.seed_table(y_true, predictions, metric, n_resamples)
        return table.round(3)

    def mcnemar(self, reference: str, seed_index: int = 0) -> pd.DataFrame:
        """McNemar's test of every model against ``reference`` (the runs of one seed)."""
        chosen = {name: runs_[seed_index] for name, runs_ in self.predictions.items()}
        return evaluation.mcnemar_table(self.y_true, chosen, reference).round(4)

    def labels(self, name: str) -> list[str]:
        return self.runs[name][0].labels

    def add(self, name: str, run: runs.Run, test_raw: dict | None = None, keep_run: bool = True) -> None:
        """Score a trained run on the test rows and add it as the next seed of ``name``."""
        probabilities = run.predict_proba(self.test_rows, test_raw, progress=False)
        predicted = run.target.decide(probabilities)
        self.predictions.setdefault(name, []).append(predicted)
        self.probabilities.setdefault(name, []).append(probabilities)
        self.metrics.setdefault(name, []).append(
            evaluation.classification_metrics(self.y_true, predicted, run.labels))
        if keep_run:
            self.runs.setdefault(name, []).append(run)


def compare(manifest: pd.DataFrame, names, split: pd.Series, seeds=(0, 1), raw: dict | None = None,
            scaling: str = "train", epochs: int = 60, patience: int = 15, keep_runs: bool = True,
            trained: dict | None = None, progress: bool = True, **train_options) -> Comparison:
    """Train every model in ``names`` once per seed on the same split and score it on the test rows.

    Parameters
    ----------
    manifest, split : the utterances and their "train" / "val" / "test" side.
    names : architecture names (:mod:`mmser_lib.architectures`), all predicting the same target.
    raw : :func:`mmser_lib.inputs.raw_inputs` for every row, so features are computed once.
    scaling : passed to :func:`mmser_lib.runs.train`.
    trained : name -> a :class:`~mmser_lib.runs.Run` already trained with ``seeds[0]`` on this
        split (a notebook's own ``model.fit``); it is scored instead of trained again.

    Returns
    -------
    Comparison, with per-seed test predictions, probabilities and metrics.
    """
    from tqdm.auto import tqdm

    detects = {architectures.get(n).detects for n in names}
    if len(detects) > 1:
        raise ValueError(f"compare models that predict the same thing; got detectors of {detects}")
    flagged = detects.pop()
    target = Target.detector(flagged) if flagged else Target.emotions(manifest["emotion"])
    test = np.asarray(split) == "test"
    usable = target.usable(manifest[test])
    rows = target.relabel(manifest[test].reset_index(drop=True))
    comparison = Comparison(target=target, y_true=rows["emotion"].to_numpy(), test_rows=rows)
    test_raw = None if raw is None else inputs.take_rows(inputs.take_rows(raw, test), usable)
    trained = trained or {}
    jobs = [(name, seed) for name in names for seed in seeds]
    for name, seed in tqdm(jobs, desc="models x seeds", disable=not progress):
        if name in trained and seed == seeds[0]:
            run = trained[name]
        else:
            run = runs.train(manifest, name, split=split, raw=raw, seed=seed, scaling=scaling, epochs=epochs,
                             patience=patience, progress=False, **train_options)
        comparison.add(name, run, test_raw, keep_runs)
    return comparison
