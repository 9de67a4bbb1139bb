"""Metrics: accuracy next to unweighted average recall (UAR), F1, per-class report."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
)


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
        "uar": float(balanced_accuracy_score(y_true, y_pred)),
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
