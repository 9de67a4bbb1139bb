import hashlib
import shutil

import pandas as pd
import pytest
import soundfile as sf

from mmser_lib import corpora
from mmser_lib.corpora import ravdess


def test_parse_name_decodes_every_field():
    info = ravdess.parse_name("03-01-05-02-01-02-12.wav")
    assert info["emotion"] == "angry"
    assert info["intensity"] == "02"
    assert info["statement"] == "01"
    assert info["actor"] == 12


@pytest.mark.parametrize("name", ["03-01-09-01-01-01-01.wav", "03-02-05-01-01-01-01.wav", "notes.wav",
                                  "03-01-05-01-03-01-01.wav", "._03-01-05-01-01-01-01.wav"])
def test_parse_name_rejects_undefined_codes(name):
    with pytest.raises(ValueError):
        ravdess.parse_name(name)


def test_manifest_has_the_design_columns(small_manifest):
    assert list(small_manifest.columns) == corpora.MANIFEST_COLUMNS
    assert len(small_manifest) == 4 * 30  # 1 take: 2 neutral + 7 emotions x 2 intensities x 2 statements
    assert small_manifest["utterance_id"].is_unique
    assert set(small_manifest["speaker"]) == {"ravdess:01", "ravdess:02", "ravdess:03", "ravdess:04"}
    first = small_manifest.set_index("utterance_id").loc["03-01-05-02-01-01-01"]
    assert (first.emotion, first.gender, first.text) == ("angry", "male", "Kids are talking by the door")
    assert small_manifest.loc[small_manifest.speaker == "ravdess:02", "gender"].eq("female").all()


def test_twin_has_the_release_format(small_twin, small_manifest):
    infos = [sf.info(p) for p in small_manifest["path"]]
    assert {i.samplerate for i in infos} == {48000}
    assert {i.subtype for i in infos} == {"PCM_16"}
    assert {i.channels for i in infos} <= {1, 2}
    assert small_manifest["emotion"].value_counts()["neutral"] == 4 * 2  # no strong neutral in RAVDESS


def test_twin_is_deterministic_for_a_seed(tmp_path):
    def digest(root):
        return [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*.wav"))]

    a = corpora.make_twin("ravdess", tmp_path / "a", speakers=1, seed=3, repetitions=1, progress=False)
    b = corpora.make_twin("ravdess", tmp_path / "b", speakers=1, seed=3, repetitions=1, progress=False)
    c = corpora.make_twin("ravdess", tmp_path / "c", speakers=1, seed=4, repetitions=1, progress=False)
    assert digest(a) == digest(b)
    assert digest(a) != digest(c)


def test_twin_writes_some_stereo_clips_and_the_loader_reads_them(tmp_path):
    root = corpora.make_twin("ravdess", tmp_path / "t", speakers=2, seed=0, repetitions=1,
                             stereo_fraction=0.5, progress=False)
    manifest = corpora.load("ravdess", root, verbose=False)
    channels = [sf.info(p).channels for p in manifest["path"]]
    assert 2 in channels and 1 in channels
    assert len(manifest) == 60


def test_loader_reads_an_extra_top_folder_and_a_16k_copy(small_twin, tmp_path):
    nested = tmp_path / "Audio_Speech_Actors_01-24" / "ravdess"
    shutil.copytree(small_twin / "Actor_01", nested / "Actor_01")
    # a 16 kHz mono copy, like ../shared/data/ravdess-actors-01-12
    for path in (nested / "Actor_01").glob("*.wav"):
        y, sr = sf.read(path)
        sf.write(path, y[::3] if y.ndim == 1 else y[::3].mean(axis=1), 16000)
    manifest = corpora.load("ravdess", tmp_path)
    assert len(manifest) == 30
    assert set(manifest["speaker"]) == {"ravdess:01"}


def test_corpus_root_prefers_the_configured_real_corpus(small_twin, monkeypatch):
    monkeypatch.setenv("MMSER_RAVDESS_ROOT", str(small_twin))
    root, is_twin = corpora.corpus_root("ravdess")
    assert (root, is_twin) == (small_twin.resolve(), False)


def test_corpus_root_writes_a_twin_once(tmp_path, monkeypatch):
    monkeypatch.delenv("MMSER_RAVDESS_ROOT", raising=False)
    monkeypatch.setenv("MMSER_TWIN_DIR", str(tmp_path))
    root, is_twin = corpora.corpus_root("ravdess", speakers=1, seed=0, repetitions=1)
    assert is_twin and corpora.is_twin(root)
    stamp = (root / "TWIN.json").stat().st_mtime_ns
    again, _ = corpora.corpus_root("ravdess", speakers=1, seed=0, repetitions=1)
    assert again == root and (root / "TWIN.json").stat().st_mtime_ns == stamp
    assert isinstance(corpora.load("ravdess", root, verbose=False), pd.DataFrame)
