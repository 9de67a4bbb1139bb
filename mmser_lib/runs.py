"""A *run*: a trained model with everything needed to use it again.

A run folder holds

``model.keras``       the Keras model (a frame scaler, when it reads frames, is a layer inside it)
``pipeline.joblib``   the :class:`~mmser_lib.inputs.InputPipeline` fitted on training rows
                      (feature scalers, TF-IDF vectoriser, frame parameters)
``config.json``       corpus, model name, task, labels, scaling, seed, training /
                      validation speakers, best epoch, decision threshold, versions
``history.json``      per-epoch training and validation curves

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

from mmser_lib import architectures, gpu, splits
from mmser_lib.corpora.common import EMOTION_ORDER
from mmser_lib.corpora.subsets import binary_sad
from mmser_lib.evaluation import best_threshold, binary_metrics, classification_metrics
from mmser_lib.features import SequenceParams
from mmser_lib.inputs import InputPipeline
from mmser_lib.plots import package_versions
from mmser_lib.training import EpochPredictions, fit, take

SAD_LABELS = ["not_sad", "sad"]


def ordered_labels(emotions) -> list[str]:
    """The emotions present, in the harmonised order (extras alphabetically after)."""
    present = set(emotions)
    return [e for e in EMOTION_ORDER if e in present] + sorted(present - set(EMOTION_ORDER))


def task_manifest(manifest: pd.DataFrame, task: str) -> pd.DataFrame:
    """The rows and labels a task uses: unchanged for "emotions", sad / not_sad for "sad"."""
    return binary_sad(manifest) if task == "sad" else manifest


def _as_raw(raw) -> dict | None:
    """Accept precomputed frames as a bare array (notebook 02's ``X``) or a dict of raw inputs."""
    if raw is None or isinstance(raw, dict):
        return raw
    return {"frames": np.asarray(raw)}


@dataclass
class Run:
    """A trained model plus its fitted input pipeline and configuration."""

    model: keras.Model
    config: dict
    pipeline: InputPipeline
    epoch_predictions: dict | None = None  # filled by ``train(record_rows=...)``

    @property
    def labels(self) -> list[str]:
        return self.config["labels"]

    @property
    def task(self) -> str:
        return self.config.get("task", "emotions")

    @property
    def sequence_params(self) -> SequenceParams:
        return self.pipeline.params

    @property
    def vectoriser(self):
        return self.pipeline.vectoriser

    def inputs(self, manifest: pd.DataFrame, raw=None, progress: bool = True,
               cache: bool = True) -> dict[str, np.ndarray]:
        """What the model takes for the rows of ``manifest`` (dict input kind -> array).

        ``raw`` : precomputed :func:`mmser_lib.inputs.raw_inputs` for these rows
        (or a frames array); computed from the audio and text when None
        (through the feature cache unless ``cache=False``).
        """
        raw = _as_raw(raw)
        if raw is None or any(k not in raw for k in self.pipeline.kinds):
            raw = self.pipeline.raw(manifest, progress, cache)
        return self.pipeline.transform(manifest, raw)

    def predict_proba(self, manifest: pd.DataFrame, raw=None, progress: bool = True,
                      cache: bool = True) -> np.ndarray:
        """Class probabilities, shape (n_rows, n_labels), columns in :attr:`labels` order."""
        probabilities = self.model.predict(self.inputs(manifest, raw, progress, cache), verbose=0)
        if self.task == "sad":
            return np.column_stack([1 - probabilities[:, 0], probabilities[:, 0]])
        return probabilities

    def predict(self, manifest: pd.DataFrame, raw=None, progress: bool = True) -> np.ndarray:
        """Predicted labels, shape (n_rows,); a detector uses the threshold chosen on validation."""
        probabilities = self.predict_proba(manifest, raw, progress)
        if self.task == "sad":
            return np.where(probabilities[:, 1] >= self.config["threshold"], "sad", "not_sad")
        return np.asarray(self.labels)[probabilities.argmax(axis=1)]

    def evaluate(self, manifest: pd.DataFrame, raw=None, progress: bool = True,
                 labels: list[str] | None = None) -> dict:
        """Metrics of :func:`classification_metrics` on the rows whose emotion the run knows.

        Rows with other emotions are left out and counted in
        ``excluded_unknown_emotions``. A detector adds ``detector``:
        :func:`binary_metrics` at the validation threshold (F1, precision,
        recall, ROC AUC, average precision).

        ``labels`` : score only these of the run's classes, and predict among
        them only (cross-corpus: the emotions both corpora have).
        """
        raw = _as_raw(raw)
        if self.task == "sad":
            keep = ~manifest["emotion"].isin(["unlabelled", "other"]).to_numpy()
            raw = None if raw is None else take(raw, keep)
            manifest = task_manifest(manifest, "sad")
        scored = list(labels) if labels is not None else list(self.labels)
        unknown = sorted(set(scored) - set(self.labels))
        if unknown:
            raise ValueError(f"the run has no class {unknown}; its classes are {self.labels}")
        known = manifest["emotion"].isin(scored).to_numpy()
        if not known.any():
            raise ValueError(f"none of the emotions {sorted(manifest['emotion'].unique())} is one the run knows: "
                             f"{scored}")
        rows = manifest[known]
        probabilities = self.predict_proba(rows, None if raw is None else take(raw, known), progress)
        if self.task == "sad":
            predicted = np.where(probabilities[:, 1] >= self.config["threshold"], "sad", "not_sad")
        else:
            columns = [self.labels.index(label) for label in scored]
            predicted = np.asarray(scored)[probabilities[:, columns].argmax(axis=1)]
        metrics = classification_metrics(rows["emotion"], predicted, scored)
        if self.task == "sad":
            metrics["detector"] = binary_metrics((rows["emotion"] == "sad").to_numpy(), probabilities[:, 1],
                                                 self.config["threshold"])
        metrics["excluded_unknown_emotions"] = int((~known).sum())
        return metrics

    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.model.save(directory / "model.keras")
        joblib.dump(self.pipeline, directory / "pipeline.joblib")
        history = self.config.get("history", {})
        config = {k: v for k, v in self.config.items() if k != "history"}
        (directory / "config.json").write_text(json.dumps(config, indent=2) + "\n")
        (directory / "history.json").write_text(json.dumps(history, indent=2) + "\n")
        return directory


def load_run(directory: str | Path) -> Run:
    """Load a run saved by :meth:`Run.save` (or ``mmser train``)."""
    from mmser_lib import models  # noqa: F401  (registers the custom layers for loading)

    directory = Path(directory)
    needed = ("model.keras", "config.json", "pipeline.joblib")
    if not all((directory / name).is_file() for name in needed):
        raise FileNotFoundError(
            f"{directory} is not a run folder: it needs {', '.join(needed)}, as written by `mmser train`"
        )
    config = json.loads((directory / "config.json").read_text())
    history_file = directory / "history.json"
    config["history"] = json.loads(history_file.read_text()) if history_file.is_file() else {}
    pipeline = joblib.load(directory / "pipeline.joblib")
    return Run(keras.models.load_model(directory / "model.keras"), config, pipeline)


def train(
    manifest: pd.DataFrame,
    model_name: str,
    split: pd.Series | None = None,
    X=None,
    params: SequenceParams | None = None,
    seed: int = 0,
    epochs: int = 60,
    patience: int = 15,
    batch_size: int | None = None,
    val_size: float = 0.2,
    scaling: str = "train",
    raw: dict | None = None,
    extra_callbacks: list | None = None,
    record_rows: dict | None = None,
    progress: bool = True,
) -> Run:
    """Train ``model_name`` on the "train" rows, choosing the epoch (and a detector's threshold) on "val" rows.

    Parameters
    ----------
    manifest : the utterances; rows on the "test" side of ``split`` are never used.
    model_name : a name of :data:`mmser_lib.architectures.ARCHITECTURES`.
    split : "train" / "val" / "test" per row; default: a speaker split holding out
        ``val_size`` of the speakers for validation and none for test.
    X, raw : precomputed inputs for every row of ``manifest``: ``X`` the frame
        sequences (n_rows, n_frames, n_features), ``raw`` a dict of
        :func:`mmser_lib.inputs.raw_inputs`; computed when missing.
    params : how frames are computed (default :class:`SequenceParams`).
    scaling : "train", "speaker" (per-speaker normalisation) or "none" (see :mod:`mmser_lib.scaling`).
    batch_size : default: the architecture's own (32, or 64 for seed 001's fusion models).
    record_rows : name -> boolean mask of rows whose predictions are kept after
        every epoch (``run.epoch_predictions[name]``, one array per epoch), e.g.
        to *show* how much choosing the epoch on test rows would flatter a model.

    Returns
    -------
    Run, whose ``config["history"]`` holds the training curves and best epoch.
    """
    arch = architectures.get(model_name)
    params = params or SequenceParams()
    gpu.seed_everything(seed)
    raw = _as_raw(raw) if raw is not None else (None if X is None else {"frames": np.asarray(X)})
    if arch.task == "sad":  # rows without a label are dropped, the rest relabelled sad / not_sad
        keep = ~manifest["emotion"].isin(["unlabelled", "other"]).to_numpy()
        split = None if split is None else pd.Series(np.asarray(split)[keep])
        raw = None if raw is None else take(raw, keep)
        manifest = task_manifest(manifest, "sad")
    if split is None:
        split = splits.speaker_split(manifest, val_size=val_size, test_size=0.0, seed=seed)
    split = pd.Series(np.asarray(split), index=manifest.index)
    is_train = (split == "train").to_numpy()
    is_val = (split == "val").to_numpy()
    if not is_val.any():
        raise ValueError("the split has no 'val' rows: early stopping needs validation speakers")

    pipeline = InputPipeline(arch.inputs, scaling=scaling, sequence_params=params.to_dict())
    raw = dict(raw or {})
    used = is_train | is_val
    if any(k not in raw for k in arch.inputs):
        computed = pipeline.raw(manifest[used], progress)
        for key, value in computed.items():
            full = np.zeros((len(manifest), *value.shape[1:]), dtype=value.dtype)
            full[used] = value
            raw[key] = full

    if arch.task == "sad":
        labels = SAD_LABELS
        y = (manifest["emotion"] == "sad").to_numpy().astype(int)
        n_outputs = 1
    else:
        labels = ordered_labels(manifest.loc[is_train, "emotion"])
        index = {label: i for i, label in enumerate(labels)}
        is_val = is_val & manifest["emotion"].isin(index).to_numpy()
        y = manifest["emotion"].map(index).fillna(-1).astype(int).to_numpy()
        n_outputs = len(labels)

    pipeline.fit(manifest[is_train], take(raw, is_train))
    x_train = pipeline.transform(manifest[is_train], take(raw, is_train))
    x_val = pipeline.transform(manifest[is_val], take(raw, is_val))
    stats = (None, None)
    if "frames" in x_train and scaling != "none":
        stats = (x_train["frames"].mean(axis=(0, 1)), x_train["frames"].var(axis=(0, 1)))

    trained = {}
    for needed in arch.needs:  # late fusion: train its parts first, on the same rows
        part = train(manifest, needed, split=split, raw=raw, params=params, seed=seed, epochs=epochs,
                     patience=patience, scaling=scaling, progress=progress)
        trained[needed] = part.model
    with gpu.strategy().scope():
        model = arch.build(pipeline.shapes(x_train), n_outputs, stats, trained)

    recorder = None
    if record_rows:
        recorded = {}
        for name, rows in record_rows.items():
            rows = np.asarray(rows)[keep] if arch.task == "sad" and len(rows) != len(manifest) else np.asarray(rows)
            recorded[name] = pipeline.transform(manifest[rows], take(raw, rows))
        recorder = EpochPredictions(recorded)
    fitted = fit(model, x_train, y[is_train], x_val, y[is_val], epochs=epochs,
                 batch_size=batch_size or arch.batch_size, patience=patience,
                 oversample_train=arch.oversample, reduce_lr_patience=arch.reduce_lr_patience,
                 extra_callbacks=[*(extra_callbacks or []), *([recorder] if recorder else [])], seed=seed,
                 progress=progress)
    config = {
        "corpus": str(manifest["corpus"].iloc[0]),
        "model": model_name,
        "write_up": arch.seed,
        "task": arch.task,
        "inputs": list(arch.inputs),
        "labels": labels,
        "scaling": scaling,
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
    if arch.task == "sad":
        probability = model.predict(x_val, verbose=0)[:, 0]
        config["threshold"], config["val_f1"] = best_threshold(y[is_val], probability)
    return Run(model, config, pipeline, recorder.predictions if recorder else None)
