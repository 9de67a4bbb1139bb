"""Cross-corpus matrices on corpora whose differences we control."""

import numpy as np
import pandas as pd
import pytest

from mmser_lib import cross_corpus

EMOTIONS = ["neutral", "happy", "sad", "angry"]


def emotion_means():
    return np.random.default_rng(42).normal(0, 1.0, (len(EMOTIONS), 16))


def fake_corpus(name, n_speakers=6, clips=20, offset=0.0, scale=1.0, seed=0):
    """Manifest + 'spectral' features: emotion means shared by every corpus, a corpus-wide offset and scale."""
    rng = np.random.default_rng(seed)
    means = emotion_means()  # the same emotions in every corpus
    rows, features = [], []
    for s in range(n_speakers):
        voice = rng.normal(0, 0.3, 16)
        for k, emotion in enumerate(EMOTIONS):
            for i in range(clips):
                rows.append({"path": f"/nowhere/{name}/{s}_{emotion}_{i}.wav", "corpus": name,
                             "utterance_id": f"{s}_{emotion}_{i}", "speaker": f"{name}:{s}",
                             "gender": "female" if s % 2 else "male", "emotion": emotion, "text": "",
                             "sentence_id": str(i % 5)})
                features.append(scale * (means[k] + voice + rng.normal(0, 0.8, 16)) + offset)
    return pd.DataFrame(rows), {"spectral": np.asarray(features, dtype=np.float32)}


@pytest.fixture(scope="module")
def shifted():
    a, raw_a = fake_corpus("a", seed=1)
    # corpus b is recorded hotter: every clip moves towards "angry", the way a louder channel looks more aroused
    means = emotion_means()
    b, raw_b = fake_corpus("b", offset=1.5 * (means[3] - means[2]), scale=1.2, seed=2)
    return {"a": a, "b": b}, {"a": raw_a, "b": raw_b}


def test_shared_emotions_need_enough_clips_everywhere():
    one = pd.DataFrame({"emotion": ["sad"] * 12 + ["calm"] * 12 + ["angry"] * 12})
    two = pd.DataFrame({"emotion": ["sad"] * 12 + ["angry"] * 12 + ["calm"] * 3})
    assert cross_corpus.shared_emotions({"one": one, "two": two}) == ["sad", "angry"]
    with pytest.raises(ValueError, match="fewer than 2 emotions"):
        cross_corpus.shared_emotions({"one": one, "two": two}, min_clips=13)


def test_corpus_split_is_by_speaker_and_one_speaker_each_for_two():
    many, _ = fake_corpus("m", n_speakers=5, clips=2)
    split = cross_corpus.corpus_split(many)
    assert all(many.loc[split == side, "speaker"].nunique() >= 1 for side in ("train", "val", "test"))
    assert not set(many.loc[split == "test", "speaker"]) & set(many.loc[split != "test", "speaker"])
    two, _ = fake_corpus("t", n_speakers=2, clips=5)
    split = cross_corpus.corpus_split(two)
    assert set(two.loc[split == "test", "speaker"]) == {"t:1"} and set(two.loc[split == "train", "speaker"]) == {"t:0"}
    with pytest.raises(ValueError, match="one speaker"):
        cross_corpus.corpus_split(two[two["speaker"] == "t:0"])


def test_a_channel_shift_breaks_transfer_and_per_speaker_normalisation_repairs_it(shifted):
    manifests, raw = shifted
    plain = cross_corpus.cross_corpus_matrix(manifests, "mlp_audio", epochs=40, patience=8, raw=raw,
                                             progress=False)
    assert plain.emotions == EMOTIONS
    assert list(plain.uar.index) == ["a", "b", "pooled"] and list(plain.uar.columns) == ["a", "b"]
    for test in ("a", "b"):  # every cell of a column is scored on the same clips
        sizes = {plain.results[(train, test)]["n"] for train in ("a", "b", "pooled")}
        assert sizes == {int((plain.splits[test] == "test").sum())}
    u = plain.uar
    assert u.loc["a", "a"] > 0.7 and u.loc["b", "b"] > 0.7  # the emotions are learnable within a corpus
    assert u.loc["a", "b"] < u.loc["b", "b"] - 0.25  # but the shifted channel fools the other corpus's model
    assert u.loc["pooled", "b"] > u.loc["a", "b"] + 0.2  # seeing both channels in training helps
    gap = plain.diagonal_gap()
    assert gap["same_corpus"] == pytest.approx((u.loc["a", "a"] + u.loc["b", "b"]) / 2)
    assert gap["other_corpus"] == pytest.approx((u.loc["a", "b"] + u.loc["b", "a"]) / 2)

    # each test speaker enrolled with 8 clips (not scored): their statistics remove the channel offset
    per_speaker = cross_corpus.cross_corpus_matrix(manifests, "mlp_audio", scaling="speaker", pooled=False,
                                                   epochs=40, patience=8, raw=raw, progress=False, enrol=8)
    for test in ("a", "b"):  # the enrolment clips of every test speaker are left out of the scores
        n_test_speakers = plain.splits[test].eq("test").groupby(manifests[test]["speaker"]).any().sum()
        assert per_speaker.results[("a", test)]["n"] == int((plain.splits[test] == "test").sum()) - 8 * n_test_speakers
    v = per_speaker.uar
    assert v.loc["a", "b"] > v.loc["b", "b"] - 0.1
    assert per_speaker.diagonal_gap()["gap"] < gap["gap"] - 0.2


def test_corpus_identity_is_easy_when_corpora_differ_and_chance_when_not(shifted):
    _, raw = shifted
    different = cross_corpus.corpus_identity_accuracy({n: r["spectral"] for n, r in raw.items()})
    assert different > 0.85  # chance is 0.5
    a = raw["a"]["spectral"]
    same = cross_corpus.corpus_identity_accuracy({"first": a[::2], "second": a[1::2]})
    assert 0.35 < same < 0.65


def test_text_models_are_refused(shifted):
    manifests, raw = shifted
    with pytest.raises(ValueError, match="reads text"):
        cross_corpus.cross_corpus_matrix(manifests, "two_branch", raw=raw, progress=False)
