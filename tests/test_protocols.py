"""Splits beyond the speaker split, feature scaling, oversampling: each keeps its promise."""

import numpy as np
import pandas as pd
import pytest

from mmser_lib import scaling, splits, training


def _manifest(n_speakers=5, sentences=("s1", "s2", "s3", "s4"), emotions=("happy", "sad", "angry")):
    rows = [{"speaker": f"c:{s}", "gender": "male" if s % 2 else "female", "sentence_id": t, "emotion": e,
             "split": f"Session{min(s + 1, 5)}"}
            for s in range(n_speakers) for t in sentences for e in emotions for _ in range(2)]
    return pd.DataFrame(rows)


def test_grouped_split_keeps_each_sentence_on_one_side_of_test():
    m = _manifest()
    split = splits.grouped_split(m, "sentence_id", seed=1)
    test_sentences = set(m.loc[split == "test", "sentence_id"])
    assert test_sentences and not test_sentences & set(m.loc[split != "test", "sentence_id"])
    assert (split == "val").any() and set(m.loc[split == "val", "sentence_id"]).isdisjoint(
        m.loc[split == "train", "sentence_id"])
    assert splits.speakers_on_several_sides(m, split)  # speakers still leak: only sentences are held out


def test_grouped_split_with_two_sentences_draws_validation_from_the_training_sentence():
    m = _manifest(sentences=("kids", "dogs"))
    split = splits.grouped_split(m, "sentence_id", seed=0)
    assert m.loc[split == "test", "sentence_id"].nunique() == 1
    assert set(m.loc[split == "val", "sentence_id"]) == set(m.loc[split == "train", "sentence_id"])
    with pytest.raises(ValueError, match="at least 2 distinct"):
        splits.grouped_split(_manifest(sentences=("only",)), "sentence_id")


def test_leave_one_speaker_out_tests_every_speaker_once():
    m = _manifest()
    folds = list(splits.leave_one_speaker_out(m))
    assert [speaker for speaker, _ in folds] == sorted(m["speaker"].unique())
    for speaker, split in folds:
        assert set(m.loc[split == "test", "speaker"]) == {speaker}
        val = set(m.loc[split == "val", "speaker"])
        assert len(val) == 1 and speaker not in val
        assert not splits.speakers_on_several_sides(m, split)


def test_one_speaker_each_trains_on_one_voice_and_tests_on_the_other():
    m = _manifest(n_speakers=2)
    split = splits.one_speaker_each(m, "c:0")
    assert set(m.loc[split == "test", "speaker"]) == {"c:1"}
    assert set(m.loc[split != "test", "speaker"]) == {"c:0"}
    assert set(m.loc[split == "val", "sentence_id"]).isdisjoint(m.loc[split == "train", "sentence_id"])
    with pytest.raises(ValueError, match="no speaker"):
        splits.one_speaker_each(m, "c:9")


def test_official_split_maps_iemocap_sessions():
    m = _manifest()
    split = splits.official_split(m, **splits.IEMOCAP_SESSIONS)
    assert set(m.loc[split == "test", "split"]) == {"Session5"}
    assert set(m.loc[split == "val", "split"]) == {"Session4"}
    with pytest.raises(ValueError, match="values here"):
        splits.official_split(m)  # MELD's names are not IEMOCAP's


def test_speaker_standardise_removes_each_voice_offset():
    rng = np.random.default_rng(0)
    speakers = np.repeat(["a", "b"], 50)
    X = rng.normal(size=(100, 3)) + np.where(speakers == "a", 100.0, -5.0)[:, None]
    out = scaling.speaker_standardise(X, speakers)
    for s in ("a", "b"):
        np.testing.assert_allclose(out[speakers == s].mean(axis=0), 0, atol=1e-5)
        np.testing.assert_allclose(out[speakers == s].std(axis=0), 1, atol=1e-4)


def test_speaker_standardise_of_frames_ignores_padding():
    X = np.zeros((2, 4, 2), np.float32)
    X[:, :2] = [[1.0, 10.0], [3.0, 30.0]]
    mask = np.array([[1, 1, 0, 0], [1, 1, 0, 0]], bool)
    out = scaling.speaker_standardise(X, ["a", "a"], mask=mask)
    np.testing.assert_allclose(out[:, :2, 0], [[-1, 1], [-1, 1]], atol=1e-5)
    assert (out[:, 2:] == 0).all()


def test_enrolment_statistics_never_see_the_scored_clips():
    rng = np.random.default_rng(0)
    manifest = pd.DataFrame({"speaker": np.repeat(["a", "b"], 20),
                             "emotion": np.tile(["neutral", "angry", "sad", "happy"], 10)})
    X = rng.normal(size=(40, 3))
    enrolled = scaling.enrolment_rows(manifest, 4, seed=0)
    assert enrolled.sum() == 8 and all(enrolled[manifest["speaker"] == s].sum() == 4 for s in ("a", "b"))
    out = scaling.speaker_standardise(X, manifest["speaker"], reference=enrolled)
    changed = X.copy()
    changed[~enrolled] *= 10  # whatever the scored clips hold...
    again = scaling.speaker_standardise(changed, manifest["speaker"], reference=enrolled)
    np.testing.assert_allclose(again[enrolled], out[enrolled], atol=1e-5)  # ...the statistics do not move
    for s in ("a", "b"):  # a scored clip is scaled with its speaker's enrolment statistics only
        rows, ref = (manifest["speaker"] == s).to_numpy(), (manifest["speaker"] == s).to_numpy() & enrolled
        expected = (changed[rows & ~enrolled] - X[ref].mean(axis=0)) / X[ref].std(axis=0)
        np.testing.assert_allclose(again[rows & ~enrolled], expected, rtol=1e-4, atol=1e-4)
    for s in ("a", "b"):
        rows = (manifest["speaker"] == s).to_numpy() & enrolled
        np.testing.assert_allclose(out[rows].mean(axis=0), 0, atol=1e-5)
    neutral = scaling.enrolment_rows(manifest, 3, seed=1, source="neutral")
    assert set(manifest.loc[neutral, "emotion"]) == {"neutral"} and neutral.sum() == 6
    with pytest.raises(ValueError, match="leaves nothing to score"):
        scaling.enrolment_rows(manifest, 20)
    with pytest.raises(ValueError, match="no clip labelled neutral"):
        scaling.enrolment_rows(manifest[manifest["emotion"] != "neutral"], 2, source="neutral")
    with pytest.raises(ValueError, match="no enrolment clip"):
        scaling.speaker_standardise(X, manifest["speaker"], reference=(manifest["speaker"] == "a").to_numpy())


def test_scaling_on_train_only_versus_the_seed_002_mistake():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(100, 2))
    split = np.array(["train"] * 80 + ["test"] * 20)
    X[split == "test"] += 5.0  # the test set is shifted
    honest = scaling.scale_features(X, split, "train")
    wrong = scaling.scale_features(X, split, "per_split")
    assert honest[split == "test"].mean() > 3  # the shift is still visible: the model will see it
    np.testing.assert_allclose(wrong[split == "test"].mean(axis=0), 0, atol=1e-6)  # the shift was erased
    np.testing.assert_allclose(honest[split == "train"], wrong[split == "train"], atol=1e-5)
    with pytest.raises(ValueError, match="choose from"):
        scaling.scale_features(X, split, "minmax")


def test_oversampling_balances_training_rows_only_by_repeating_them():
    y = np.array([0] * 90 + [1] * 10)
    index = training.oversample(y, seed=0)
    assert np.bincount(y[index]).tolist() == [90, 90]
    assert set(index) == set(range(100))  # every original row kept, minority rows repeated


def test_training_speakers_can_be_normalised_from_enrolment_draws_as_test_speakers_are():
    from mmser_lib import runs

    rng = np.random.default_rng(0)
    m = _manifest(n_speakers=5)  # 24 clips per speaker
    speaker_index = m["speaker"].str[2:].astype(int).to_numpy()
    raw = {"egemaps": (rng.normal(size=(len(m), 3)) + speaker_index[:, None] * 5).astype(np.float32)}
    split = pd.Series(np.select([speaker_index < 3, speaker_index == 3], ["train", "val"], "test"))
    plain = runs.prepare(m, ("egemaps",), split, raw=raw, scaling="speaker", enrol=4)
    drawn = runs.prepare(m, ("egemaps",), split, raw=raw, scaling="speaker", enrol=4, enrol_draws=3)
    train = (split == "train").to_numpy()
    n = int(train.sum())
    assert len(plain.y_train) == n and len(drawn.y_train) == 3 * n
    np.testing.assert_array_equal(drawn.y_train, np.tile(plain.y_train, 3))
    np.testing.assert_allclose(drawn.x_val["egemaps"], plain.x_val["egemaps"])  # validation is enrolled either way
    draws = drawn.x_train["egemaps"].reshape(3, n, -1)
    speakers = m.loc[train, "speaker"].to_numpy()
    for s in np.unique(speakers):
        rows = speakers == s
        # all clips: each training speaker z-scored with all of their clips
        np.testing.assert_allclose(plain.x_train["egemaps"][rows].mean(axis=0), 0, atol=1e-5)
        for d in range(3):  # each draw: the same clips, z-scored with the statistics of 4 of them only
            assert np.abs(draws[d][rows].mean(axis=0)).max() > 0.05
            for j in range(3):
                assert np.corrcoef(draws[d][rows, j], raw["egemaps"][train][rows, j])[0, 1] > 0.9999
        assert not np.allclose(draws[0][rows], draws[1][rows])  # the draws differ
    with pytest.raises(ValueError, match="enrol_draws must be 0"):
        runs.train(m, "late_fusion", split=split, enrol_draws=2)
