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

from mmser_lib import architectures, evaluation, inputs, runs, splits, text
from mmser_lib.scaling import enrolment_rows
from mmser_lib.targets import Target


@dataclass
class Comparison:
    """Test-set results of several models, each trained with several seeds."""

    target: Target
    y_true: np.ndarray
    test_rows: pd.DataFrame  # the scored test rows
    predictions: dict[str, list[np.ndarray]] = field(default_factory=dict)
    probabilities: dict[str, list[np.ndarray]] = field(default_factory=dict)
    metrics: dict[str, list[dict]] = field(default_factory=dict)
    runs: dict[str, list[runs.Run]] = field(default_factory=dict)
    input_rows: pd.DataFrame | None = None  # with enrolment: every test row, enrolment clips included
    enrolled: np.ndarray | None = None  # with enrolment: which of ``input_rows`` are enrolment clips
    reference: np.ndarray | None = None  # the rows whose statistics normalise each test speaker (speaker scaling)

    def table(self, metric: str = "uar", n_resamples: int = 1000, by: str = "speaker") -> pd.DataFrame:
        """:func:`evaluation.seed_table` of every model (rounded for display).

        ``metric="f1"`` is the F1 of the emotion a detector flags. The 95% interval
        resamples test **speakers** (``by="speaker"``, the default) or test clips
        (``by="utterance"``); with a single test speaker only clips can be resampled.
        Column ``ci_over`` says which.
        """
        y_true, predictions = self.y_true, self.predictions
        if metric == "f1":
            flagged = self.target.detects
            y_true = (self.y_true == flagged).astype(int)
            predictions = {k: [(p == flagged).astype(int) for p in v] for k, v in predictions.items()}
        if by not in ("speaker", "utterance"):
            raise ValueError(f"by must be 'speaker' or 'utterance', not {by!r}")
        speakers = self.test_rows["speaker"].to_numpy() if "speaker" in self.test_rows else None
        if by == "speaker" and (speakers is None or len(set(speakers)) < 2):
            by = "utterance"
        table = evaluation.seed_table(y_true, predictions, metric, n_resamples,
                                      groups=speakers if by == "speaker" else None)
        return table.round(3).assign(ci_over="speakers" if by == "speaker" else "utterances")

    def mcnemar(self, reference: str, seed_index: int = 0) -> pd.DataFrame:
        """McNemar's test of every model against ``reference`` (the runs of one seed)."""
        chosen = {name: runs_[seed_index] for name, runs_ in self.predictions.items()}
        return evaluation.mcnemar_table(self.y_true, chosen, reference).round(4)

    def labels(self, name: str) -> list[str]:
        return self.runs[name][0].labels

    def add(self, name: str, run: runs.Run, test_raw: dict | None = None, keep_run: bool = True) -> None:
        """Score a trained run on the test rows and add it as the next seed of ``name``.

        ``test_raw`` : raw inputs of the test rows (of ``input_rows`` when there is enrolment).
        """
        if self.enrolled is None:
            probabilities = run.predict_proba(self.test_rows, test_raw, progress=False)
        else:
            probabilities = run.predict_proba(self.input_rows, test_raw, progress=False,
                                              reference=self.reference)[~self.enrolled]
        predicted = run.target.decide(probabilities)
        self.predictions.setdefault(name, []).append(predicted)
        self.probabilities.setdefault(name, []).append(probabilities)
        self.metrics.setdefault(name, []).append(
            evaluation.classification_metrics(self.y_true, predicted, run.labels))
        if keep_run:
            self.runs.setdefault(name, []).append(run)


def compare(manifest: pd.DataFrame, names, split: pd.Series, seeds=(0, 1), raw: dict | None = None,
            scaling: str = "train", epochs: int = 60, patience: int = 15, keep_runs: bool = True,
            trained: dict | None = None, progress: bool = True, enrol: int = 0, upper_bound: bool = False,
            enrol_from: str = "random", **train_options) -> Comparison:
    """Train every model in ``names`` once per seed on the same split and score it on the test rows.

    Parameters
    ----------
    manifest, split : the utterances and their "train" / "val" / "test" side.
    names : architecture names (:mod:`mmser_lib.architectures`), all predicting the same target.
    raw : :func:`mmser_lib.inputs.raw_inputs` for every row, so features are computed once.
    scaling : passed to :func:`mmser_lib.runs.train`.
    trained : name -> a :class:`~mmser_lib.runs.Run` already trained with ``seeds[0]`` on this
        split (a notebook's own ``model.fit``); it is scored instead of trained again.
    enrol : K > 0 draws K enrolment clips per test speaker (seed 0) that are never scored,
        whatever the scaling, so comparisons made with the same ``enrol`` score the same clips.
        With ``scaling="speaker"`` they give each test (and validation) speaker's statistics.
    enrol_from : "random" or "neutral" (:func:`mmser_lib.scaling.enrolment_rows`), for test and
        validation speakers alike.
    upper_bound : with ``scaling="speaker"``, take the test speakers' statistics from all of
        their test clips, the scored ones included: the labelled upper bound of notebook 10.

    Returns
    -------
    Comparison, with per-seed test predictions, probabilities and metrics.
    """
    from tqdm.auto import tqdm

    detects = {architectures.get(n).detects for n in names}
    if len(detects) > 1:
        raise ValueError(f"compare models that predict the same thing; got detectors of {detects}")
    flagged = detects.pop()
    target = Target.detector(flagged) if flagged else Target.emotions(manifest["emotion"])
    test = np.asarray(split) == "test"
    usable = target.usable(manifest[test])
    rows = target.relabel(manifest[test].reset_index(drop=True))
    test_raw = None if raw is None else inputs.take_rows(inputs.take_rows(raw, test), usable)
    if enrol > 0:
        enrolled = enrolment_rows(rows, enrol, seed=0, source=enrol_from)
        scored = rows[~enrolled].reset_index(drop=True)
        reference = None if upper_bound else enrolled
        comparison = Comparison(target=target, y_true=scored["emotion"].to_numpy(), test_rows=scored,
                                input_rows=rows, enrolled=enrolled, reference=reference)
    else:
        comparison = Comparison(target=target, y_true=rows["emotion"].to_numpy(), test_rows=rows)
    if scaling == "speaker":
        train_options["enrol"] = 0 if upper_bound else enrol
        train_options["enrol_from"] = enrol_from
    trained = trained or {}
    jobs = [(name, seed) for name in names for seed in seeds]
    for name, seed in tqdm(jobs, desc="models x seeds", disable=not progress):
        if name in trained and seed == seeds[0]:
            run = trained[name]
        else:
            run = runs.train(manifest, name, split=split, raw=raw, seed=seed, scaling=scaling, epochs=epochs,
                             patience=patience, progress=False, **train_options)
        comparison.add(name, run, test_raw, keep_runs)
    return comparison


@dataclass
class CrossValidation:
    """Results of one model over k speaker folds (:func:`cross_validate`).

    ``per_fold`` has one row per fold (its test speakers, clips and scores);
    ``predictions`` holds every test clip once (each speaker is tested in
    exactly one fold), so pooled scores and speaker-bootstrap intervals cover
    every speaker of the corpus.
    """

    model: str
    folds: splits.SpeakerFolds
    per_fold: pd.DataFrame
    predictions: pd.DataFrame  # speaker, emotion (true), predicted, fold
    enrolment: dict | None = None  # per-speaker scaling: what normalised the test speakers (last fold's counts)

    def summary(self, n_resamples: int = 1000) -> dict:
        """Mean and sd over folds of each score, pooled UAR, and a 95% interval resampling speakers."""
        out = {"model": self.model, "k": self.folds.k, "seed": self.folds.seed, "n": int(len(self.predictions)),
               "enrolment": self.enrolment}
        for metric in ("uar", "accuracy", "macro_f1", "weighted_f1", "f1"):
            if metric not in self.per_fold.columns:  # f1: detectors only (F1 of the detected class)
                continue
            values = self.per_fold[metric].to_numpy(dtype=float)
            out[f"{metric}_mean"] = float(values.mean())
            out[f"{metric}_sd"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        y, predicted = self.predictions["emotion"].to_numpy(), self.predictions["predicted"].to_numpy()
        out["uar_pooled"] = float(evaluation.SCORES["uar"](y, predicted))
        low, high = evaluation.bootstrap_interval(y, predicted, "uar", n_resamples,
                                                  groups=self.predictions["speaker"].to_numpy())
        out["uar_pooled_ci_speakers"] = [low, high]
        return out


def cross_validate(manifest: pd.DataFrame, name: str, folds: splits.SpeakerFolds, seed: int = 0,
                   raw: dict | None = None, scaling: str = "train", epochs: int = 60, patience: int = 15,
                   enrol: int = 0, progress: bool = True, **train_options) -> CrossValidation:
    """Train and score ``name`` once per speaker fold: the headline protocol for a corpus.

    Each fold trains on its training speakers, chooses the epoch (and a
    detector's threshold) on its validation speakers, and scores its test
    speakers once. Report the mean and sd over folds; the spread says how much
    the score depends on *which* speakers are tested, which one split cannot.

    Parameters
    ----------
    manifest : every utterance; ``folds`` must cover its speakers (:func:`splits.speaker_folds`).
    raw : :func:`mmser_lib.inputs.raw_inputs` for every row, so features are computed once.
    seed, scaling, epochs, patience, train_options : passed to :func:`mmser_lib.runs.train`.
    enrol : with ``scaling="speaker"``, enrolment clips per validation and test speaker
        (not scored; see :func:`mmser_lib.scaling.enrolment_rows`); 0 = all of their clips,
        the upper bound.

    Returns
    -------
    CrossValidation
    """
    from tqdm.auto import tqdm

    rows, parts, enrolment = [], [], None
    for fold in tqdm(range(folds.k), desc=f"{name}: speaker folds", disable=not progress):
        split = folds.split(manifest, fold)
        run = runs.train(manifest, name, split=split, raw=raw, seed=seed, scaling=scaling, epochs=epochs,
                         patience=patience, progress=False, enrol=enrol, **train_options)
        test = (split == "test").to_numpy()
        test_raw = None if raw is None else inputs.take_rows(raw, test)
        metrics = run.evaluate(manifest[test].reset_index(drop=True), test_raw, progress=False, enrol=enrol,
                               enrol_seed=fold, keep_predictions=True)
        enrolment = metrics["enrolment"]
        parts.append(metrics.pop("predictions").assign(fold=fold))
        rows.append({"fold": fold, "test_speakers": ",".join(folds.sides(fold)["test"]), "n": metrics["n"],
                     **{m: metrics[m] for m in ("uar", "accuracy", "macro_f1", "weighted_f1")},
                     **({"f1": metrics["detector"]["f1"]} if "detector" in metrics else {})})
    return CrossValidation(model=name, folds=folds, per_fold=pd.DataFrame(rows),
                           predictions=pd.concat(parts, ignore_index=True), enrolment=enrolment)


def scores_by_seen_line(cv: CrossValidation, manifest: pd.DataFrame) -> pd.DataFrame:
    """Scores of the pooled fold predictions, split by whether the test line was said in training.

    In IEMOCAP every session's actors read the same scripts, so under
    leave-one-session-out the training sessions said most scripted test
    lines word for word: a text model may recognise the *line* (and the
    emotion it usually carried) instead of reading emotion from new words.
    A line is "seen" when its words (:func:`mmser_lib.text.normalise`: lower
    case, no punctuation) are those of a transcript of a training speaker of
    the same fold.

    Parameters
    ----------
    cv : a :func:`cross_validate` result (its predictions carry the clip paths).
    manifest : the manifest it was run on (``path``, ``speaker``, ``text``, ``sentence_id``).

    Returns
    -------
    DataFrame, one row per (dialog kind, line seen in training): clips, UAR, accuracy
    and, for a detector, F1 of the detected class. Dialog kind is "scripted" when
    the ``sentence_id`` names a script, else "improvised".
    """
    if "path" not in cv.predictions.columns:
        raise ValueError("these cross-validation predictions carry no clip paths; rerun cross_validate")
    columns = manifest[["path", "text", "sentence_id"]].drop_duplicates("path")
    scored = cv.predictions.merge(columns, on="path", how="left", validate="many_to_one")
    seen = np.zeros(len(scored), dtype=bool)
    for fold in range(cv.folds.k):
        said = set(manifest.loc[manifest["speaker"].isin(cv.folds.sides(fold)["train"]), "text"].map(text.normalise))
        said.discard("")
        here = (scored["fold"] == fold).to_numpy()
        seen[here] = scored.loc[here, "text"].map(text.normalise).isin(said).to_numpy()
    scored["dialog"] = np.where(scored["sentence_id"].astype(str).str.startswith("script"), "scripted", "improvised")
    scored["line"] = np.where(seen, "said in training", "new")
    classes = sorted(scored["emotion"].unique())
    detector = len(classes) == 2 and any(c.startswith("not_") for c in classes)
    rows = []
    for (dialog, line), group in scored.groupby(["dialog", "line"]):
        y, predicted = group["emotion"].to_numpy(), group["predicted"].to_numpy()
        row = {"dialog": dialog, "line": line, "clips": len(group),
               "uar": float(evaluation.SCORES["uar"](y, predicted)),
               "accuracy": float(evaluation.SCORES["accuracy"](y, predicted))}
        if detector:
            positive = next(c for c in classes if not c.startswith("not_"))
            row["f1"] = float(evaluation.SCORES["f1"](y == positive, predicted == positive))
        rows.append(row)
    return pd.DataFrame(rows)
