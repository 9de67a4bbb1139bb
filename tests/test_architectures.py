"""Every architecture of the write-ups trains, saves and reloads through one path (`runs.train`, `mmser train`)."""

import json

import numpy as np
import pytest

from mmser_lib import architectures, cli, corpora, inputs, models, runs, splits
from mmser_lib.features import SequenceParams

PARAMS = SequenceParams(max_seconds=1.0)  # short frames and 32 clips keep 23 trainings fast
# every kind but MELD's dialogue context (tests/test_meld_context.py trains text_in_context on MELD)
AUDIO_CORPUS_KINDS = [kind for kind in inputs.KINDS if kind != "context"]
ON_ANY_CORPUS = [name for name, arch in architectures.ARCHITECTURES.items() if "context" not in arch.inputs]
RECOMPUTED = {"two_branch", "mlp_four_branch", "attention_fusion", "late_fusion", "cross_attention_fusion"}


@pytest.fixture(autouse=True)
def eager_training(request):
    """Run Keras steps eagerly here: tracing them into graphs is most of a 1-epoch training's time.

    Every architecture but two is trained in graph mode, as `mmser train` does, by a notebook under nbval;
    text_in_context by tests/test_meld_context.py. best_audio, trained in no notebook, keeps graph mode here.
    """
    import tensorflow as tf

    tf.config.run_functions_eagerly("best_audio" not in request.node.name)
    yield
    tf.config.run_functions_eagerly(False)


@pytest.fixture(scope="module")
def manifest(small_manifest):
    """The small twin's first sentence at normal intensity (01): 4 speakers x 8 clips, one per emotion."""
    chosen = (small_manifest["sentence_id"] == "01") & (small_manifest["intensity"] == "01")
    return small_manifest[chosen].reset_index(drop=True)


@pytest.fixture(scope="module")
def split(manifest):
    return splits.speaker_split(manifest, val_size=0.25, test_size=0.25, seed=0)


@pytest.fixture(scope="module")
def raw(manifest):
    return inputs.raw_inputs(manifest, AUDIO_CORPUS_KINDS, PARAMS, progress=False)


def test_raw_inputs_have_the_documented_shapes(raw, manifest):
    n = len(manifest)
    assert raw["frames"].shape == (n, PARAMS.n_frames, 64) and raw["frames_mask"].shape == (n, PARAMS.n_frames)
    assert raw["spectral"].shape == (n, 208) and raw["egemaps"].shape == (n, 88)
    assert raw["prosody"].shape == (n, 31) and raw["contours"].shape == (n, 901)
    assert raw["sentence"].shape == (n, 384) and raw["tokens"].shape == (n, inputs.MAX_TOKENS, 384)
    assert raw["whisper_base"].shape == (n, 7 * 2 * 512)  # 7 layers of Whisper base, mean and sd of width 512
    # "Kids are talking by the door" is 6 words + [CLS] + [SEP]: at least 8 real tokens, then zero padding
    n_tokens = raw["tokens_mask"].sum(axis=1)
    assert (n_tokens >= 8).all() and (raw["tokens"][~raw["tokens_mask"]] == 0).all()
    pitch, voiced = raw["contours"][:, :300], raw["contours"][:, 300:600]
    assert voiced.mean() > 0.3 and np.isfinite(raw["contours"]).all()  # most frames of speech are voiced
    assert (pitch[voiced == 0] == 0).all() and (pitch[voiced == 1] != 0).mean() > 0.5  # semitones re the median


@pytest.mark.parametrize("name", ON_ANY_CORPUS)
def test_every_architecture_trains_saves_and_reloads(name, manifest, split, raw, tmp_path):
    run = runs.train(manifest, name, split=split, raw=raw, params=PARAMS, epochs=1, patience=1,
                     progress=False)
    arch = architectures.get(name)
    assert {i.name for i in run.model.inputs} == set(arch.inputs) | ({"frames_mask"} if "frames" in arch.inputs
                                                                    else set())
    test = (split == "test").to_numpy()
    before = run.predict_proba(manifest[test], inputs.take_rows(raw, test), progress=False)
    assert np.allclose(before.sum(axis=1), 1, atol=1e-4)
    run.save(tmp_path / name)
    again = runs.load_run(tmp_path / name)
    # a few runs recompute every input kind from the audio and text; the others reuse the raw inputs
    after = again.predict_proba(manifest[test], None if name in RECOMPUTED else inputs.take_rows(raw, test),
                                progress=False)
    np.testing.assert_allclose(before, after, atol=1e-4)
    if arch.detects:
        assert run.labels == ["not_sad", "sad"] and 0.01 <= run.target.threshold <= 0.99
        metrics = again.evaluate(manifest[test], progress=False)
        assert metrics["detector"]["threshold"] == run.target.threshold == again.target.threshold
    if name == "best_audio":  # the layer mix is a distribution over Whisper base's 7 layers
        mix = again.model.get_layer("layer_mix").weights_per_layer()
        assert mix.shape == (7,) and abs(mix.sum() - 1) < 1e-5


def test_attention_pooling_weights_are_a_distribution_over_time():
    h = np.random.default_rng(0).normal(size=(3, 7, 4)).astype("float32")
    layer = models.AttentionPooling()
    summary, alpha = (np.asarray(t) for t in layer(h))
    np.testing.assert_allclose(alpha.sum(axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(summary, np.einsum("bt,btd->bd", alpha, h), atol=1e-5)
    scores = h @ np.asarray(layer.w)
    np.testing.assert_allclose(alpha, np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True), atol=1e-5)


def test_attention_pooling_gives_padded_steps_no_weight():
    h = np.random.default_rng(1).normal(size=(2, 6, 4)).astype("float32")
    mask = np.array([[True] * 4 + [False] * 2, [True] * 6])
    summary, alpha = (np.asarray(t) for t in models.AttentionPooling()(h, mask=mask))
    assert np.all(alpha[0, 4:] == 0) and np.all(alpha[1] > 0)
    np.testing.assert_allclose(alpha.sum(axis=1), 1, atol=1e-5)


FRAME_SHAPES = {"frames": (48, 16), "tfidf": (10,), "sentence": (32,), "tokens": (8, 32), "contours": (901,)}


def test_every_frame_model_ignores_what_the_padding_holds():
    """Masked pooling: a clip's padded frames (frames_mask 0) cannot change any frame model's output.

    Before the mask, Conv1D models averaged over the padding too, so how much of
    the window a clip filled (its length) leaked in as a feature.
    """
    rng = np.random.default_rng(0)
    n, parts = 3, {}
    n_frames = FRAME_SHAPES["frames"][0]
    mask = np.zeros((n, n_frames), "float32")
    mask[0, :15], mask[1, :33], mask[2, :] = 1, 1, 1
    for arch in architectures.ARCHITECTURES.values():
        if "frames" not in arch.inputs and arch.name != "prosody_mlp":
            continue
        shapes = {k: FRAME_SHAPES[k] for k in arch.inputs}
        n_features = FRAME_SHAPES["frames"][1]
        model = arch.build(shapes, 1 if arch.detects else 4,
                           (np.zeros(n_features, "float32"), np.ones(n_features, "float32")), parts)
        parts[arch.name] = model
        if "frames" not in arch.inputs:
            continue
        x = {k: rng.normal(size=(n, *FRAME_SHAPES[k])).astype("float32") for k in arch.inputs}
        x["frames_mask"] = mask
        other = dict(x, frames=np.where(mask[..., None] > 0, x["frames"], rng.normal(5, 3, x["frames"].shape))
                     .astype("float32"))
        changed = dict(x, frames=x["frames"] + 1.0)  # the real frames matter
        ours = np.asarray(model(x, training=False))
        np.testing.assert_allclose(ours, np.asarray(model(other, training=False)), atol=1e-6, err_msg=arch.name)
        assert np.abs(ours - np.asarray(model(changed, training=False))).max() > 1e-4, arch.name


def test_frame_statistics_leave_the_padding_out(manifest, split, raw):
    mask = raw["frames_mask"].copy()
    mask[::2, PARAMS.n_frames // 3:] = False  # every other clip: as if it were a third of the window long
    data = runs.prepare(manifest, ("frames",), split, raw=dict(raw, frames_mask=mask), params=PARAMS)
    train = (split == "train").to_numpy()
    real = raw["frames"][train][mask[train]]
    np.testing.assert_allclose(data.frames_mean, real.mean(axis=0), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(data.frames_variance, real.var(axis=0), rtol=1e-3, atol=1e-3)
    assert np.abs(data.frames_mean - raw["frames"][train].mean(axis=(0, 1))).max() > 0.1
    with pytest.raises(ValueError, match="frames_mask"):
        runs.prepare(manifest, ("frames",), split, raw={"frames": raw["frames"]}, params=PARAMS)


def test_late_fusion_trains_only_its_new_layers(manifest, split, raw):
    run = runs.train(manifest, "late_fusion", split=split, raw=raw, params=PARAMS, epochs=1, patience=1,
                     progress=False)
    assert not run.model.get_layer("cnn_features").trainable
    assert not run.model.get_layer("prosody_features").trainable
    trainable = {w.path.split("/")[0] for w in run.model.trainable_weights}
    assert trainable == {"fusion_dense", "emotion"}
    assert run.config["head_training"] == "out-of-fold embeddings"


def test_out_of_fold_embeddings_come_from_parts_that_never_saw_the_speaker(manifest, split, raw, monkeypatch):
    data = runs.prepare(manifest, ("frames", "contours"), split, raw=raw, params=PARAMS)
    trained_on = []
    real_train = runs.train

    def spy(rows, name, split, **options):
        trained_on.append((name, set(rows.loc[np.asarray(split) == "train", "speaker"])))
        return real_train(rows, name, split=split, **options)

    monkeypatch.setattr(runs, "train", spy)
    embeddings = runs.out_of_fold_embeddings(data, "late_fusion", groups=2, params=PARAMS, epochs=1, patience=1,
                                             progress=False)
    assert embeddings.shape == (len(data.y_train), 64 + 128) and np.isfinite(embeddings).all()
    assert (np.abs(embeddings).sum(axis=1) > 0).all()  # every training row was embedded
    training_speakers = set(manifest.loc[split == "train", "speaker"])
    assert [name for name, _ in trained_on] == ["mel_cnn", "prosody_mlp"] * 2
    held_out = [training_speakers - speakers for _, speakers in trained_on[::2]]
    assert all(held_out) and set().union(*held_out) == training_speakers  # each speaker left out once
    assert not held_out[0] & held_out[1]
    with pytest.raises(ValueError, match="not a late-fusion"):
        runs.out_of_fold_embeddings(data, "mel_cnn")


def test_per_speaker_scaling_uses_each_speakers_own_statistics(manifest, split, raw):
    run = runs.train(manifest, "mlp_audio", split=split, raw=raw, params=PARAMS, epochs=1, patience=1,
                     scaling="speaker", progress=False)
    test = (split == "test").to_numpy()
    x = run.inputs(manifest[test], inputs.take_rows(raw, test))["spectral"]
    speakers = manifest.loc[test, "speaker"].to_numpy()
    for speaker in set(speakers):
        np.testing.assert_allclose(x[speakers == speaker].mean(axis=0), 0, atol=1e-3)
    assert run.config["scaling"] == "speaker" and not run.pipeline.scalers.get("spectral")


def test_unknown_model_lists_the_architectures(manifest):
    with pytest.raises(ValueError, match="cross_attention_fusion"):
        runs.train(manifest, "transformer_xl")


def test_models_command_lists_every_architecture(capsys):
    assert cli.main(["models"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in architectures.ARCHITECTURES)
    listed = [line.split()[0] for line in out.splitlines()[1:] if line.strip()]
    assert listed[0] == "best_audio"  # the recipe to try first


def test_cli_trains_and_evaluates_a_sad_detector_on_iemocap_sessions(tmp_path, capsys):
    root = corpora.make_twin("iemocap", tmp_path / "iemocap", speakers=10, dialogs=1, seed=0, progress=False)
    held_out = "Ses05F,Ses05M"
    code = cli.main(["train", "--corpus", "iemocap", "--root", str(root), "--model", "text_linear",
                     "--out", str(tmp_path / "run"), "--epochs", "3", "--exclude-speakers", held_out])
    assert code == 0
    out = capsys.readouterr().out
    assert "threshold" in out and "sad" in out
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["target"]["detects"] == "sad"
    assert not {"iemocap:Ses05F", "iemocap:Ses05M"} & set(config["train_speakers"])
    code = cli.main(["evaluate", str(tmp_path / "run"), "--corpus", "iemocap", "--root", str(root),
                     "--speakers", held_out, "--json", str(tmp_path / "m.json")])
    assert code == 0
    assert "sad detector at the validation threshold" in capsys.readouterr().out
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["labels"] == ["not_sad", "sad"] and metrics["detector"]["positives"] > 0
    assert not metrics["speakers_seen_in_training"]
