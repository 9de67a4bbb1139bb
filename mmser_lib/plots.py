"""Figures, and the one helper that saves them (with a metrics.json beside them).

Figures go to ``<figures dir>/<notebook>/<name>.png``; the figures dir is the
repository's ``student/`` unless ``MMSER_FIGURES_DIR`` points elsewhere (the
reference tool points it at ``figures/``).
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from mmser_lib import config, emotions
from mmser_lib.emotions import colours as emotion_colours
from mmser_lib.emotions import ordered as ordered_emotions


def figure_path(notebook: str, name: str) -> Path:
    """Return ``<figures dir>/<notebook>/<name>.png``, creating the folder."""
    folder = config.figures_dir() / notebook
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"


TWIN_MARK = "twin (synthetic speech)"


def save_figure(fig: plt.Figure, notebook: str, name: str, dpi: int = 120, twin: bool | None = None) -> Path:
    """Save ``fig`` as ``<figures dir>/<notebook>/<name>.png`` (:func:`config.figures_dir`) and return the path.

    A figure made on twins says so in its title: ``twin`` defaults to True
    when every corpus this process loaded was a twin (:func:`only_twins_loaded`).
    """
    if twin is None:
        twin = only_twins_loaded()
    if twin:
        mark_twin(fig)
    path = figure_path(notebook, name)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    return path


def only_twins_loaded() -> bool:
    """True when this process has loaded corpora and none of them was real."""
    from mmser_lib.corpora import LOADED, REAL_LOADED

    return bool(LOADED) and not REAL_LOADED


def mark_twin(fig: plt.Figure) -> None:
    """Put "twin (synthetic speech)" at the start of the figure's title (once)."""
    title = fig._suptitle.get_text() if fig._suptitle is not None else ""
    if title.startswith(TWIN_MARK):
        return
    fig.suptitle(f"{TWIN_MARK}: {title}" if title else TWIN_MARK, color="#9a3412")
    fig.tight_layout()


def plot_confusion_matrix(matrix, labels: list[str], title: str, ax=None, normalise: bool = True):
    """Heatmap of a confusion matrix: colour is the row share (recall), each cell shows the share and the count.

    With a test set of a few speakers a row holds 8-30 clips, so the count
    says how much one share can be trusted; the row totals are on the y axis.
    """
    counts = np.asarray(matrix, dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    shown = shares if normalise else counts
    text = np.array([["" if c == 0 else f"{s:.2f}\n{int(c)}" if normalise else f"{int(c)}"
                      for s, c in zip(srow, crow)]
                     for srow, crow in zip(shares, counts)])
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    rows = [f"{label} ({int(n)})" for label, n in zip(labels, totals[:, 0])]
    sns.heatmap(shown, annot=text, fmt="", cmap="Blues", vmin=0, vmax=1 if normalise else None,
                xticklabels=labels, yticklabels=rows, cbar=False, square=True, ax=ax, annot_kws={"size": 7})
    ax.set_xlabel("predicted emotion (cell: share of the row, count)")
    ax.set_ylabel("true emotion (clips)")
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

    ``histories`` maps a model name to the ``History`` that Keras ``model.fit`` returns
    (stopped on ``val_uar``), or to the dict returned by :func:`mmser_lib.training.fit`.
    """
    from mmser_lib.training import summarise_history

    histories = {name: summarise_history(h) for name, h in histories.items()}
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


def _split_order(name) -> tuple:
    """Sort key for split names: train, dev, val, test first, then numbered names by number (Session2 < Session10)."""
    name = str(name)
    known = ("train", "dev", "val", "test")
    if name in known:
        return (0, known.index(name), "")
    parts = re.split(r"(\d+)", name)
    return (1, 0, tuple(int(p) if p.isdigit() else p for p in parts))


def plot_counts(manifest, column: str, hue: str | None = None, title: str = "", top: int | None = None):
    """Bar chart of how many utterances each value of ``column`` has (stacked by ``hue``).

    Returns None, after printing one line that says so, when every value of ``column``
    has exactly the same counts (a chart of equal bars carries no information).
    """
    counts = manifest.groupby([column, hue]).size().unstack(fill_value=0) if hue else manifest[column].value_counts()
    if hue is None:
        counts = counts.to_frame("utterances")
    if len(counts) > 1 and (counts.nunique(axis=0) == 1).all():
        row = counts.iloc[0]
        detail = f" ({', '.join(f'{n} {h}' for h, n in row.items())})" if hue else ""
        print(f"all {len(counts)} values of {column} have the same {int(row.sum())} utterances{detail}: "
              "no chart needed")
        return None
    if column == "emotion":  # the course's emotion order, each bar in its emotion's colour
        counts = counts.loc[ordered_emotions(counts.index)]
    elif column == "split":  # train, dev / val, test; Session1 ... Session5 in their own order
        counts = counts.loc[sorted(counts.index, key=_split_order)]
    else:
        counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False).index]
    if hue == "emotion":
        counts = counts[ordered_emotions(counts.columns)]
    if top:
        counts = counts.head(top)
    fig, ax = plt.subplots(figsize=(min(12, 1.5 + 0.45 * len(counts)), 3.8))
    if hue == "emotion":
        counts.plot.bar(stacked=True, ax=ax, width=0.8, color=emotion_colours(counts.columns))
    elif hue:
        counts.plot.bar(stacked=True, ax=ax, width=0.8, colormap="tab10")
    elif column == "emotion":
        ax.bar(counts.index, counts["utterances"], width=0.8, color=emotion_colours(counts.index))
    else:
        counts.plot.bar(ax=ax, legend=False, width=0.8)
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
    order = order or ordered_emotions(emotions)
    n = len(columns)
    cols = min(3, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.3 * cols, 3.2 * rows), squeeze=False)
    data = table.assign(emotion=np.asarray(emotions))
    for ax, (column, label) in zip(axes.flat, columns.items()):
        sns.boxplot(data, x="emotion", y=column, order=order, ax=ax, hue="emotion",
                    palette=dict(zip(order, emotion_colours(order))), fliersize=1.5, legend=False)
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
        if set(values) <= set(emotions.COLOURS):  # emotions: the course's order and colours
            values = ordered_emotions(values)
            palette = emotion_colours(values)
        else:
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


def plot_seed_table(table, title: str = "", metric: str = "UAR", chance: float | None = None, ax=None):
    """Bars of the seed mean per model, with the bootstrap 95% interval and every seed as a dot.

    ``table`` is :func:`mmser_lib.evaluation.seed_table` (or ``Comparison.table``).
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(5.5, 1.1 * len(table) + 2), 4))
    fig = ax.figure
    x = np.arange(len(table))
    errors = np.array([table["mean"] - table["ci_low"], table["ci_high"] - table["mean"]])
    bars = ax.bar(x, table["mean"], yerr=errors, capsize=4, color=sns.color_palette("muted", len(table)),
                  label="mean over seeds, 95% bootstrap interval")
    seed_columns = [c for c in table.columns if c.startswith("seed_")]
    for i, (_, row) in enumerate(table.iterrows()):
        values = row[seed_columns].dropna().astype(float)
        ax.scatter(np.full(len(values), i), values, color="black", s=12, zorder=3,
                   label="one seed" if i == 0 else None)
    ax.bar_label(bars, labels=[f"{m:.2f}" for m in table["mean"]], padding=2, fontsize=8, label_type="center")
    if chance is not None:
        ax.axhline(chance, color="red", linestyle=":", label=f"chance ({chance:.2f})")
    ax.set_xticks(x, table["model"], rotation=25, ha="right")
    ax.set_ylim(0, 1)
    ax.set_ylabel(f"{metric} on the test rows")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))  # outside: never over a bar
    fig.tight_layout()
    return fig


def plot_grouped_scores(frame, x: str, hue: str, title: str = "", ylabel: str = "UAR", chance: float | None = None):
    """Grouped bars of ``mean`` (with ``sd`` error bars) from a long table with columns ``x``, ``hue``, mean, sd."""
    xs = list(dict.fromkeys(frame[x]))
    hues = list(dict.fromkeys(frame[hue]))
    width = 0.8 / len(hues)
    fig, ax = plt.subplots(figsize=(max(7, 1.4 * len(xs) + 2), 4.3))
    palette = sns.color_palette("muted", len(hues))
    for j, (h, colour) in enumerate(zip(hues, palette)):
        part = frame[frame[hue] == h].set_index(x).reindex(xs)
        positions = np.arange(len(xs)) + (j - (len(hues) - 1) / 2) * width
        bars = ax.bar(positions, part["mean"], width, yerr=part["sd"], capsize=3, color=colour, label=str(h))
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in part["mean"]], fontsize=7, padding=2, rotation=90)
    if chance is not None:
        ax.axhline(chance, color="red", linestyle=":", label=f"chance ({chance:.2f})")
    ax.set_xticks(np.arange(len(xs)), xs, rotation=20, ha="right")
    ax.set_ylim(0, 1.08)
    ax.set_ylabel(f"{ylabel} (mean over seeds, bars: sd)")
    ax.set_title(title)
    ax.legend(title=hue, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    return fig


def plot_roc_curves(curves: dict[str, tuple], title: str = ""):
    """One-vs-rest ROC curves per class, one panel per model, with the AUC of each class and the macro AUC.

    ``curves`` maps a model name to (y_true labels, probabilities (n, n_labels), labels).
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    fig, axes = plt.subplots(1, len(curves), figsize=(5.2 * len(curves), 4.6), squeeze=False)
    for ax, (name, (y_true, probabilities, labels)) in zip(axes[0], curves.items()):
        y_true = np.asarray(y_true)
        aucs = []
        for k, (label, colour) in enumerate(zip(labels, emotion_colours(labels))):
            positive = y_true == label
            if positive.all() or not positive.any():
                continue
            fpr, tpr, _ = roc_curve(positive, probabilities[:, k])
            auc = roc_auc_score(positive, probabilities[:, k])
            aucs.append(auc)
            ax.plot(fpr, tpr, color=colour, label=f"{label} ({auc:.2f})")
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="chance (0.50)")
        ax.set_title(f"{name}: macro AUC {np.mean(aucs):.3f}")
        ax.set_xlabel("false positive rate")
        ax.set_ylabel("true positive rate")
        ax.legend(fontsize=7, loc="lower right", title="class (AUC)", title_fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_per_class_f1(results: dict[str, dict], title: str = ""):
    """Grouped bars of F1 per class for several models (dicts of :func:`classification_metrics`)."""
    import pandas as pd

    rows = [{"model": name, "class": label, "F1": values["f1-score"]}
            for name, metrics in results.items() for label, values in metrics["per_class"].items()]
    frame = pd.DataFrame(rows)
    fig, ax = plt.subplots(figsize=(max(6.5, 1.1 * frame["class"].nunique() + 2), 4))
    sns.barplot(frame, x="class", y="F1", hue="model", ax=ax)
    ax.set_ylim(0, 1)
    ax.set_ylabel("F1 on the test rows")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_detector_curves(curves: dict[str, tuple], title: str = ""):
    """Precision-recall and ROC curves of binary detectors, the validation-chosen threshold marked.

    ``curves`` maps a model name to (y_true 0/1, probability of the positive class, threshold).
    """
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

    fig, (pr, roc) = plt.subplots(1, 2, figsize=(12, 4.8))
    palette = sns.color_palette("tab10", len(curves))
    base_rate = None
    for (name, (y, p, threshold)), colour in zip(curves.items(), palette):
        y, p = np.asarray(y).astype(int), np.asarray(p).ravel()
        precision, recall, _ = precision_recall_curve(y, p)
        pr.plot(recall, precision, color=colour, label=f"{name} (AP {average_precision_score(y, p):.2f})")
        chosen = p >= threshold
        tp = np.sum(chosen & (y == 1))
        pr.scatter([tp / max(y.sum(), 1)], [tp / max(chosen.sum(), 1)], color=colour, edgecolor="black", zorder=3)
        fpr, tpr, _ = roc_curve(y, p)
        roc.plot(fpr, tpr, color=colour, label=f"{name} (AUC {roc_auc_score(y, p):.2f})")
        roc.scatter([np.sum(chosen & (y == 0)) / max(np.sum(y == 0), 1)], [tp / max(y.sum(), 1)], color=colour,
                    edgecolor="black", zorder=3)
        base_rate = y.mean()
    pr.axhline(base_rate, color="grey", linestyle=":", label=f"chance (positive share {base_rate:.2f})")
    roc.plot([0, 1], [0, 1], color="grey", linestyle=":", label="chance")
    pr.set(xlabel="recall (sad clips found)", ylabel="precision (flagged clips that are sad)",
           title="precision-recall; dot = validation threshold", ylim=(0, 1.02))
    roc.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC; dot = validation threshold")
    pr.legend(fontsize=7)
    roc.legend(fontsize=7, loc="lower right")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_emotion_timeline(predictions, title: str = "", parts: list[dict] | None = None):
    """What a run heard in each recording (:class:`mmser_lib.predict.Prediction` list), one panel each.

    A recording cut into windows gets stacked probabilities over time (the
    window centres), with windows that hold little speech hatched; a short
    recording gets a bar per class. ``parts`` (dicts with ``emotion``,
    ``start``, ``end`` in seconds) marks what was really spoken when, on the
    first panel.
    """
    predictions = list(predictions)
    fig, axes = plt.subplots(len(predictions), 1, figsize=(10, 3.2 * len(predictions)), squeeze=False)
    for ax, prediction in zip(axes[:, 0], predictions):
        labels = prediction.labels
        colours = emotion_colours(labels)
        name = Path(prediction.path).name
        if prediction.windowed:
            # one stacked bar per window, as wide as the step between window centres: nothing is drawn between
            # windows that the model did not score (a line through the centres would invent changes)
            w = prediction.windows
            centres = ((w["start"] + w["end"]) / 2).to_numpy()
            # (the last window ends with the recording, so it may sit closer to the one before: no overlap)
            if len(centres) > 1:
                gaps = np.diff(centres)
                widths = 0.95 * np.minimum(np.r_[gaps[0], gaps], np.r_[gaps, gaps[-1]])
            else:
                widths = 0.95 * (w["end"] - w["start"]).to_numpy(dtype=float)
            bottom = np.zeros(len(w))
            for label, colour in zip(labels, colours):
                share = w[f"p_{label}"].to_numpy()
                ax.bar(centres, share, width=widths, bottom=bottom, color=colour, alpha=0.85, label=label,
                       linewidth=0)
                bottom += share
            for centre, width, quiet in zip(centres, widths, ~w["speech"]):
                if quiet:
                    ax.bar(centre, 1, width=width, color="white", alpha=0.6, hatch="//", linewidth=0)
            ax.set_xlim(0, prediction.seconds)
            ax.set_ylim(0, 1)
            ax.set_xlabel("time in the recording (s): one bar per window, at its centre; hatched: little speech, "
                          "not averaged")
            ax.set_ylabel("probability (stacked)")
            ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), title="emotion")
            for part in (parts or []) if ax is axes[0, 0] else []:
                ax.axvline(part["start"], color="black", linewidth=1)
                ax.text((part["start"] + part["end"]) / 2, 1.01, "spoken: " + part["emotion"], ha="center",
                        va="bottom", fontsize=8, transform=ax.get_xaxis_transform())
            ax.set_title(f"{name} ({prediction.seconds:.0f} s, {len(w)} windows): overall {prediction.predicted}",
                         pad=18 if parts and ax is axes[0, 0] else 6)
        else:
            order = np.argsort(prediction.probabilities)
            ax.barh([labels[i] for i in order], prediction.probabilities[order],
                    color=[colours[i] for i in order])
            ax.set_xlim(0, 1)
            ax.set_xlabel("probability")
            ax.set_title(f"{name} ({prediction.seconds:.1f} s): {prediction.predicted}")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_cross_corpus(tables: dict, chance: float | None = None, title: str = "", metric: str = "UAR"):
    """Train-corpus by test-corpus heatmaps (one panel per table), the same-corpus cells outlined.

    ``tables`` maps a panel title to a DataFrame: rows = training corpus, columns = test corpus.
    """
    from matplotlib.patches import Rectangle

    fig, axes = plt.subplots(1, len(tables), figsize=(4.6 * len(tables) + 0.8, 4.4), squeeze=False)
    for ax, (name, table) in zip(axes[0], tables.items()):
        sns.heatmap(table.astype(float), annot=True, fmt=".2f", cmap="viridis", vmin=chance or 0, vmax=1, ax=ax,
                    cbar=ax is axes[0, -1], cbar_kws={"label": metric + (f" (chance {chance:.2f})" if chance else "")})
        for i, row in enumerate(table.index):
            if row in table.columns:
                ax.add_patch(Rectangle((list(table.columns).index(row), i), 1, 1, fill=False, edgecolor="white",
                                       linewidth=2.5))
        ax.set_xlabel("test corpus (its unseen test speakers)")
        ax.set_ylabel("training corpus")
        ax.set_title(name)
        ax.tick_params(axis="x", rotation=30)
        ax.tick_params(axis="y", rotation=0)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
