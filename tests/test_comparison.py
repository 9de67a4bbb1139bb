"""Honest comparison: bootstrap intervals, McNemar's test, seed tables, thresholds chosen on validation."""

import numpy as np
import pytest

from mmser_lib import evaluation


def _predictions(accuracy, n=400, n_classes=4, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    wrong = rng.random(n) > accuracy
    return y, np.where(wrong, (y + 1 + rng.integers(0, n_classes - 1, n)) % n_classes, y)


def test_bootstrap_interval_brackets_the_score_and_narrows_with_more_data():
    y, p = _predictions(0.7, n=200)
    low, high = evaluation.bootstrap_interval(y, p, "accuracy", n_resamples=500)
    score = np.mean(y == p)
    assert low < score < high
    assert 0.08 < high - low < 0.16  # about 4 binomial standard errors for n = 200
    y_big, p_big = _predictions(0.7, n=3200)
    low_big, high_big = evaluation.bootstrap_interval(y_big, p_big, "accuracy", n_resamples=500)
    assert (high_big - low_big) < (high - low) / 3  # sqrt(16) = 4x narrower, with some slack


def test_bootstrap_over_several_seeds_is_the_interval_of_their_mean():
    y, a = _predictions(0.6, seed=1)
    _, b = _predictions(0.8, seed=1)
    low, high = evaluation.bootstrap_interval(y, [a, b], "accuracy", n_resamples=300)
    assert low < (np.mean(a == y) + np.mean(b == y)) / 2 < high


def test_mcnemar_sees_a_real_difference_and_not_a_fake_one():
    y, a = _predictions(0.9, n=300, seed=2)
    same = evaluation.mcnemar_test(y, a, a.copy())
    assert same["only_a_right"] == same["only_b_right"] == 0 and same["p_value"] == 1.0
    worse = a.copy()
    flip = np.flatnonzero(a == y)[:60]
    worse[flip] = (y[flip] + 1) % 4  # b is wrong on 60 clips a gets right
    test = evaluation.mcnemar_test(y, a, worse)
    assert test["only_a_right"] == 60 and test["only_b_right"] == 0
    assert test["p_value"] < 1e-6 and not test["exact"]
    few = evaluation.mcnemar_test(y, a, np.where(np.arange(300) < 3, (y + 1) % 4, a))
    assert few["exact"] and few["p_value"] > 0.05  # 3 discordant clips prove nothing


def test_seed_table_reports_mean_spread_and_interval():
    y, a0 = _predictions(0.6, seed=3)
    _, a1 = _predictions(0.7, seed=3)
    table = evaluation.seed_table(y, {"model": [a0, a1]}, "accuracy", n_resamples=200)
    row = table.iloc[0]
    scores = [np.mean(a0 == y), np.mean(a1 == y)]
    assert row["seeds"] == 2
    assert row["mean"] == pytest.approx(np.mean(scores))
    assert row["sd"] == pytest.approx(np.std(scores, ddof=1))
    assert row["ci_low"] < row["mean"] < row["ci_high"]
    with pytest.raises(ValueError, match="unknown metric"):
        evaluation.seed_table(y, {"m": [a0]}, "auc")


def test_best_threshold_is_found_on_a_grid_of_hundredths():
    rng = np.random.default_rng(4)
    y = (rng.random(500) < 0.15).astype(int)  # 15% positives, like sad in IEMOCAP
    probability = np.clip(0.25 + 0.3 * y + rng.normal(0, 0.1, 500), 0, 1)
    threshold, f1 = evaluation.best_threshold(y, probability)
    assert threshold == round(threshold, 2) and 0.3 < threshold < 0.6
    assert f1 > evaluation.binary_metrics(y, probability, 0.5)["f1"] - 1e-9
    assert f1 == pytest.approx(evaluation.binary_metrics(y, probability, threshold)["f1"])
    metrics = evaluation.binary_metrics(y, probability, threshold)
    assert metrics["roc_auc"] > 0.9 and metrics["positives"] == y.sum()


def test_a_bootstrap_over_speakers_sees_that_clips_of_one_voice_are_not_independent():
    # 6 speakers x 20 clips: the model is right on every clip of three speakers and wrong on the others
    speakers = np.repeat([f"s{i}" for i in range(6)], 20)
    y = np.tile(["a", "b"], 60)
    predicted = np.where(np.isin(speakers, ["s0", "s1", "s2"]), y, np.where(y == "a", "b", "a"))
    by_clip = evaluation.bootstrap_interval(y, predicted, "accuracy", n_resamples=500)
    by_speaker = evaluation.bootstrap_interval(y, predicted, "accuracy", n_resamples=500, groups=speakers)
    assert by_clip[0] <= 0.5 <= by_clip[1] and by_speaker[0] <= 0.5 <= by_speaker[1]
    assert by_clip[1] - by_clip[0] < 0.25  # 120 "independent" clips: a narrow interval
    assert by_speaker[1] - by_speaker[0] > 0.6  # 6 speakers, all-or-nothing each: an honest, wide one
    with pytest.raises(ValueError, match="at least 2 speakers"):
        evaluation.bootstrap_interval(y[:20], predicted[:20], groups=speakers[:20])


def test_uar_is_balanced_accuracy_without_a_warning_for_classes_the_subset_lacks():
    import warnings

    from sklearn.metrics import balanced_accuracy_score

    y_true = np.array(["sad", "sad", "angry", "angry", "angry"])
    y_pred = np.array(["sad", "happy", "angry", "sad", "angry"])  # "happy" is in no true label here
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score = evaluation.uar(y_true, y_pred)
    assert score == pytest.approx((1 / 2 + 2 / 3) / 2)
    with pytest.warns(UserWarning):
        assert score == pytest.approx(balanced_accuracy_score(y_true, y_pred))
