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

from mmser_lib import architectures, gpu, models, splits
from mmser_lib.evaluation import best_threshold, binary_metrics, classification_metrics
from mmser_lib.features import SequenceParams
from mmser_lib.infra.records import package_versions
from mmser_lib.inputs import InputPipeline
from mmser_lib.scaling import enrolment_rows
from mmser_lib.targets import Target
from mmser_lib.training import EpochPredictions, fit, summarise_history, take


def enrolment_summary(manifest: pd.DataFrame, reference: np.ndarray | None, enrol: int, enrol_from: str,
                      seed: int) -> dict:
    """What a per-speaker-normalised score used: ``metrics["enrolment"]`` of :meth:`Run.evaluate`."""
    if reference is None:
        return {"clips_per_speaker": "all", "upper_bound": True,
                "note": "each speaker's statistics include the clips being scored: an upper bound, not a "
                        "deployable score"}
    return {"clips_per_speaker": enrol, "from": enrol_from, "seed": seed, "upper_bound": False,
            "enrolment_clips": int(reference.sum()), "scored_clips": int((~reference).sum()),
            "speakers": int(manifest["speaker"].nunique())}


def _as_raw(raw) -> dict | None:
    """Raw inputs as a dict: a dict as given, or the ``(X, mask)`` pair of ``features.extract_sequences``.

    Frames always travel with their ``frames_mask`` (which frames are real audio):
    the models leave the padding out of every average.
    """
    if raw is None:
        return raw
    if isinstance(raw, tuple) and len(raw) == 2:
        return {"frames": np.asarray(raw[0]), "frames_mask": np.asarray(raw[1], dtype=bool)}
    if not isinstance(raw, dict):
        raise TypeError("raw inputs must be a dict such as {'frames': X, 'frames_mask': mask}, or the (X, mask) "
                        "pair that features.extract_sequences returns; a bare frames array lacks the mask")
    if "frames" in raw and "frames_mask" not in raw:
        raise ValueError("raw['frames'] needs raw['frames_mask'] (which frames are real audio, not padding): "
                         "X, mask = features.extract_sequences(...); raw = {'frames': X, 'frames_mask': mask}")
    return raw


@dataclass
class Run:
    """A trained model plus its fitted input pipeline, its :class:`~mmser_lib.targets.Target` and configuration."""

    model: keras.Model
    config: dict
    pipeline: InputPipeline
    epoch_predictions: dict | None = None  # filled by ``train(record_rows=...)``

    @property
    def target(self) -> Target:
        return Target.from_dict(self.config["target"])

    @property
    def labels(self) -> list[str]:
        return list(self.target.labels)

    @property
    def sequence_params(self) -> SequenceParams:
        return self.pipeline.params

    @property
    def vectoriser(self):
        return self.pipeline.vectoriser

    def inputs(self, manifest: pd.DataFrame, raw=None, progress: bool = True,
               cache: bool = True, reference: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """What the model takes for the rows of ``manifest`` (dict input kind -> array).

        ``raw`` : precomputed :func:`mmser_lib.inputs.raw_inputs` for these rows
        (or the ``(X, mask)`` pair of frames); computed from the audio and text when None
        (through the feature cache unless ``cache=False``).
        ``reference`` : for a per-speaker-scaled run, the enrolment rows whose statistics
        normalise each speaker (bool, shape (n_rows,)); default all rows.
        """
        raw = _as_raw(raw)
        if raw is None or any(k not in raw for k in self.pipeline.kinds):
            raw = self.pipeline.raw(manifest, progress, cache)
        return self.pipeline.transform(manifest, raw, reference=reference)

    def predict_proba(self, manifest: pd.DataFrame, raw=None, progress: bool = True,
                      cache: bool = True, reference: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities, shape (n_rows, n_labels), columns in :attr:`labels` order."""
        outputs = self.model.predict(self.inputs(manifest, raw, progress, cache, reference), verbose=0)
        return self.target.probabilities(outputs)

    def predict(self, manifest: pd.DataFrame, raw=None, progress: bool = True) -> np.ndarray:
        """Predicted labels, shape (n_rows,); a detector uses the threshold chosen on validation."""
        return self.target.decide(self.predict_proba(manifest, raw, progress))

    def evaluate(self, manifest: pd.DataFrame, raw=None, progress: bool = True,
                 labels: list[str] | None = None, enrol: int | None = None, enrol_from: str | None = None,
                 enrol_seed: int = 0, keep_predictions: bool = False) -> dict:
        """Metrics of :func:`classification_metrics` on the rows whose emotion the run knows.

        Rows with other emotions are left out and counted in
        ``excluded_unknown_emotions``. A detector adds ``detector``:
        :func:`binary_metrics` at the validation threshold (F1, precision,
        recall, ROC AUC, average precision).

        ``labels`` : score only these of the run's classes, and predict among
        them only (cross-corpus: the emotions both corpora have).

        ``enrol``, ``enrol_from``, ``enrol_seed`` : for a run trained with per-speaker
        scaling, each evaluated speaker is normalised with the statistics of ``enrol``
        enrolment clips (:func:`mmser_lib.scaling.enrolment_rows`), which are then left
        out of the scores; 0 takes every clip of the speaker, scored ones included (the
        labelled upper bound). Default: the run's own setting (``config["enrol"]``).
        ``metrics["enrolment"]`` says what was used (None for other scalings).

        ``keep_predictions`` : add ``metrics["predictions"]``, a DataFrame of the scored rows
        (``path``, ``speaker``, ``emotion``, ``predicted``), e.g. for pooling over cross-validation folds.
        """
        raw, target = _as_raw(raw), self.target
        usable = target.usable(manifest)
        raw = None if raw is None else take(raw, usable)
        manifest = target.relabel(manifest[usable].reset_index(drop=True))
        scored = list(labels) if labels is not None else list(self.labels)
        unknown = sorted(set(scored) - set(self.labels))
        if unknown:
            raise ValueError(f"the run has no class {unknown}; its classes are {self.labels}")
        known = manifest["emotion"].isin(scored).to_numpy()
        if not known.any():
            raise ValueError(f"none of the emotions {sorted(manifest['emotion'].unique())} is one the run knows: "
                             f"{scored}")
        rows = manifest[known].reset_index(drop=True)
        reference, enrolment = None, None
        if self.pipeline.scaling == "speaker":
            enrol = int(self.config.get("enrol", 0) if enrol is None else enrol)
            enrol_from = enrol_from or self.config.get("enrol_from", "random")
            if enrol > 0:
                reference = enrolment_rows(rows, enrol, seed=enrol_seed, source=enrol_from)
            enrolment = enrolment_summary(rows, reference, enrol, enrol_from, enrol_seed)
        probabilities = self.predict_proba(rows, None if raw is None else take(raw, known), progress,
                                           reference=reference)
        if reference is not None:  # enrolment clips normalise their speaker; they are not scored
            rows, probabilities = rows[~reference], probabilities[~reference]
        predicted = target.decide(probabilities, among=None if target.is_detector else scored)
        metrics = classification_metrics(rows["emotion"], predicted, scored)
        if target.is_detector:
            metrics["detector"] = binary_metrics((rows["emotion"] == target.detects).to_numpy(),
                                                 probabilities[:, 1], target.threshold)
        metrics["excluded_unknown_emotions"] = int((~known).sum())
        metrics["enrolment"] = enrolment
        if keep_predictions:
            metrics["predictions"] = pd.DataFrame({"path": rows["path"].to_numpy(),
                                                   "speaker": rows["speaker"].to_numpy(),
                                                   "emotion": rows["emotion"].to_numpy(), "predicted": predicted})
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


@dataclass
class TrainingData:
    """Everything a model needs to be built and fitted, prepared by :func:`prepare`.

    ``x_train`` / ``x_val`` : dict input kind -> array, already transformed by ``pipeline``
    (fitted on the training rows only). ``y_train`` / ``y_val`` : int, shape (n,).
    ``frames_mean`` / ``frames_variance`` : per-feature statistics of the real training
    frames, padding left out (None when the model reads no frames, or with ``scaling="none"``).
    """

    manifest: pd.DataFrame
    split: pd.Series
    raw: dict
    target: Target
    pipeline: InputPipeline
    x_train: dict
    y_train: np.ndarray
    x_val: dict
    y_val: np.ndarray
    frames_mean: np.ndarray | None
    frames_variance: np.ndarray | None
    seed: int = 0

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Input kind -> shape of one row (what the builders of :mod:`mmser_lib.models` take)."""
        return self.pipeline.shapes(self.x_train)

    @property
    def n_outputs(self) -> int:
        return self.target.n_outputs

    def rows(self, side: str) -> np.ndarray:
        """Boolean mask of the rows on one side of the split ("train", "val" or "test")."""
        return (self.split == side).to_numpy()

    def transform(self, rows) -> dict[str, np.ndarray]:
        """The model's inputs for any rows (a boolean mask over :attr:`manifest`), e.g. the test rows."""
        rows = np.asarray(rows)
        return self.pipeline.transform(self.manifest[rows], take(self.raw, rows))

    def to_run(self, model: keras.Model, history, model_name: str, **config) -> Run:
        """A :class:`Run` from a model fitted on this data (a notebook's own ``model.fit``).

        history : the ``keras.callbacks.History`` (or :func:`mmser_lib.training.fit`'s dict).
        A detector's threshold is chosen here, on the validation rows.
        """
        history = summarise_history(history, self.target.monitor)
        target = self.target
        if target.is_detector:
            threshold, val_f1 = best_threshold(self.y_val, model.predict(self.x_val, verbose=0)[:, 0])
            target = target.with_threshold(threshold)
            config["val_f1"] = val_f1
        manifest, train, val = self.manifest, self.rows("train"), self.rows("val")
        arch = architectures.ARCHITECTURES.get(model_name)
        config = {
            "corpus": str(manifest["corpus"].iloc[0]),
            "model": model_name,
            "write_up": arch.source if arch else None,
            "target": target.to_dict(),
            "inputs": list(self.pipeline.kinds),
            "scaling": self.pipeline.scaling,
            "sequence_params": self.pipeline.sequence_params,
            "seed": self.seed,
            "train_speakers": sorted(manifest.loc[train, "speaker"].unique()),
            "val_speakers": sorted(manifest.loc[val, "speaker"].unique()),
            "n_train": int(train.sum()),
            "n_val": int(val.sum()),
            "best_epoch": history["best_epoch"],
            "epochs_run": history["epochs_run"],
            "versions": package_versions(),
            **config,
            "history": history,
        }
        return Run(model, config, self.pipeline)


def prepare(manifest: pd.DataFrame, kinds, split: pd.Series | None = None, target: Target | None = None,
            raw=None, params: SequenceParams | None = None, scaling: str = "train", seed: int = 0,
            val_size: float = 0.2, progress: bool = True, enrol: int = 0, enrol_from: str = "random",
            enrol_draws: int = 0) -> TrainingData:
    """Inputs, labels and a fitted input pipeline for training a model that reads ``kinds``.

    Parameters
    ----------
    manifest : the utterances; rows on the "test" side of ``split`` are never used for fitting.
    kinds : input kinds the model reads (:data:`mmser_lib.inputs.KINDS`).
    split : "train" / "val" / "test" per row; default: a speaker split holding out
        ``val_size`` of the speakers for validation and none for test.
    target : what to predict; default the emotions of the training rows.
    raw : precomputed :func:`mmser_lib.inputs.raw_inputs` for every row (frames with their ``frames_mask``).
    scaling : "train", "speaker" (per-speaker normalisation) or "none" (see :mod:`mmser_lib.scaling`).
    enrol, enrol_from : with ``scaling="speaker"``, each *validation* speaker is normalised with
        ``enrol`` enrolment clips (drawn as :func:`mmser_lib.scaling.enrolment_rows` does), which
        are left out of the validation scores, exactly as test speakers will be; 0 uses all of
        their clips.
    enrol_draws : with ``scaling="speaker"`` and ``enrol > 0``, how training speakers are
        normalised: 0 with all of their clips (they are training data); ``n > 0`` as test
        speakers will be, each with ``enrol`` clips drawn at random, ``n`` different draws
        (the training rows appear ``n`` times, once per draw). Train as you test: a
        speaker's statistics from 8 clips are noisier than from 60, and the model learns that.

    Returns
    -------
    TrainingData, with the pipeline fitted on the training rows only.
    """
    params = params or SequenceParams()
    raw = dict(_as_raw(raw) or {})
    if target is not None and target.is_detector:  # rows without a label are dropped, the rest relabelled
        usable = target.usable(manifest)
        split = None if split is None else pd.Series(np.asarray(split)[usable])
        raw = take(raw, usable) if raw else raw
        manifest = target.relabel(manifest)
    manifest = manifest.reset_index(drop=True)
    if split is None:
        split = splits.speaker_split(manifest, val_size=val_size, test_size=0.0, seed=seed)
    split = pd.Series(np.asarray(split), index=manifest.index)
    train, val = (split == "train").to_numpy(), (split == "val").to_numpy()
    if not val.any():
        raise ValueError("the split has no 'val' rows: early stopping needs validation speakers")

    pipeline = InputPipeline(tuple(kinds), scaling=scaling, sequence_params=params.to_dict())
    used = train | val
    if any(k not in raw for k in kinds):
        for key, value in pipeline.raw(manifest[used], progress).items():
            full = np.zeros((len(manifest), *value.shape[1:]), dtype=value.dtype)
            full[used] = value
            raw[key] = full

    target = target or Target.emotions(manifest.loc[train, "emotion"])
    y = target.encode(target.truth(manifest))
    val = val & (y >= 0)
    pipeline.fit(manifest[train], take(raw, train))
    references = [None]  # training speakers normalised with all of their clips ...
    if scaling == "speaker" and enrol > 0 and enrol_draws > 0:  # ... or enrolled like test speakers, several times
        references = [enrolment_rows(manifest[train], enrol, seed=1000 * (seed + 1) + draw, source=enrol_from)
                      for draw in range(enrol_draws)]
    draws = [pipeline.transform(manifest[train], take(raw, train), reference=r) for r in references]
    x_train = draws[0] if len(draws) == 1 else {key: np.concatenate([d[key] for d in draws]) for key in draws[0]}
    y_train = np.tile(y[train], len(draws))
    x_val = pipeline.transform(manifest[val], take(raw, val))
    if scaling == "speaker" and enrol > 0:  # validation speakers are enrolled like test speakers
        enrolled = enrolment_rows(manifest[val], enrol, seed=seed, source=enrol_from)
        x_val = take(pipeline.transform(manifest[val], take(raw, val), reference=enrolled), ~enrolled)
        val_rows = np.flatnonzero(val)
        val[val_rows[enrolled]] = False
        split.iloc[val_rows[enrolled]] = "enrolment"
    mean = variance = None
    if "frames" in x_train and scaling != "none":
        real = x_train["frames"][x_train["frames_mask"] > 0]  # (n_real_frames, n_features): padding left out
        mean, variance = real.mean(axis=0), real.var(axis=0)
    split = split.where(~((split == "val") & ~val), "unused")
    return TrainingData(manifest, split, raw, target, pipeline, x_train, y_train, x_val, y[val], mean, variance,
                        seed)


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
    enrol: int = 0,
    enrol_from: str = "random",
    enrol_draws: int | None = None,
) -> Run:
    """Train ``model_name`` on the "train" rows, choosing the epoch (and a detector's threshold) on "val" rows.

    What :func:`prepare`, an architecture's builder and :func:`mmser_lib.training.fit`
    do in turn; notebooks 02, 09 and 12-14 write the same steps out in Keras.

    Parameters
    ----------
    manifest, split, params, seed, val_size, scaling, enrol, enrol_from : as for :func:`prepare`;
        ``enrol`` is also what :meth:`Run.evaluate` uses for test speakers unless told otherwise.
    enrol_draws : as for :func:`prepare`; default the architecture's own (8 for ``best_audio``, 0 otherwise).
    model_name : a name of :data:`mmser_lib.architectures.ARCHITECTURES`.
    X, raw : precomputed inputs for every row of ``manifest``: ``X`` the pair
        (frames (n_rows, n_frames, n_features), mask (n_rows, n_frames)) that
        :func:`mmser_lib.features.extract_sequences` returns, ``raw`` a dict of
        :func:`mmser_lib.inputs.raw_inputs`; computed when missing.
    batch_size : default: the architecture's own (32, or 64 for Chen's fusion models).
    record_rows : name -> boolean mask of rows whose predictions are kept after
        every epoch (``run.epoch_predictions[name]``, one array per epoch), e.g.
        to *show* how much choosing the epoch on test rows would flatter a model.

    Returns
    -------
    Run, whose ``config["history"]`` holds the training curves and best epoch.
    """
    arch = architectures.get(model_name)
    if arch.needs and enrol_draws:
        raise ValueError(f"{model_name} trains its head on out-of-fold embeddings of each training row once; "
                         "enrol_draws must be 0")
    enrol_draws = arch.training_enrol_draws(scaling, enrol, enrol_draws)
    gpu.seed_everything(seed)
    target = Target.detector(arch.detects) if arch.detects else None
    data = prepare(manifest, arch.inputs, split, target, raw if raw is not None else X, params, scaling, seed,
                   val_size, progress, enrol=enrol, enrol_from=enrol_from, enrol_draws=enrol_draws)

    parts = {}
    for needed in arch.needs:  # late fusion: train its parts first, on all training rows
        part = train(data.manifest, needed, split=data.split, raw=data.raw, params=params, seed=seed, epochs=epochs,
                     patience=patience, scaling=scaling, progress=progress, enrol=enrol, enrol_from=enrol_from)
        parts[needed] = part.model
    with gpu.strategy().scope():
        model = arch.build(data.shapes, data.n_outputs, (data.frames_mean, data.frames_variance), parts)
    fitted_model, x_train, x_val, recorder, head_training = model, data.x_train, data.x_val, None, {}
    if arch.needs:  # ... and its head on embeddings of training rows from parts that never saw them
        if record_rows:
            raise ValueError(f"record_rows is not available for {model_name}: its head trains on embeddings")
        fitted_model = models.fusion_head(model)  # shares its layers with model
        x_train = {"embeddings": out_of_fold_embeddings(data, model_name, params=params, seed=seed, epochs=epochs,
                                                        patience=patience, scaling=scaling, progress=progress,
                                                        enrol=enrol, enrol_from=enrol_from)}
        x_val = {"embeddings": models.fusion_embedding_model(model).predict(data.x_val, verbose=0)}
        head_training = {"head_training": "out-of-fold embeddings"}
    elif record_rows:
        usable = data.target.usable(manifest) if data.target.is_detector else None
        recorder = EpochPredictions({
            name: data.transform(np.asarray(rows)[usable] if usable is not None and len(rows) == len(manifest)
                                 else np.asarray(rows))
            for name, rows in record_rows.items()})
    fitted = fit(fitted_model, x_train, data.y_train, x_val, data.y_val, epochs=epochs,
                 batch_size=batch_size or arch.batch_size, patience=patience,
                 oversample_train=arch.oversample, reduce_lr_patience=arch.reduce_lr_patience,
                 class_weight=arch.class_weight, monitor=arch.monitor,
                 extra_callbacks=[*(extra_callbacks or []), *([recorder] if recorder else [])], seed=seed,
                 progress=progress)
    enrolment = {"enrol": enrol, "enrol_from": enrol_from, "enrol_draws": enrol_draws} if scaling == "speaker" else {}
    run = data.to_run(model, fitted, model_name, epochs_max=epochs, patience=patience, **enrolment, **head_training)
    run.epoch_predictions = recorder.predictions if recorder else None
    return run


def out_of_fold_embeddings(data: TrainingData, model_name: str, groups: int = 3,
                           params: SequenceParams | None = None, seed: int = 0, epochs: int = 60,
                           patience: int = 15, scaling: str = "train", progress: bool = True, enrol: int = 0,
                           enrol_from: str = "random") -> np.ndarray:
    """Embeddings of every training row from parts that never saw its speaker (a late-fusion head's input).

    A head trained on the embeddings its parts produce for their *own* training
    rows learns how confident the parts are on data they have memorised, not
    on new voices. Stacking does better: the training speakers are dealt into
    ``groups`` groups; for each group the parts (the architecture's
    :attr:`~mmser_lib.architectures.Architecture.needs`) are trained on the
    other training speakers, stopping on the same validation speakers, and
    embed the rows of the group they left out. Validation and test rows are
    embedded by the parts trained on every training speaker, as before.

    Parameters
    ----------
    data : the fusion model's :class:`TrainingData` (from :func:`prepare`).
    model_name : a late-fusion architecture (one with ``needs``).
    groups : how many groups of training speakers (fewer when there are fewer speakers; at least 2).
    params, seed, epochs, patience, scaling, enrol, enrol_from : as for the final parts (:func:`train`).

    Returns
    -------
    np.ndarray, shape (n_training_rows, width), in the order of ``data.x_train``.
    """
    from tqdm.auto import tqdm

    arch = architectures.get(model_name)
    if not arch.needs:
        raise ValueError(f"{model_name} is not a late-fusion architecture (it trains no parts first)")
    train_rows = np.flatnonzero((data.split == "train").to_numpy())
    speakers = data.manifest["speaker"].to_numpy()
    train_speakers = sorted(set(speakers[train_rows]))
    k = min(groups, len(train_speakers))
    if k < 2:
        raise ValueError(f"out-of-fold embeddings need at least 2 training speakers, the split has {train_speakers}")
    order = np.random.default_rng(seed).permutation(train_speakers)
    embeddings = None
    for i in tqdm(range(k), desc=f"{model_name}: out-of-fold parts", disable=not progress):
        held = set(order[i::k])
        held_rows = train_rows[np.isin(speakers[train_rows], list(held))]
        fold_split = data.split.copy()
        fold_split.iloc[held_rows] = "held_out"
        part_runs = {needed: train(data.manifest, needed, split=fold_split, raw=data.raw, params=params, seed=seed,
                                   epochs=epochs, patience=patience, scaling=scaling, progress=False, enrol=enrol,
                                   enrol_from=enrol_from)
                     for needed in arch.needs}
        fusion = arch.build(data.shapes, data.n_outputs, (data.frames_mean, data.frames_variance),
                            {name: run.model for name, run in part_runs.items()})
        rows = data.manifest.iloc[held_rows]
        x = {}
        for run in part_runs.values():
            x.update(run.inputs(rows, take(data.raw, held_rows), progress=False))
        values = models.fusion_embedding_model(fusion).predict(x, verbose=0)
        if embeddings is None:
            embeddings = np.zeros((len(train_rows), values.shape[1]), dtype=np.float32)
        embeddings[np.searchsorted(train_rows, held_rows)] = values
    return embeddings
