"""Metrics: accuracy next to unweighted average recall (UAR), F1, per-class report."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    recall_score,
)


def uar(y_true, y_pred) -> float:
    """Unweighted average recall: the mean recall over the classes present in ``y_true``.

    The same number as scikit-learn's ``balanced_accuracy_score``, without its
    warning when a model predicts a class that this subset of clips lacks
    (a common, harmless case on one test session or speaker).
    """
    y_true = np.asarray(y_true)
    return float(recall_score(y_true, np.asarray(y_pred), labels=np.unique(y_true), average="macro",
                              zero_division=0))


def classification_metrics(y_true, y_pred, labels: list[str]) -> dict:
    """Every number a notebook or ``mmser evaluate`` reports, JSON-ready.

    Parameters
    ----------
    y_true, y_pred : sequences of label strings, shape (n,).
    labels : the class order used for the per-class report and confusion matrix.

    Returns
    -------
    dict with ``accuracy``, ``uar`` (balanced accuracy: the mean of per-class
    recalls, chance = 1 / n_classes whatever the class balance),
    ``macro_f1``, ``weighted_f1``, ``n``, ``labels``, ``per_class``
    (precision, recall, f1, support per label) and ``confusion_matrix``
    (rows = true label, columns = predicted, in ``labels`` order).
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    present = [label for label in labels if label in set(y_true)]
    report = classification_report(y_true, y_pred, labels=labels, output_dict=True, zero_division=0)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "uar": uar(y_true, y_pred),
        "macro_f1": float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        "weighted_f1": float(f1_score(y_true, y_pred, labels=present, average="weighted", zero_division=0)),
        "n": int(len(y_true)),
        "labels": list(labels),
        "per_class": {
            label: {k: float(report[label][k]) for k in ("precision", "recall", "f1-score", "support")}
            for label in labels
        },
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def summary_row(name: str, metrics: dict) -> dict:
    """One row of a results table: model name, n, accuracy, UAR, macro and weighted F1."""
    return {"model": name, "n": metrics["n"], **{k: round(metrics[k], 3) for k in
                                                 ("accuracy", "uar", "macro_f1", "weighted_f1")}}


# ----------------------------------------------------------------------------- honest comparison

SCORES = {
    "uar": uar,
    "accuracy": accuracy_score,
    "macro_f1": lambda t, p: f1_score(t, p, average="macro", zero_division=0),
    "weighted_f1": lambda t, p: f1_score(t, p, average="weighted", zero_division=0),
    "f1": lambda t, p: f1_score(t, p, zero_division=0),  # binary: F1 of the positive class (1)
}


def _score_function(metric: str):
    if metric not in SCORES:
        raise ValueError(f"unknown metric {metric!r}; choose from {sorted(SCORES)}")
    return SCORES[metric]


def bootstrap_interval(y_true, predictions, metric: str = "uar", n_resamples: int = 1000,
                       confidence: float = 0.95, seed: int = 0, groups=None) -> tuple[float, float]:
    """Bootstrap confidence interval of a score (scipy.stats.bootstrap, percentile method).

    Without ``groups`` the test utterances are resampled with replacement. With
    ``groups`` (the speaker of each utterance) whole **speakers** are resampled,
    each drawn speaker bringing all their utterances: clips of one voice are
    not independent, so this is the interval that says how much the score
    could move with other speakers, and it is much wider when a test set has
    few of them. With several seeds' predictions the statistic is the *mean
    over seeds* on each resample.

    Parameters
    ----------
    y_true : shape (n,), labels.
    predictions : shape (n,) for one model run, or a list of such arrays (one per seed).
    metric : a key of :data:`SCORES`.
    groups : shape (n,), optional: resample these groups (speakers) instead of utterances.

    Returns
    -------
    (low, high) : the percentile interval.
    """
    from scipy.stats import bootstrap

    score = _score_function(metric)
    y_true = np.asarray(y_true)
    runs = [np.asarray(p) for p in (predictions if isinstance(predictions, list) else [predictions])]
    if groups is None:
        members = [np.array([i]) for i in range(len(y_true))]
    else:
        groups = np.asarray(groups)
        members = [np.flatnonzero(groups == g) for g in pd.unique(groups)]
        if len(members) < 2:
            raise ValueError("a bootstrap over speakers needs at least 2 speakers in the test set")

    def statistic(drawn):
        index = np.concatenate([members[int(i)] for i in drawn])
        return float(np.mean([score(y_true[index], p[index]) for p in runs]))

    result = bootstrap((np.arange(len(members)),), statistic, n_resamples=n_resamples, confidence_level=confidence,
                       method="percentile", vectorized=False, random_state=np.random.default_rng(seed))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def mcnemar_test(y_true, predicted_a, predicted_b) -> dict:
    """McNemar's test: do two models, scored on the *same* test utterances, differ in accuracy?

    Only the utterances where exactly one of the two is right count. With
    fewer than 25 of them the exact binomial test is used, else the
    chi-squared test with continuity correction (statsmodels).

    Returns
    -------
    dict with ``only_a_right``, ``only_b_right``, ``statistic``, ``p_value`` and ``exact``.
    """
    from statsmodels.stats.contingency_tables import mcnemar

    y_true = np.asarray(y_true)
    a_right = np.asarray(predicted_a) == y_true
    b_right = np.asarray(predicted_b) == y_true
    table = np.array([[np.sum(a_right & b_right), np.sum(a_right & ~b_right)],
                      [np.sum(~a_right & b_right), np.sum(~a_right & ~b_right)]])
    discordant = int(table[0, 1] + table[1, 0])
    exact = discordant < 25
    result = mcnemar(table, exact=exact, correction=True)
    return {"only_a_right": int(table[0, 1]), "only_b_right": int(table[1, 0]),
            "statistic": float(result.statistic), "p_value": float(result.pvalue), "exact": exact}


def seed_table(y_true, predictions: dict[str, list], metric: str = "uar", n_resamples: int = 1000,
               groups=None) -> pd.DataFrame:
    """The results table every notebook shows: mean and spread over seeds, bootstrap 95% CI.

    Parameters
    ----------
    y_true : shape (n,), the test labels (the same test set for every model).
    predictions : model name -> list of predicted labels, one array of shape (n,) per seed.
    metric : a key of :data:`SCORES`.
    groups : shape (n,), optional: the speaker of each test utterance; the interval then
        resamples speakers (see :func:`bootstrap_interval`).

    Returns
    -------
    pandas.DataFrame, one row per model: ``model``, ``seeds``, ``mean``, ``sd``
    (over seeds; 0 for one seed), ``ci_low``, ``ci_high`` (bootstrap 95% of the seed mean) and
    one column per seed (``seed_0``, ...).
    """
    score = _score_function(metric)
    rows = []
    for name, runs in predictions.items():
        scores = [score(y_true, p) for p in runs]
        low, high = bootstrap_interval(y_true, list(runs), metric, n_resamples, groups=groups)
        rows.append({"model": name, "seeds": len(runs), "mean": float(np.mean(scores)),
                     "sd": float(np.std(scores, ddof=1)) if len(scores) > 1 else 0.0,
                     "ci_low": low, "ci_high": high, **{f"seed_{i}": float(s) for i, s in enumerate(scores)}})
    return pd.DataFrame(rows)


def mcnemar_table(y_true, predictions: dict[str, np.ndarray], reference: str) -> pd.DataFrame:
    """McNemar's test of every model against ``reference`` on the same test set (one seed each).

    Returns
    -------
    pandas.DataFrame with ``model``, ``versus``, ``only_model_right``, ``only_reference_right``, ``p_value``.
    """
    rows = []
    for name, predicted in predictions.items():
        if name == reference:
            continue
        test = mcnemar_test(y_true, predicted, predictions[reference])
        rows.append({"model": name, "versus": reference, "only_model_right": test["only_a_right"],
                     "only_reference_right": test["only_b_right"], "p_value": test["p_value"],
                     "exact": test["exact"]})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- binary decisions


THRESHOLD_GRID = np.round(np.arange(0.01, 1.0, 0.01), 2)


def threshold_scores(y_true, probability, grid: np.ndarray = THRESHOLD_GRID) -> np.ndarray:
    """F1 of the positive class at every threshold of ``grid``, shape (len(grid),)."""
    y_true = np.asarray(y_true).astype(int)
    probability = np.asarray(probability).ravel()
    return np.array([f1_score(y_true, (probability >= t).astype(int), zero_division=0) for t in grid])


def best_threshold(y_true, probability, grid: np.ndarray = THRESHOLD_GRID) -> tuple[float, float]:
    """The threshold of ``grid`` (0.01 steps) with the highest F1, and that F1.

    Call it on *validation* predictions; then apply the threshold to test.
    """
    scores = threshold_scores(y_true, probability, grid)
    best = int(np.argmax(scores))
    return float(grid[best]), float(scores[best])


def binary_metrics(y_true, probability, threshold: float) -> dict:
    """Accuracy, precision, recall, F1 (positive class), ROC AUC and average precision.

    Parameters
    ----------
    y_true : shape (n,), 1 for the positive class (sad), 0 otherwise.
    probability : shape (n,), the model's probability of the positive class.
    threshold : decide positive when probability >= threshold.
    """
    from sklearn.metrics import average_precision_score, precision_score, recall_score, roc_auc_score

    y_true = np.asarray(y_true).astype(int)
    probability = np.asarray(probability).ravel()
    predicted = (probability >= threshold).astype(int)
    both = len(np.unique(y_true)) == 2
    return {
        "threshold": float(threshold),
        "accuracy": float(accuracy_score(y_true, predicted)),
        "precision": float(precision_score(y_true, predicted, zero_division=0)),
        "recall": float(recall_score(y_true, predicted, zero_division=0)),
        "f1": float(f1_score(y_true, predicted, zero_division=0)),
        "roc_auc": float(roc_auc_score(y_true, probability)) if both else float("nan"),
        "average_precision": float(average_precision_score(y_true, probability)) if both else float("nan"),
        "n": int(len(y_true)),
        "positives": int(y_true.sum()),
    }
