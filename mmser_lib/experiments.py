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

from mmser_lib import evaluation, inputs, runs
from mmser_lib.corpora.subsets import binary_sad


@dataclass
class Comparison:
    """Test-set results of several models, each trained with several seeds."""

    y_true: np.ndarray
    test_rows: pd.DataFrame
    predictions: dict[str, list[np.ndarray]] = field(default_factory=dict)
    probabilities: dict[str, list[np.ndarray]] = field(default_factory=dict)
    metrics: dict[str, list[dict]] = field(default_factory=dict)
    runs: dict[str, list[runs.Run]] = field(default_factory=dict)

    def table(self, metric: str = "uar", n_resamples: int = 1000) -> pd.DataFrame:
        """:func:`evaluation.seed_table` of every model (rounded for display).

        ``metric="f1"`` is the F1 of the positive class of a detector ("sad").
        """
        y_true, predictions = self.y_true, self.predictions
        if metric == "f1":
            y_true = (self.y_true == "sad").astype(int)
            predictions = {k: [(p == "sad").astype(int) for p in v] for k, v in predictions.items()}
        table = evaluation.seed_table(y_true, predictions, metric, n_resamples)
        return table.round(3)

    def mcnemar(self, reference: str, seed_index: int = 0) -> pd.DataFrame:
        """McNemar's test of every model against ``reference`` (the runs of one seed)."""
        chosen = {name: runs_[seed_index] for name, runs_ in self.predictions.items()}
        return evaluation.mcnemar_table(self.y_true, chosen, reference).round(4)

    def labels(self, name: str) -> list[str]:
        return self.runs[name][0].labels


def compare(manifest: pd.DataFrame, names, split: pd.Series, seeds=(0, 1), raw: dict | None = None,
            scaling: str = "train", epochs: int = 60, patience: int = 15, keep_runs: bool = True,
            progress: bool = True, **train_options) -> Comparison:
    """Train every model in ``names`` once per seed on the same split and score it on the test rows.

    Parameters
    ----------
    manifest, split : the utterances and their "train" / "val" / "test" side.
    names : architecture names (:mod:`mmser_lib.architectures`), all of one task.
    raw : :func:`mmser_lib.inputs.raw_inputs` for every row, so features are computed once.
    scaling : passed to :func:`mmser_lib.runs.train`.

    Returns
    -------
    Comparison, with per-seed test predictions, probabilities and metrics.
    """
    from tqdm.auto import tqdm

    from mmser_lib import architectures

    tasks = {architectures.get(n).task for n in names}
    if len(tasks) > 1:
        raise ValueError(f"compare models of one task at a time; got {tasks}")
    test = (np.asarray(split) == "test")
    rows = manifest[test]
    if tasks == {"sad"}:
        rows = binary_sad(rows)
    comparison = Comparison(y_true=rows["emotion"].to_numpy(), test_rows=rows)
    test_raw = None if raw is None else inputs.take_rows(raw, test)
    if test_raw is not None and tasks == {"sad"}:
        keep = ~manifest[test]["emotion"].isin(["unlabelled", "other"]).to_numpy()
        test_raw = inputs.take_rows(test_raw, keep)
    jobs = [(name, seed) for name in names for seed in seeds]
    for name, seed in tqdm(jobs, desc="models x seeds", disable=not progress):
        run = runs.train(manifest, name, split=split, raw=raw, seed=seed, scaling=scaling, epochs=epochs,
                         patience=patience, progress=False, **train_options)
        probabilities = run.predict_proba(rows, test_raw, progress=False)
        if run.task == "sad":
            predicted = np.where(probabilities[:, 1] >= run.config["threshold"], "sad", "not_sad")
        else:
            predicted = np.asarray(run.labels)[probabilities.argmax(axis=1)]
        comparison.predictions.setdefault(name, []).append(predicted)
        comparison.probabilities.setdefault(name, []).append(probabilities)
        comparison.metrics.setdefault(name, []).append(
            evaluation.classification_metrics(comparison.y_true, predicted, run.labels))
        if keep_runs:
            comparison.runs.setdefault(name, []).append(run)
    return comparison
