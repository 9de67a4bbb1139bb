"""experiments.compare: every model scored on the same test clips, enrolment clips never scored."""

import numpy as np

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
