"""Bad input gives a clear error or a counted, reported skip; never a crash mid-run."""

import shutil

import numpy as np
import pytest

from mmser_lib import corpora
from mmser_lib.audio import AudioError, load_audio
from tests.conftest import write_tone

GOOD = "03-01-05-01-01-01-01.wav"


def test_missing_root_names_the_layout_and_data_readme(tmp_path):
    with pytest.raises(corpora.CorpusNotFoundError, match=r"does not exist.*Actor_XX.*data/README.md"):
        corpora.load("ravdess", tmp_path / "nowhere")


def test_root_without_audio_names_data_readme(tmp_path):
    (tmp_path / "Actor_01").mkdir()
    (tmp_path / "Actor_01" / "notes.txt").write_text("no audio here")
    with pytest.raises(corpora.CorpusNotFoundError, match=r"no \*\.wav files.*data/README.md"):
        corpora.load("ravdess", tmp_path)


def _corpus_with(tmp_path, bad_name, write_bad):
    folder = tmp_path / "Actor_01"
    folder.mkdir(parents=True)
    write_tone(folder / GOOD)
    write_bad(folder / bad_name)
    return tmp_path


@pytest.mark.parametrize(
    "bad_name, write_bad, reason",
    [
        ("03-01-04-01-01-01-01.wav", lambda p: p.write_bytes(b""), "empty file"),
        ("03-01-04-01-01-01-01.wav", lambda p: write_tone(p, seconds=0), "no samples"),
        ("03-01-04-01-01-01-01.wav", lambda p: p.write_text("this is a text file, not a wav"), "not readable"),
        ("sad_take_3.wav", lambda p: write_tone(p), "does not parse"),
        ("03-01-09-01-01-01-01.wav", lambda p: write_tone(p), "emotion code 09"),
    ],
)
def test_bad_files_are_counted_reported_and_skipped(tmp_path, capsys, bad_name, write_bad, reason):
    root = _corpus_with(tmp_path, bad_name, write_bad)
    manifest = corpora.load("ravdess", root)
    assert list(manifest["utterance_id"]) == [GOOD[:-4]]
    printed = capsys.readouterr().out
    assert "skipped 1 file(s)" in printed and reason in printed and bad_name in printed
    [(reported, files)] = manifest.attrs["skipped"].items()
    assert reason in reported and files[0].endswith(bad_name)


def test_a_corpus_of_only_bad_files_is_an_error_not_an_empty_manifest(tmp_path):
    (tmp_path / "Actor_01").mkdir()
    (tmp_path / "Actor_01" / GOOD).write_bytes(b"")
    with pytest.raises(corpora.CorpusNotFoundError, match="every file was skipped"):
        corpora.load("ravdess", tmp_path)


@pytest.mark.parametrize("content, message", [(b"", "empty"), (b"RIFF....WAVEjunk", "not readable")])
def test_load_audio_raises_a_clear_error(tmp_path, content, message):
    path = tmp_path / "x.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError, match=message):
        load_audio(path)


def test_load_audio_mixes_stereo_and_resamples(tmp_path):
    path = write_tone(tmp_path / "stereo48k.wav", seconds=1.0, sr=48000, channels=2)
    y = load_audio(path, sr=16000)
    assert y.dtype == np.float32 and y.ndim == 1
    assert abs(len(y) - 16000) <= 2


def test_file_that_breaks_after_loading_raises_audio_error(small_twin, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(small_twin / "Actor_01", root / "Actor_01")
    manifest = corpora.load("ravdess", root, verbose=False)
    (root / "Actor_01" / GOOD).write_bytes(b"")
    with pytest.raises(AudioError, match="empty"):
        load_audio(manifest.set_index("utterance_id").loc[GOOD[:-4], "path"])
