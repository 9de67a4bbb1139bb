"""Cross-corpus evaluation: train on one corpus, test on another, through the harmonised labels.

Every loader maps its corpus's own codes to the same harmonised emotions
(``ANG`` / ``angry`` / ``anger`` all become ``angry``), so a model trained
on CREMA-D can be scored on RAVDESS, but only on the emotions both have.
:func:`cross_corpus_matrix` makes the whole train-corpus by test-corpus
table honestly:

* every corpus is cut by speaker once: training, validation and test
  speakers (TESS, with two speakers: train on one, test on the other);
* every model trains on the *shared* emotions only, on its corpus's
  training speakers, and chooses its epoch on its validation speakers;
* every column is scored on the *same* clips, the test speakers of that
  corpus, so a row differs from the diagonal only in what it was trained on;
* optionally a "pooled" row: one model trained on the training speakers
  of every corpus together, the usual cure for corpus mismatch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from mmser_lib import architectures, runs, splits
from mmser_lib.emotions import ordered
from mmser_lib.evaluation import classification_metrics
from mmser_lib.inputs import TEXT_KINDS, raw_inputs, take_rows
from mmser_lib.scaling import enrolment_rows

POOLED = "pooled"


def shared_emotions(manifests: dict[str, pd.DataFrame], min_clips: int = 10) -> list[str]:
    """The harmonised emotions that every corpus has at least ``min_clips`` clips of, in the harmonised order."""
    counts = {name: m["emotion"].value_counts() for name, m in manifests.items()}
    common = set.intersection(*(set(c[c >= min_clips].index) for c in counts.values()))
    if len(common) < 2:
        raise ValueError(f"these corpora share fewer than 2 emotions with {min_clips}+ clips each "
                         f"({sorted(common)}): nothing to classify")
    return ordered(common)


def corpus_split(manifest: pd.DataFrame, seed: int = 0) -> pd.Series:
    """Train / val / test per row, by speaker; a two-speaker corpus trains on one and tests on the other."""
    speakers = sorted(manifest["speaker"].unique())
    if len(speakers) >= 3:
        return splits.speaker_split(manifest, val_size=0.2, test_size=0.2, seed=seed)
    if len(speakers) == 2:
        return splits.one_speaker_each(manifest, train_speaker=speakers[0], seed=seed)
    raise ValueError(f"a corpus with one speaker ({speakers[0]}) cannot be split by speaker")


@dataclass
class CrossCorpus:
    """The result of :func:`cross_corpus_matrix`.

    Attributes
    ----------
    emotions : the shared emotions every model was trained and scored on.
    scores : metric name -> DataFrame, rows = training corpus (and "pooled"),
        columns = test corpus; e.g. ``scores["uar"]``.
    results : (train corpus, test corpus) -> metrics of :func:`classification_metrics`.
    splits : corpus -> its train / val / test Series.
    test_speakers : corpus -> the speakers every column is scored on.
    """

    emotions: list[str]
    scores: dict[str, pd.DataFrame]
    results: dict[tuple[str, str], dict]
    splits: dict[str, pd.Series]
    test_speakers: dict[str, list[str]] = field(default_factory=dict)
    runs: dict = field(default_factory=dict)

    @property
    def uar(self) -> pd.DataFrame:
        return self.scores["uar"]

    def diagonal_gap(self, metric: str = "uar") -> dict[str, float]:
        """Mean of the diagonal (same corpus), of the off-diagonal cells, and their difference."""
        table = self.scores[metric].drop(index=POOLED, errors="ignore")
        same = np.array([table.loc[c, c] for c in table.index if c in table.columns])
        mask = np.array([[r != c for c in table.columns] for r in table.index])
        other = table.to_numpy()[mask]
        return {"same_corpus": float(same.mean()), "other_corpus": float(np.nanmean(other)),
                "gap": float(same.mean() - np.nanmean(other))}


def cross_corpus_matrix(
    manifests: dict[str, pd.DataFrame],
    model: str = "mlp_audio",
    emotions: list[str] | None = None,
    scaling: str = "train",
    pooled: bool = True,
    seed: int = 0,
    epochs: int = 60,
    patience: int = 15,
    raw: dict[str, dict] | None = None,
    keep_runs: bool = False,
    progress: bool = True,
    enrol: int = 0,
    training_seed: int | None = None,
) -> CrossCorpus:
    """Train ``model`` on each corpus and score it on the test speakers of every corpus.

    Parameters
    ----------
    manifests : corpus name -> manifest (any harmonised labels; IEMOCAP usually
        through :func:`mmser_lib.emotions.four_class` first).
    model : an architecture reading audio only (text differs from corpus to corpus).
    emotions : the classes; default :func:`shared_emotions`.
    scaling : "train" or "speaker" (per-speaker normalisation, also of the test speakers).
    enrol : K > 0 draws K enrolment clips per test speaker of every corpus (seed 0) that are
        never scored, whatever the scaling, so matrices made with the same ``enrol`` score the
        same clips; with ``scaling="speaker"`` they give each validation and test speaker's
        statistics. 0 with ``scaling="speaker"`` takes them from all of the speaker's clips,
        the scored ones included: an upper bound.
    pooled : add a row for one model trained on every corpus's training speakers.
    seed, training_seed : ``seed`` deals each corpus's speakers into train / validation /
        test; ``training_seed`` seeds the training runs (default: ``seed``), so reruns with
        other training seeds keep the same speakers.
    raw : corpus -> precomputed :func:`mmser_lib.inputs.raw_inputs` for the rows of
        its manifest (before filtering to ``emotions``); computed when missing.

    Returns
    -------
    CrossCorpus, whose ``scores[metric]`` are (n_train_corpora [+1], n_corpora) tables.
    """
    arch = architectures.get(model)
    if any(kind in TEXT_KINDS for kind in arch.inputs) or arch.detects:
        raise ValueError(f"{model} reads text or is a detector; cross-corpus compares emotion models on audio")
    emotions = emotions or shared_emotions(manifests)
    data, split_of, inputs = {}, {}, {}
    for name, manifest in manifests.items():
        keep = manifest["emotion"].isin(emotions).to_numpy()
        data[name] = manifest[keep].reset_index(drop=True)
        split_of[name] = corpus_split(data[name], seed=seed)
        given = (raw or {}).get(name)
        inputs[name] = take_rows(given, keep) if given is not None else None
    for name in data:
        if inputs[name] is None:
            inputs[name] = raw_inputs(data[name], arch.inputs, progress=progress)

    enrolled_of = {n: enrolment_rows(data[n][(split_of[n] == "test").to_numpy()].reset_index(drop=True), enrol)
                   if enrol > 0 else None for n in data}
    trainings = list(data) + ([POOLED] if pooled else [])
    results, kept = {}, {}
    for train_name in tqdm(trainings, desc=f"cross-corpus {model}, scaling {scaling}", disable=not progress):
        if train_name == POOLED:
            frame = pd.concat([data[n] for n in data], ignore_index=True)
            split = pd.concat([split_of[n] for n in data], ignore_index=True)
            raw_train = {k: np.concatenate([inputs[n][k] for n in data]) for k in inputs[next(iter(data))]}
        else:
            frame, split, raw_train = data[train_name], split_of[train_name], inputs[train_name]
        run = runs.train(frame, model, split=split, raw=raw_train,
                         seed=seed if training_seed is None else training_seed,
                         epochs=epochs, patience=patience, scaling=scaling, progress=False,
                         enrol=enrol if scaling == "speaker" else 0)
        if keep_runs:
            kept[train_name] = run
        for test_name in data:
            test = (split_of[test_name] == "test").to_numpy()
            rows = data[test_name][test].reset_index(drop=True)
            enrolled = enrolled_of[test_name]
            reference = enrolled if scaling == "speaker" and enrol > 0 else None
            probabilities = run.predict_proba(rows, take_rows(inputs[test_name], test), progress=False,
                                              reference=reference)
            if enrolled is not None:  # enrolment clips are never scored
                rows, probabilities = rows[~enrolled], probabilities[~enrolled]
            labels = np.asarray(run.labels)
            usable = np.isin(labels, emotions)  # a class the training corpus lacked is never predicted
            predicted = labels[usable][probabilities[:, usable].argmax(axis=1)]
            results[(train_name, test_name)] = classification_metrics(rows["emotion"], predicted, emotions)
    scores = {metric: pd.DataFrame({test: {train: results[(train, test)][metric] for train in trainings}
                                    for test in data}).loc[trainings, list(data)]
              for metric in ("uar", "accuracy", "macro_f1")}
    test_speakers = {n: sorted(data[n].loc[(split_of[n] == "test").to_numpy(), "speaker"].unique()) for n in data}
    return CrossCorpus(emotions, scores, results, split_of, test_speakers, kept)


def corpus_identity_accuracy(features: dict[str, np.ndarray], seed: int = 0, folds: int = 5) -> float:
    """How well a linear classifier tells the corpora apart from the same features (cross-validated accuracy).

    Near 1.0 means every corpus leaves a fingerprint in the features (channel,
    sample rate, speakers, text) that a model can lean on instead of emotion.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = np.concatenate(list(features.values()))
    y = np.concatenate([[name] * len(v) for name, v in features.items()])
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return float(cross_val_score(classifier, X, y, cv=cv, scoring="balanced_accuracy").mean())
