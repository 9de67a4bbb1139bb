"""download.fetch, the optional corpus download of notebook 00, on file:// URLs (the tests never go online)."""

import zipfile

import pytest

from mmser_lib import corpora, download


def test_fetch_unpacks_a_zip_once_and_the_result_loads(small_twin, tmp_path, capsys):
    twin = small_twin
    archive = tmp_path / "Audio_Speech_Actors_01-24.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(twin.glob("Actor_0[12]/*.wav")):
            out.write(path, path.relative_to(twin))
    sources = {"ravdess": {"files": {archive.name: archive.as_uri()}, "licence": "test"}}
    root = download.fetch("ravdess", tmp_path / "data", sources=sources)
    assert root == tmp_path / "data" / "ravdess" and not (root / archive.name).exists()
    assert len(corpora.load("ravdess", root, verbose=False)) == len(list(twin.glob("Actor_0[12]/*.wav"))) > 0
    assert download.fetch("ravdess", tmp_path / "data", sources=sources) == root  # the second call fetches nothing
    assert "already in" in capsys.readouterr().out


def test_an_unreachable_source_is_a_clear_error_and_leaves_no_partial_file(tmp_path):
    sources = {"meld": {"files": {"dev_sent_emo.csv": (tmp_path / "missing.csv").as_uri()}, "licence": "test"}}
    with pytest.raises(ConnectionError, match="data/README.md"):
        download.fetch("meld", tmp_path / "data", sources=sources)
    assert not list((tmp_path / "data" / "meld").iterdir())
    with pytest.raises(ValueError, match="IEMOCAP on request"):
        download.fetch("iemocap", tmp_path)
