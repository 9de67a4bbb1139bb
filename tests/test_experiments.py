"""experiments: every model scored on the same test clips, enrolment clips never scored; session folds."""

import numpy as np
import pandas as pd
import pytest

from mmser_lib import experiments, inputs, splits


def test_compare_with_neutral_enrolment_scores_only_the_other_clips(small_manifest):
    manifest = small_manifest
    split = splits.speaker_split(manifest, 0.25, 0.25, seed=0)
    raw = inputs.raw_inputs(manifest, ("spectral",), progress=False)  # what mlp_audio reads
    c = experiments.compare(manifest, ["mlp_audio"], split, seeds=(0,), raw=raw, scaling="speaker", enrol=1,
                            enrol_from="neutral", epochs=1, patience=1, progress=False, keep_runs=False)
    test_rows = c.input_rows
    assert (test_rows.loc[c.enrolled, "emotion"] == "neutral").all()
    assert c.enrolled.sum() == test_rows["speaker"].nunique()  # one neutral clip per test speaker
    assert len(c.y_true) == len(test_rows) - c.enrolled.sum() == len(c.predictions["mlp_audio"][0])
    scored_ids = set(c.test_rows["utterance_id"])
    assert not scored_ids & set(test_rows.loc[c.enrolled, "utterance_id"])
    assert np.isfinite(c.table("uar", n_resamples=50)["mean"]).all()


def iemocap_like(lines_by_session):
    """A manifest of IEMOCAP-shaped rows: (session, dialog, text, emotion) per row, two actors per session."""
    rows = []
    for i, (session, dialog, text, emotion) in enumerate(lines_by_session):
        gender = "FM"[i % 2]
        rows.append({"path": f"/x/{i}.wav", "speaker": f"iemocap:Ses0{session}{gender}", "split": f"Session{session}",
                     "sentence_id": dialog, "text": text, "emotion": emotion})
    return pd.DataFrame(rows)


def test_session_folds_test_each_session_once_and_validate_on_the_next():
    manifest = iemocap_like([(s, "impro01", f"line {s}{g}", "sad") for s in (3, 1, 2, 10) for g in range(2)])
    folds = splits.session_folds(manifest)
    assert folds.k == 4 and folds.groups[0] == ["iemocap:Ses01F", "iemocap:Ses01M"]
    assert folds.groups[3] == ["iemocap:Ses010F", "iemocap:Ses010M"]  # Session10 after Session3, not before
    sides = folds.sides(3)
    assert sides["test"] == folds.groups[3] and sides["val"] == folds.groups[0]
    assert set(sides["train"]) == {*folds.groups[1], *folds.groups[2]}
    with pytest.raises(ValueError, match="Session1 ... Session5"):
        splits.session_folds(manifest.assign(split="train"))


def test_scores_by_seen_line_marks_test_lines_said_by_training_speakers():
    script = [(s, "script01_1", "Where were you last night?", e) for s, e in ((1, "angry"), (2, "angry"), (3, "sad"))]
    impro = [(s, "impro01", f"Something only session {s} says.", "sad") for s in (1, 2, 3)]
    manifest = iemocap_like(script + impro)
    folds = splits.session_folds(manifest)  # fold 2 tests session 3, validates on 1, trains on 2
    test = manifest["split"] == "Session3"
    predictions = manifest.loc[test, ["path", "speaker", "emotion"]].assign(predicted=["angry", "sad"], fold=2)
    cv = experiments.CrossValidation("text_only", folds, pd.DataFrame(), predictions)
    table = experiments.scores_by_seen_line(cv, manifest).set_index(["dialog", "line"])
    assert table.loc[("scripted", "said in training"), "clips"] == 1  # Session2's actor said it
    assert table.loc[("scripted", "said in training"), "accuracy"] == 0.0  # predicted the line's usual label
    assert table.loc[("improvised", "new"), "accuracy"] == 1.0
    assert ("improvised", "said in training") not in table.index
