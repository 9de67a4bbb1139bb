"""The RAVDESS twin must teach the lessons of the real corpus (DESIGN.md, "Twins").

Calibrated with tools/calibrate_twin.py: 12 speakers, seed 0, Conv1D stopped on validation UAR,
measured 0.59 UAR on unseen speakers and 0.70 on a random split (0.62 on unseen speakers when trained
on the first take of each line only, as the test below does to halve its time).

One Conv1D run on one speaker split varies by several points from machine to machine (thread
scheduling changes the float sums), and a single split has only two or three test speakers, so the
gap between a random and a speaker split is checked with a deterministic model over every speaker:
a logistic regression on the mean and spread of the log-mel frames, scored by 4-fold cross-validation
grouped by speaker against 4-fold cross-validation that mixes speakers. On twins of seeds 0, 1 and 2
that measured 0.40 / 0.34 / 0.29 UAR on unseen speakers against 0.59 / 0.52 / 0.54 on mixed folds.
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, confusion_matrix
from sklearn.model_selection import GroupKFold, StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mmser_lib import corpora, features, runs, splits, text


@pytest.fixture(scope="module")
def twin12(tmp_path_factory):
    root = corpora.make_twin("ravdess", tmp_path_factory.mktemp("lessons") / "r", speakers=12, seed=0,
                             progress=False)
    manifest = corpora.load("ravdess", root, verbose=False)
    X, mask = features.extract_sequences(manifest, progress=False)
    return manifest, X, mask


def _pooled_frames(X, mask):
    """Mean and standard deviation of each feature over the real frames: (n, 2 * n_features)."""
    weights = mask[..., None].astype(np.float64)
    mean = (X * weights).sum(1) / weights.sum(1)
    spread = np.sqrt((((X - mean[:, None]) ** 2) * weights).sum(1) / weights.sum(1))
    return np.hstack([mean, spread])


def test_a_conv1d_learns_the_twin_on_unseen_speakers_far_from_perfectly(twin12):
    manifest, X, mask = twin12
    first_take = (manifest["utterance_id"].str.split("-").str[5] == "01").to_numpy()  # 360 clips train twice as fast
    manifest, X, mask = manifest[first_take].reset_index(drop=True), X[first_take], mask[first_take]
    split = splits.speaker_split(manifest, 0.2, 0.2, seed=0)
    run = runs.train(manifest, "conv1d", split=split, X=(X, mask), epochs=40, progress=False)
    test = (split == "test").to_numpy()
    unseen = run.evaluate(manifest[test], (X[test], mask[test]), progress=False)
    assert 0.35 <= unseen["uar"] <= 0.85, unseen["uar"]
    assert unseen["uar"] > 2.5 / 8  # chance is 1/8


def test_mixing_speakers_across_folds_inflates_the_score(twin12):
    manifest, X, mask = twin12
    features_ = _pooled_frames(X, mask)
    y, speakers = manifest["emotion"].to_numpy(), manifest["speaker"].to_numpy()
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=3000))
    unseen = cross_val_predict(model, features_, y, cv=GroupKFold(4), groups=speakers)
    mixed = cross_val_predict(model, features_, y, cv=StratifiedKFold(4, shuffle=True, random_state=0))
    unseen_uar, mixed_uar = balanced_accuracy_score(y, unseen), balanced_accuracy_score(y, mixed)
    assert unseen_uar > 2 / 8, unseen_uar  # learnable on unseen speakers (chance is 1/8)
    assert mixed_uar - unseen_uar >= 0.1, (mixed_uar, unseen_uar)
    # confusions fall between emotions close in prosody: happy is mistaken for surprised, not for sad
    labels = sorted(set(y))
    happy = confusion_matrix(y, unseen, labels=labels)[labels.index("happy")]
    assert happy[labels.index("surprised")] > happy[labels.index("sad")], happy


def test_text_is_at_chance_on_ravdess(twin12):
    manifest, _, _ = twin12
    split = splits.speaker_split(manifest, 0.0, 0.25, seed=0)
    train, test = (split == "train").to_numpy(), (split == "test").to_numpy()
    vectoriser = text.fit_tfidf(manifest.loc[train, "text"])
    clf = LogisticRegression(max_iter=1000).fit(text.tfidf_features(vectoriser, manifest.loc[train, "text"]),
                                                manifest.loc[train, "emotion"])
    predicted = clf.predict(text.tfidf_features(vectoriser, manifest.loc[test, "text"]))
    assert balanced_accuracy_score(manifest.loc[test, "emotion"], predicted) < 0.2  # chance is 0.125
