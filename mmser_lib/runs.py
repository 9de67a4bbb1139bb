"""A *run*: a trained model with everything needed to use it again.

A run folder holds

``model.keras``       the Keras model (its input scaler is a layer inside it)
``vectoriser.joblib`` the TF-IDF vectoriser fitted on training text (text models)
``config.json``       corpus, model name, labels, feature parameters, seed,
                      training / validation speakers, best epoch, versions
``history.json``      per-epoch training and validation loss and accuracy

so ``mmser evaluate`` and ``mmser predict`` can apply it to any folder of the
same corpus layout, at any sample rate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import joblib
import keras
import numpy as np
import pandas as pd

from mmser_lib import gpu, models, splits, text
from mmser_lib.corpora.common import EMOTION_ORDER
from mmser_lib.evaluation import classification_metrics
from mmser_lib.features import SequenceParams, extract_sequences
from mmser_lib.plots import package_versions
from mmser_lib.training import fit


def ordered_labels(emotions) -> list[str]:
    """The emotions present, in the harmonised order (extras alphabetically after)."""
    present = set(emotions)
    return [e for e in EMOTION_ORDER if e in present] + sorted(present - set(EMOTION_ORDER))


@dataclass
class Run:
    """A trained model plus its fitted vectoriser and configuration."""

    model: keras.Model
    config: dict
    vectoriser: object | None = None

    @property
    def labels(self) -> list[str]:
        return self.config["labels"]

    @property
    def sequence_params(self) -> SequenceParams:
        return SequenceParams(**self.config["sequence_params"])

    def inputs(self, manifest: pd.DataFrame, X: np.ndarray | None = None, progress: bool = True):
        """What the model takes for the rows of ``manifest``.

        Returns
        -------
        np.ndarray, shape (n_rows, n_frames, n_features), for audio-only models, or
        dict with "audio" (those frames) and "text" (TF-IDF, shape (n_rows, vocabulary)).
        """
        if X is None:
            X, _ = extract_sequences(manifest, self.sequence_params, progress=progress)
        if self.vectoriser is None:
            return X
        return {"audio": X, "text": text.tfidf_features(self.vectoriser, manifest["text"])}

    def predict_proba(self, manifest: pd.DataFrame, X: np.ndarray | None = None, progress: bool = True) -> np.ndarray:
        """Class probabilities, shape (n_rows, n_labels), columns in :attr:`labels` order."""
        return self.model.predict(self.inputs(manifest, X, progress), verbose=0)

    def evaluate(self, manifest: pd.DataFrame, X: np.ndarray | None = None, progress: bool = True) -> dict:
        """Metrics of :func:`classification_metrics` on the rows whose emotion the run knows.

        Rows with other emotions are left out and counted in ``excluded_unknown_emotions``.
        """
        known = manifest["emotion"].isin(self.labels).to_numpy()
        if not known.any():
            raise ValueError(f"none of the emotions {sorted(manifest['emotion'].unique())} is one the run knows: "
                             f"{self.labels}")
        rows = manifest[known]
        probabilities = self.predict_proba(rows, None if X is None else X[known], progress)
        predicted = np.asarray(self.labels)[probabilities.argmax(axis=1)]
        metrics = classification_metrics(rows["emotion"], predicted, self.labels)
        metrics["excluded_unknown_emotions"] = int((~known).sum())
        return metrics

    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.model.save(directory / "model.keras")
        if self.vectoriser is not None:
            joblib.dump(self.vectoriser, directory / "vectoriser.joblib")
        history = self.config.get("history", {})
        config = {k: v for k, v in self.config.items() if k != "history"}
        (directory / "config.json").write_text(json.dumps(config, indent=2) + "\n")
        (directory / "history.json").write_text(json.dumps(history, indent=2) + "\n")
        return directory


def load_run(directory: str | Path) -> Run:
    """Load a run saved by :meth:`Run.save` (or ``mmser train``)."""
    directory = Path(directory)
    if not (directory / "model.keras").is_file() or not (directory / "config.json").is_file():
        raise FileNotFoundError(
            f"{directory} is not a run folder: it needs model.keras and config.json, as written by `mmser train`"
        )
    config = json.loads((directory / "config.json").read_text())
    history_file = directory / "history.json"
    config["history"] = json.loads(history_file.read_text()) if history_file.is_file() else {}
    vectoriser_file = directory / "vectoriser.joblib"
    vectoriser = joblib.load(vectoriser_file) if vectoriser_file.is_file() else None
    return Run(keras.models.load_model(directory / "model.keras"), config, vectoriser)


def train(
    manifest: pd.DataFrame,
    model_name: str,
    split: pd.Series | None = None,
    X: np.ndarray | None = None,
    params: SequenceParams | None = None,
    seed: int = 0,
    epochs: int = 60,
    patience: int = 15,
    batch_size: int = 32,
    val_size: float = 0.2,
    progress: bool = True,
) -> Run:
    """Train ``model_name`` on the "train" rows, early-stopping on the "val" rows.

    Parameters
    ----------
    manifest : the utterances; rows on the "test" side of ``split`` are not touched.
    model_name : a key of :data:`mmser_lib.models.MODELS` ("conv1d", "two_branch").
    split : "train" / "val" / "test" per row; default: a speaker split holding out
        ``val_size`` of the speakers for validation and none for test.
    X : precomputed frame sequences for every row of ``manifest``, shape
        (n_rows, n_frames, n_features); computed with ``params`` when None.
    params : how frames are computed (default :class:`SequenceParams`).

    Returns
    -------
    Run, whose ``config["history"]`` holds the training curves and best epoch.
    """
    if model_name not in models.MODELS:
        raise ValueError(f"unknown model {model_name!r}; choose one of {sorted(models.MODELS)}")
    params = params or SequenceParams()
    gpu.seed_everything(seed)
    if split is None:
        split = splits.speaker_split(manifest, val_size=val_size, test_size=0.0, seed=seed)
    is_train = (split == "train").to_numpy()
    is_val = (split == "val").to_numpy()
    if not is_val.any():
        raise ValueError("the split has no 'val' rows: early stopping needs validation speakers")
    if X is None:
        X, _ = extract_sequences(manifest, params, progress=progress)

    labels = ordered_labels(manifest.loc[is_train, "emotion"])
    index = {label: i for i, label in enumerate(labels)}
    is_val = is_val & manifest["emotion"].isin(index).to_numpy()
    y = manifest["emotion"].map(index).fillna(-1).astype(int).to_numpy()

    train_frames = X[is_train]
    mean = train_frames.mean(axis=(0, 1))
    variance = train_frames.var(axis=(0, 1))
    vectoriser = None
    with gpu.strategy().scope():
        if models.NEEDS_TEXT[model_name]:
            vectoriser = text.fit_tfidf(manifest.loc[is_train, "text"])
            model = models.two_branch(X.shape[1:], len(vectoriser.vocabulary_), len(labels), mean, variance)
        else:
            model = models.conv1d_baseline(X.shape[1:], len(labels), mean, variance)
    run = Run(model, {}, vectoriser)

    fitted = fit(model, run.inputs(manifest[is_train], X[is_train]), y[is_train],
                 run.inputs(manifest[is_val], X[is_val]), y[is_val], epochs=epochs,
                 batch_size=batch_size, patience=patience, progress=progress)
    run.config = {
        "corpus": str(manifest["corpus"].iloc[0]),
        "model": model_name,
        "labels": labels,
        "sequence_params": params.to_dict(),
        "seed": seed,
        "train_speakers": sorted(manifest.loc[is_train, "speaker"].unique()),
        "val_speakers": sorted(manifest.loc[is_val, "speaker"].unique()),
        "n_train": int(is_train.sum()),
        "n_val": int(is_val.sum()),
        "epochs_max": epochs,
        "patience": patience,
        "best_epoch": fitted["best_epoch"],
        "epochs_run": fitted["epochs_run"],
        "versions": package_versions(),
        "history": fitted,
    }
    return run
