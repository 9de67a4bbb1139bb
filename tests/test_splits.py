import pandas as pd
import pytest

from mmser_lib import splits


def _manifest(n_speakers=12, clips=10):
    rows = []
    for s in range(1, n_speakers + 1):
        for c in range(clips):
            rows.append({"speaker": f"ravdess:{s:02d}", "gender": "male" if s % 2 else "female",
                         "emotion": ["neutral", "happy", "sad", "angry", "calm"][c % 5]})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(5))
def test_speaker_split_puts_no_speaker_on_two_sides(seed):
    manifest = _manifest()
    split = splits.speaker_split(manifest, val_size=0.2, test_size=0.2, seed=seed)
    assert splits.speakers_on_several_sides(manifest, split) == []
    per_side = manifest.groupby(split)["speaker"].nunique()
    assert per_side.to_dict() == {"test": 2, "train": 8, "val": 2}
    test_genders = manifest.loc[split == "test", "gender"].unique()
    assert sorted(test_genders) == ["female", "male"]  # one of each: genders alternate


def test_speaker_split_changes_with_the_seed():
    manifest = _manifest()
    tests = {tuple(sorted(manifest.loc[splits.speaker_split(manifest, seed=s) == "test", "speaker"].unique()))
             for s in range(6)}
    assert len(tests) > 1


def test_speaker_split_refuses_too_few_speakers():
    with pytest.raises(ValueError, match="at least 3 speakers"):
        splits.speaker_split(_manifest(n_speakers=2), val_size=0.2, test_size=0.2)


def test_random_split_is_stratified_and_leaks_speakers():
    manifest = _manifest()
    split = splits.random_split(manifest, val_size=0.2, test_size=0.2, seed=0)
    assert split.value_counts().to_dict() == {"train": 72, "test": 24, "val": 24}
    counts = manifest.loc[split == "test", "emotion"].value_counts()
    assert len(counts) == 5 and counts.max() - counts.min() <= 1  # stratified: 24 clips over 5 emotions
    assert len(splits.speakers_on_several_sides(manifest, split)) > 6


def test_speaker_folds_test_every_speaker_once_with_a_gender_mix(tmp_path):
    speakers = [f"ravdess:{i:02d}" for i in range(1, 13)]
    manifest = pd.DataFrame({"speaker": [s for s in speakers for _ in range(3)],
                             "gender": [("male" if int(s[-2:]) % 2 else "female") for s in speakers for _ in range(3)]})
    folds = splits.speaker_folds(manifest, k=6, seed=0)
    assert folds.k == 6 and sorted(s for g in folds.groups for s in g) == speakers
    tested = []
    for i in range(folds.k):
        split = folds.split(manifest, i)
        assert splits.speakers_on_several_sides(manifest, split) == []
        assert set(split) == {"train", "val", "test"}
        test = manifest.loc[split == "test"]
        assert set(test["gender"]) == {"male", "female"}  # 2 per group: one of each
        tested += sorted(test["speaker"].unique())
    assert sorted(tested) == speakers  # every speaker tested exactly once
    again = splits.SpeakerFolds.from_json(folds.to_json(tmp_path / "folds.json"))
    assert again == folds
    assert splits.speaker_folds(manifest, k=6, seed=1).groups != folds.groups
    with pytest.raises(ValueError, match="at least 7 speakers"):
        splits.speaker_folds(manifest.head(18), k=7)
