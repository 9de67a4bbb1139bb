"""The full utterance-level feature set: every group, no NaN, flags, bad audio, the cache."""

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from mmser_lib import corpora, features
from mmser_lib.audio import AudioError, load_audio
from mmser_lib.features import extract
from mmser_lib.infra import cache as feature_cache

SR = 16_000


def speechlike(seconds=1.5, sr=SR, f0=140.0, seed=0):
    """A voiced, syllable-like signal: harmonics of a gliding F0 under a 4 Hz loudness envelope."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    phase = 2 * np.pi * np.cumsum(f0 * (1 + 0.1 * np.sin(2 * np.pi * 0.7 * t))) / sr
    voice = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = 0.5 * (1 - np.cos(2 * np.pi * 4 * t)) + 0.05
    return (0.2 * voice * envelope + 0.002 * rng.normal(size=t.size)).astype(np.float32)


def manifest_of(paths, corpus="tests"):
    return pd.DataFrame({"path": [str(p) for p in paths], "corpus": corpus})


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """The bad inputs of issue 3 and a good clip, as real files."""
    folder = tmp_path_factory.mktemp("clips")
    good = speechlike()
    files = {}
    files["good"] = folder / "good.wav"
    sf.write(files["good"], good, SR)
    files["silent"] = folder / "silent.wav"
    sf.write(files["silent"], np.zeros(SR, np.float32), SR)
    files["50ms"] = folder / "short.wav"
    sf.write(files["50ms"], good[: SR // 20], SR)
    files["60s"] = folder / "long.wav"
    sf.write(files["60s"], np.tile(good, 40), SR)
    files["8bit"] = folder / "eight_bit.wav"
    sf.write(files["8bit"], good, SR, subtype="PCM_U8")
    stereo48 = speechlike(sr=48_000)
    files["stereo48k"] = folder / "stereo48k.wav"
    sf.write(files["stereo48k"], np.stack([stereo48, 0.5 * stereo48], axis=1), 48_000)
    files["mp3"] = folder / "clip.mp3"
    sf.write(files["mp3"], good, SR)
    files["text"] = folder / "notes.wav"
    files["text"].write_text("this is a text file, not a wav")
    return files


@pytest.fixture(scope="module")
def table(clips):
    usable = [clips[k] for k in ("good", "silent", "50ms", "60s", "8bit", "stereo48k", "mp3")]
    return features.extract_features(manifest_of(usable), progress=False, n_jobs=1, verbose=False)


def test_every_group_is_there_and_nothing_is_nan(table):
    assert table.shape[0] == 7
    for column in ("mfcc1_mean", "dmfcc40_std", "chroma12_mean", "centroid_mean", "bandwidth_mean", "rolloff_mean",
                   "contrast7_mean", "zcr_mean", "rms_mean", "f0_mean", "voiced_fraction", "loudness_mean",
                   "syllables_per_s", "jitter_local", "shimmer_local", "hnr_mean_db", "f1_mean", "f2_mean",
                   "f3_mean", "F0semitoneFrom27.5Hz_sma3nz_amean", "loudness_sma3_amean"):
        assert column in table.columns, column
    assert list(table.columns[-3:]) == features.FLAG_COLUMNS
    assert np.isfinite(table.to_numpy()).all()


def test_a_voiced_clip_gets_plausible_prosody_and_voice_quality(table):
    good = table.iloc[0]
    assert 120 < good["f0_mean"] < 170  # the signal glides around 140 Hz
    assert good["voiced_fraction"] > 0.5 and good["flag_unvoiced"] == 0
    assert 2 <= good["syllables_per_s"] <= 6  # a 4 Hz loudness envelope
    assert good["hnr_mean_db"] > 5 and 0 <= good["jitter_local"] < 0.05
    assert 0 < good["f1_mean"] < good["f2_mean"] < good["f3_mean"]
    assert good[["flag_silent", "flag_short"]].sum() == 0


def test_silent_and_short_clips_are_flagged_with_defined_values(table):
    silent, short = table.iloc[1], table.iloc[2]
    assert silent["flag_silent"] == 1 and silent["flag_unvoiced"] == 1
    assert silent["f0_mean"] == 0 and silent["jitter_local"] == 0
    assert short["flag_short"] == 1 and short["flag_silent"] == 0


def test_formats_rates_and_lengths_give_the_same_features(table):
    good, long, eight_bit, stereo48k, mp3 = (table.iloc[i] for i in (0, 3, 4, 5, 6))
    for other in (eight_bit, stereo48k, mp3, long):
        assert abs(other["f0_mean"] - good["f0_mean"]) < 5
        assert abs(other["mfcc2_mean"] - good["mfcc2_mean"]) < 0.15 * abs(good["mfcc2_mean"]) + 2
    assert long["speech_duration_s"] > 55


def test_load_audio_reads_every_format(clips):
    assert len(load_audio(clips["stereo48k"])) == pytest.approx(1.5 * SR, abs=2)
    assert len(load_audio(clips["60s"])) == 60 * SR
    assert np.corrcoef(load_audio(clips["8bit"]), load_audio(clips["good"]))[0, 1] > 0.99
    assert abs(len(load_audio(clips["mp3"])) - 1.5 * SR) < 0.1 * SR  # mp3 adds encoder padding
    with pytest.raises(AudioError, match="not readable as audio"):
        load_audio(clips["text"])


def test_an_unreadable_file_is_left_out_counted_and_reported(clips, capsys):
    table = features.extract_features(manifest_of([clips["good"], clips["text"]]), groups=("spectral",),
                                      progress=False, n_jobs=1)
    assert len(table) == 1 and table.index.tolist() == [0]
    report = table.attrs["report"]
    assert list(report["failed"]) == [str(clips["text"])]
    assert "1 file(s) could not be read and were left out: notes.wav" in capsys.readouterr().out
    with pytest.raises(AudioError, match="could not be read.*notes.wav"):
        features.extract_sequences(manifest_of([clips["good"], clips["text"]]), progress=False, n_jobs=1)


def test_sequences_of_a_long_clip_are_cut_and_of_a_short_one_masked(clips):
    X, mask = features.extract_sequences(manifest_of([clips["60s"], clips["50ms"]]), progress=False, n_jobs=1)
    assert X.shape == (2, 301, 64)
    assert mask[0].all() and mask[1].sum() <= 6


def test_mp4_audio_is_decoded_like_the_wav_it_came_from(tmp_path):
    from mmser_lib.corpora.twin import write_mp4

    y = speechlike(sr=48_000)
    write_mp4(tmp_path / "clip.mp4", np.stack([y, y], axis=1), 48_000)
    decoded = load_audio(tmp_path / "clip.mp4")
    reference = load_audio_array(y, 48_000)
    n = min(len(decoded), len(reference))
    lag = int(np.argmax(np.correlate(decoded[:n], reference[:4000], mode="valid")))  # AAC priming delay
    assert np.corrcoef(decoded[lag:n], reference[: n - lag])[0, 1] > 0.95
    assert abs(np.std(decoded) - np.std(reference)) < 0.1 * np.std(reference)  # stereo averaged, not summed


def load_audio_array(y, sr):
    import soxr

    return soxr.resample(y, sr, SR).astype(np.float32)


def copy_clips(tmp_path, n=3):
    paths = []
    for i in range(n):
        path = tmp_path / f"clip{i}.wav"
        sf.write(path, speechlike(seed=i, f0=120 + 20 * i), SR)
        paths.append(path)
    return paths


def test_cache_reuses_entries_and_recomputes_exactly_what_changed(tmp_path, monkeypatch):
    monkeypatch.setenv("MMSER_CACHE_DIR", str(tmp_path / "cache"))
    paths = copy_clips(tmp_path)
    manifest = manifest_of(paths)
    groups = ("spectral", "prosody", "voice_quality")
    first = features.extract_features(manifest, groups=groups, progress=False, n_jobs=1, verbose=False)
    assert first.attrs["report"]["computed"] == 3

    again = features.extract_features(manifest, groups=groups, progress=False, n_jobs=1, verbose=False)
    assert again.attrs["report"]["cache_hits"] == 3 and again.attrs["report"]["computed"] == 0
    pd.testing.assert_frame_equal(first, again)

    # A pitch parameter touches prosody, voice quality and the flags, not the spectral statistics.
    changed = features.FeatureParams(pitch_floor=60.0)
    third = features.extract_features(manifest, groups=groups, params=changed, progress=False, n_jobs=1,
                                      verbose=False)
    assert third.attrs["report"]["computed_groups"] == {"prosody": 3, "voice_quality": 3, "flags": 3}

    # Editing one audio file recomputes that file only.
    sf.write(paths[1], speechlike(seed=9, f0=200), SR)
    fourth = features.extract_features(manifest, groups=groups, progress=False, n_jobs=1, verbose=False)
    assert fourth.attrs["report"]["computed"] == 1 and fourth.attrs["report"]["cache_hits"] == 2
    assert fourth.loc[1, "f0_mean"] > first.loc[1, "f0_mean"] + 30
    pd.testing.assert_frame_equal(fourth.drop(index=1), first.drop(index=1))


def test_an_interrupted_extraction_resumes_and_leaves_no_partial_entries(tmp_path, monkeypatch):
    monkeypatch.setenv("MMSER_CACHE_DIR", str(tmp_path / "cache"))
    manifest = manifest_of(copy_clips(tmp_path, n=4))
    real = extract._group_values
    calls = {"n": 0}

    def dies_on_the_third_file(group, clip):
        if group == "spectral":
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt  # the user pressed stop, or the Colab runtime went away
        return real(group, clip)

    monkeypatch.setattr(extract, "_group_values", dies_on_the_third_file)
    with pytest.raises(KeyboardInterrupt):
        features.extract_features(manifest, groups=("spectral",), progress=False, n_jobs=1, verbose=False)
    cache_root = tmp_path / "cache"
    assert not list(cache_root.rglob("*.tmp"))
    assert len(list(cache_root.rglob("*.bin"))) == 2 * 2  # files 1 and 2: spectral and flags entries

    monkeypatch.setattr(extract, "_group_values", real)
    resumed = features.extract_features(manifest, groups=("spectral",), progress=False, n_jobs=1, verbose=False)
    report = resumed.attrs["report"]
    assert (report["cache_hits"], report["computed"]) == (2, 2) and len(resumed) == 4


def test_cache_entries_are_written_atomically_and_damage_means_recompute(tmp_path):
    folder = feature_cache.group_dir("tests", "spectral", {"a": 1}, root=tmp_path)
    assert (folder / "params.json").is_file()
    values = np.arange(3.0)
    feature_cache.write_layout(folder, values, ["a", "b", "c"])
    feature_cache.write_entry(folder, "ab" * 16, values)
    layout = feature_cache.read_layout(folder)
    assert layout["names"] == ["a", "b", "c"]
    assert feature_cache.read_entry(folder, "ab" * 16, layout).tolist() == [0.0, 1.0, 2.0]
    assert not list(tmp_path.rglob("*.tmp"))
    feature_cache.entry_path(folder, "cd" * 16).parent.mkdir(parents=True)
    feature_cache.entry_path(folder, "cd" * 16).write_bytes(b"trunc")  # e.g. a disk that filled up
    assert feature_cache.read_entry(folder, "cd" * 16, layout) is None  # recomputed, not a crash


def test_parallel_extraction_matches_serial(small_manifest):
    subset = small_manifest.head(66)  # above the threshold at which worker processes are used
    serial = features.extract_features(subset, groups=("prosody",), cache=False, progress=False, n_jobs=1,
                                       verbose=False)
    parallel = features.extract_features(subset, groups=("prosody",), cache=False, progress=False, n_jobs=2,
                                         verbose=False)
    pd.testing.assert_frame_equal(serial, parallel)


def test_a_corpus_twin_extracts_end_to_end(tmp_path):
    root = corpora.make_twin("tess", tmp_path / "tess", words=2, progress=False)
    manifest = corpora.load("tess", root, verbose=False)
    table = features.extract_features(manifest, progress=False, n_jobs=1, verbose=False)
    assert len(table) == len(manifest) == 28 and np.isfinite(table.to_numpy()).all()
    # angry twin speech is louder than sad twin speech, as the profiles say
    by_emotion = table.groupby(manifest["emotion"])["loudness_mean"].mean()
    assert by_emotion["angry"] > by_emotion["sad"]


def test_egemaps_works_when_tensorflow_was_imported_first(tmp_path):
    """openSMILE loaded after TensorFlow corrupts memory; extract_features must route around it."""
    import subprocess
    import sys

    clip = tmp_path / "clip.wav"
    sf.write(clip, speechlike(), SR)
    script = (
        "import tensorflow as tf; tf.constant(1.0) + 1\n"
        "import pandas as pd\n"
        "from mmser_lib import features\n"
        f"m = pd.DataFrame({{'path': [{str(clip)!r}], 'corpus': 'tests'}})\n"
        "t = features.extract_features(m, groups=('egemaps',), cache=False, progress=False, verbose=False)\n"
        "print('ok', t.shape)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ok (1, 91)" in done.stdout
