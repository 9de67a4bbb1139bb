import numpy as np
import pytest

from mmser_lib import models, runs, splits


@pytest.fixture(scope="module")
def split(small_manifest):
    return splits.speaker_split(small_manifest, val_size=0.25, test_size=0.25, seed=0)


@pytest.fixture(scope="module", params=["conv1d", "two_branch"])
def trained(request, small_manifest, small_frames, split):
    return runs.train(small_manifest, request.param, split=split, X=small_frames, epochs=3, patience=2,
                      progress=False)


def test_builders_give_the_write_up_architectures():
    mean, var = np.zeros(64), np.ones(64)
    conv = models.conv1d_baseline({"frames": (301, 64)}, 8, mean, var)
    # Roig's layers, plus the frame mask: reshaped, used to zero the padding, pooled as the frames are
    assert [layer.__class__.__name__ for layer in conv.layers] == [
        "InputLayer", "InputLayer", "Normalization", "Reshape", "Multiply", "Conv1D", "Conv1D", "MaxPooling1D",
        "MaxPooling1D", "Dropout", "NonZeroMask", "GlobalAveragePooling1D", "Dense", "Dense"]
    both = models.two_branch({"frames": (301, 64), "tfidf": (50,)}, 8, mean, var)
    assert {i.name for i in both.inputs} == {"frames", "frames_mask", "tfidf"}
    assert both.get_layer("text_dense1").units == 64 and both.get_layer("text_dense2").units == 32
    assert both.output_shape == (None, 8)


def test_training_uses_training_speakers_only(trained, small_manifest, split, small_frames):
    config = trained.config
    train_speakers = set(small_manifest.loc[split == "train", "speaker"])
    assert set(config["train_speakers"]) == train_speakers
    assert not set(config["val_speakers"]) & train_speakers
    assert 1 <= config["best_epoch"] <= config["epochs_run"] <= 3
    # the scaler inside the model was fitted on the real frames of the training clips only
    X, mask = small_frames
    scaler = trained.model.get_layer("audio_scaler")
    train = (split == "train").to_numpy()
    expected = X[train][mask[train]].mean(axis=0)
    np.testing.assert_allclose(np.ravel(scaler.mean), expected, rtol=1e-4, atol=1e-3)


def test_text_vectoriser_is_fitted_on_training_text_only(trained, small_manifest, split):
    assert (trained.vectoriser is None) == (trained.config["model"] == "conv1d")
    if trained.vectoriser is None:
        return
    train_words = {w for t in small_manifest.loc[split == "train", "text"] for w in t.lower().split()}
    assert {w for w in trained.vectoriser.vocabulary_ if " " not in w} <= train_words


def test_saved_run_predicts_the_same_after_loading(trained, small_manifest, small_frames, split, tmp_path):
    X, mask = small_frames
    test = (split == "test").to_numpy()
    frames = {"frames": X[test], "frames_mask": mask[test]}
    before = trained.predict_proba(small_manifest[test], frames, progress=False)
    np.testing.assert_allclose(before.sum(axis=1), 1, rtol=1e-5)
    loaded = runs.load_run(trained.save(tmp_path / "run"))
    after = loaded.predict_proba(small_manifest[test], frames, progress=False)
    np.testing.assert_allclose(before, after, rtol=1e-5, atol=1e-6)
    metrics = loaded.evaluate(small_manifest[test], frames, progress=False)
    assert metrics["n"] == test.sum() and 0 <= metrics["uar"] <= 1
    assert np.array(metrics["confusion_matrix"]).sum() == test.sum()
    assert loaded.config["history"]["best_epoch"] == trained.config["best_epoch"]


def test_load_run_of_a_folder_that_is_not_a_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a run folder"):
        runs.load_run(tmp_path)


def test_unknown_model_name(small_manifest):
    with pytest.raises(ValueError, match="unknown model"):
        runs.train(small_manifest, "transformer")
