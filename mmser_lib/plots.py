"""Figures, and the one helper that saves them (with a metrics.json beside them).

Figures go to ``<figures dir>/<notebook>/<name>.png``; the figures dir is the
repository's ``figures/`` unless ``MMSER_FIGURES_DIR`` points elsewhere.
"""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from mmser_lib import config

PACKAGES = ("tensorflow", "tensorflow-cpu", "keras", "numpy", "librosa", "scikit-learn", "espeakng-loader")


def figure_path(notebook: str, name: str) -> Path:
    """Return ``<figures dir>/<notebook>/<name>.png``, creating the folder."""
    folder = config.figures_dir() / notebook
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"


def save_figure(fig: plt.Figure, notebook: str, name: str, dpi: int = 120) -> Path:
    """Save ``fig`` as ``figures/<notebook>/<name>.png`` and return the path."""
    path = figure_path(notebook, name)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    return path


def package_versions() -> dict[str, str]:
    """Versions of the packages that shape the numbers (those installed)."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def write_metrics(notebook: str, metrics: dict, data: dict) -> Path:
    """Write ``figures/<notebook>/metrics.json``.

    Parameters
    ----------
    metrics : the numbers a grader compares (nested dicts of floats).
    data : provenance: which corpus (real or twin), root, split, seed.
    """
    path = figure_path(notebook, "metrics").with_suffix(".json")
    payload = {"notebook": notebook, "data": data, "versions": package_versions(), "metrics": metrics}
    path.write_text(json.dumps(payload, indent=2, default=_to_builtin) + "\n")
    return path


def _to_builtin(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value)} to JSON")


def plot_confusion_matrix(matrix, labels: list[str], title: str, ax=None, normalise: bool = True):
    """Heatmap of a confusion matrix; rows (true labels) normalised to recall by default."""
    matrix = np.asarray(matrix, dtype=float)
    if normalise:
        totals = matrix.sum(axis=1, keepdims=True)
        matrix = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    sns.heatmap(matrix, annot=True, fmt=".2f" if normalise else ".0f", cmap="Blues", vmin=0,
                vmax=1 if normalise else None, xticklabels=labels, yticklabels=labels, cbar=False,
                square=True, ax=ax, annot_kws={"size": 8})
    ax.set_xlabel("predicted emotion")
    ax.set_ylabel("true emotion")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=45)
    ax.tick_params(axis="y", rotation=0)
    return ax


def plot_confusion_matrices(results: dict[str, dict], suptitle: str = ""):
    """Confusion matrices side by side, one per model: ``{name: metrics}``."""
    fig, axes = plt.subplots(1, len(results), figsize=(5.5 * len(results), 5.2), squeeze=False)
    for ax, (name, metrics) in zip(axes[0], results.items()):
        plot_confusion_matrix(metrics["confusion_matrix"], metrics["labels"],
                              f"{name}: UAR {metrics['uar']:.2f}", ax=ax)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_training_curves(histories: dict[str, dict], suptitle: str = ""):
    """Loss and accuracy per epoch, training and validation, one row per model.

    ``histories`` maps a model name to the dict returned by :func:`mmser_lib.training.fit`.
    """
    fig, axes = plt.subplots(len(histories), 2, figsize=(11, 3.4 * len(histories)), squeeze=False)
    for row, (name, fitted) in zip(axes, histories.items()):
        curves, best = fitted["history"], fitted["best_epoch"]
        epochs = np.arange(1, len(curves["loss"]) + 1)
        for ax, key in zip(row, ("loss", "accuracy")):
            ax.plot(epochs, curves[key], label="train")
            ax.plot(epochs, curves[f"val_{key}"], label="validation")
            if key == "accuracy" and "val_uar" in curves:
                ax.plot(epochs, curves["val_uar"], label="validation UAR (stopping criterion)")
            ax.axvline(best, color="grey", linestyle="--", label=f"best epoch ({best})")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel("epoch")
            ax.set_ylabel(key)
            ax.set_title(f"{name}: {key}")
            ax.legend()
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_metric_bars(table, metrics=("accuracy", "uar", "macro_f1"), chance: float | None = None, title: str = ""):
    """Grouped bars of metrics per model; ``table`` is a DataFrame with a ``model`` column."""
    long = table.melt(id_vars="model", value_vars=list(metrics), var_name="metric", value_name="score")
    fig, ax = plt.subplots(figsize=(7, 4))
    sns.barplot(long, x="metric", y="score", hue="model", ax=ax)
    if chance is not None:
        ax.axhline(chance, color="red", linestyle=":", label=f"chance ({chance:.2f})")
    ax.set_ylim(0, 1)
    ax.set_ylabel("score on held-out speakers")
    ax.set_title(title)
    ax.legend(loc="upper right")
    for container in ax.containers:
        ax.bar_label(container, fmt="%.2f", fontsize=8)
    fig.tight_layout()
    return fig
