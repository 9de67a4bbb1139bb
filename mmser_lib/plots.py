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

PACKAGES = ("tensorflow", "tensorflow-cpu", "keras", "numpy", "librosa", "scikit-learn", "espeakng-loader",
            "praat-parselmouth", "opensmile", "av", "torch", "faster-whisper", "openai-whisper", "transformers",
            "sentence-transformers", "jiwer")


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
            monitor = fitted.get("monitor", "val_uar")
            if key == "accuracy" and monitor in curves:
                what = "F1 at its best threshold" if monitor == "val_f1" else "UAR"
                ax.plot(epochs, curves[monitor], label=f"validation {what} (stopping criterion)")
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


def plot_counts(manifest, column: str, hue: str | None = None, title: str = "", top: int | None = None):
    """Bar chart of how many utterances each value of ``column`` has (stacked by ``hue``)."""
    counts = manifest.groupby([column, hue]).size().unstack(fill_value=0) if hue else manifest[column].value_counts()
    if hue is None:
        counts = counts.to_frame("utterances")
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False).index]
    if top:
        counts = counts.head(top)
    fig, ax = plt.subplots(figsize=(min(12, 1.5 + 0.45 * len(counts)), 3.8))
    counts.plot.bar(stacked=True, ax=ax, legend=hue is not None, width=0.8, colormap="tab10" if hue else None)
    ax.set_xlabel(column)
    ax.set_ylabel("utterances")
    ax.set_title(title or f"utterances per {column}")
    if hue:
        ax.legend(title=hue, bbox_to_anchor=(1.01, 1), loc="upper left", fontsize=8)
    ax.tick_params(axis="x", rotation=45)
    plt.setp(ax.get_xticklabels(), ha="right")
    fig.tight_layout()
    return fig


def plot_clip(y, sr: int, f0_times=None, f0=None, title: str = ""):
    """Waveform above a log-mel spectrogram, with the F0 contour drawn on it when given."""
    import librosa
    import librosa.display

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5), sharex=True, height_ratios=[1, 2])
    librosa.display.waveshow(y, sr=sr, ax=top)
    top.set_ylabel("amplitude")
    top.set_xlabel("")
    top.set_title(title)
    mel = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=sr, n_fft=1024, hop_length=160, n_mels=80),
                              ref=np.max)
    image = librosa.display.specshow(mel, sr=sr, hop_length=160, x_axis="time", y_axis="mel", ax=bottom)
    fig.colorbar(image, ax=[top, bottom], format="%+2.0f dB", fraction=0.04)
    if f0 is not None:
        voiced = np.where(f0 > 0, f0, np.nan)
        bottom.plot(f0_times, voiced, color="cyan", linewidth=2, label="F0 (Praat)")
        bottom.legend(loc="upper right")
    bottom.set_xlabel("time (s)")
    bottom.set_ylabel("frequency (Hz, mel scale)")
    return fig


def plot_features_by_emotion(table, emotions, columns: dict[str, str], order: list[str] | None = None,
                             title: str = ""):
    """One box plot per feature, utterances grouped by emotion.

    ``columns`` maps a feature column to its axis label (with unit).
    """
    order = order or [e for e in ("neutral", "calm", "happy", "excited", "sad", "angry", "frustrated", "fearful",
                                  "disgust", "surprised") if e in set(emotions)]
    n = len(columns)
    cols = min(3, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.3 * cols, 3.2 * rows), squeeze=False)
    data = table.assign(emotion=np.asarray(emotions))
    for ax, (column, label) in zip(axes.flat, columns.items()):
        sns.boxplot(data, x="emotion", y=column, order=order, ax=ax, hue="emotion", palette="tab10",
                    fliersize=1.5, legend=False)
        ax.set_ylabel(label)
        ax.set_xlabel("")
        ax.tick_params(axis="x", rotation=45)
        plt.setp(ax.get_xticklabels(), ha="right")
    for ax in list(axes.flat)[n:]:
        ax.remove()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_projection(points, colourings: dict[str, object], title: str = "", axis_labels=("PC 1", "PC 2")):
    """Scatter a 2-D projection once per colouring (e.g. by emotion and by speaker), side by side.

    Parameters
    ----------
    points : array, shape (n, 2)
    colourings : panel title -> labels, shape (n,)
    """
    fig, axes = plt.subplots(1, len(colourings), figsize=(6.2 * len(colourings), 5), squeeze=False)
    for ax, (name, labels) in zip(axes[0], colourings.items()):
        labels = np.asarray(labels)
        values = sorted(set(labels))
        palette = sns.color_palette("tab10" if len(values) <= 10 else "husl", len(values))
        for colour, value in zip(palette, values):
            chosen = labels == value
            ax.scatter(points[chosen, 0], points[chosen, 1], s=12, alpha=0.75, color=colour, label=str(value))
        ax.set_title(f"coloured by {name}")
        ax.set_xlabel(axis_labels[0])
        ax.set_ylabel(axis_labels[1])
        ax.legend(fontsize=7, markerscale=1.5, ncol=1 if len(values) <= 12 else 2, loc="best")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_error_rates(rates, intervals: dict | None = None, title: str = "", order: list[str] | None = None):
    """Bars of word error rate per group (e.g. emotion), with 95% intervals when given.

    Parameters
    ----------
    rates : a table of :func:`mmser_lib.transcription.error_rates` (index: groups plus "all").
    intervals : group -> (low, high), e.g. from :func:`mmser_lib.transcription.bootstrap_wer`.
    """
    groups = [g for g in (order or list(rates.index)) if g in rates.index and g != "all"]
    wer = rates.loc[groups, "wer"].astype(float)
    fig, ax = plt.subplots(figsize=(max(5, 0.8 * len(groups) + 2), 3.8))
    errors = None
    if intervals:
        errors = np.array([[wer[g] - intervals[g][0], intervals[g][1] - wer[g]] for g in groups]).T
    bars = ax.bar(groups, wer, yerr=errors, capsize=4, color=sns.color_palette("muted", len(groups)))
    ax.bar_label(bars, labels=[f"{v:.2f}" for v in wer], fontsize=8, padding=2)
    if "all" in rates.index:
        ax.axhline(float(rates.loc["all", "wer"]), color="black", linestyle=":",
                   label=f"all utterances ({float(rates.loc['all', 'wer']):.2f})")
        ax.legend(loc="upper left")
    ax.set_ylabel("word error rate (95% bootstrap interval)" if intervals else "word error rate")
    ax.set_ylim(0, max(0.2, float((wer + (errors[1] if errors is not None else 0)).max()) * 1.2))
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=30)
    fig.tight_layout()
    return fig
