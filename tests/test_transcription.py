"""Whisper transcription: real tiny.en on twin clips, both backends, cache, errors, WER."""

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from mmser_lib import corpora, transcription
from mmser_lib.infra import pretrained, random_models
from mmser_lib.transcription import WhisperOptions, compression_ratio, error_rates, transcribe


@pytest.fixture(scope="module")
def male_clips(tmp_path_factory):
    """12 CREMA-D twin clips of the male eSpeak speaker: six sentences neutral, six others angry."""
    root = corpora.make_twin("crema_d", tmp_path_factory.mktemp("crema") / "crema_d", speakers=2, seed=3,
                             progress=False)
    manifest = corpora.load("crema_d", root, verbose=False)
    male = manifest[(manifest["gender"] == "male") & manifest["emotion"].isin(["neutral", "angry"])]
    male = male.drop_duplicates(["sentence_id", "emotion"])
    neutral = male[male["emotion"] == "neutral"].head(6)
    angry = male[(male["emotion"] == "angry") & ~male["sentence_id"].isin(neutral["sentence_id"])]
    male = pd.concat([neutral, angry]).reset_index(drop=True)
    assert len(male) == 12 and male["sentence_id"].nunique() == 12
    return male


@pytest.fixture(scope="module")
def tiny_en_transcripts(male_clips):
    return transcribe(male_clips, progress=False, verbose=False)


def test_shipped_tiny_en_transcribes_male_twin_speech(male_clips, tiny_en_transcripts):
    report = tiny_en_transcripts.attrs["report"]
    assert report.transcribed == len(male_clips) and report.cache_hits == 0 and not report.failed
    assert tiny_en_transcripts.index.equals(male_clips.index)
    rates = error_rates(male_clips["text"], tiny_en_transcripts["transcript"])
    assert rates.loc["all", "n"] == 12
    assert rates.loc["all", "wer"] < 0.2, tiny_en_transcripts["transcript"].tolist()
    assert rates.loc["all", "cer"] < rates.loc["all", "wer"] + 0.1


def test_cached_rerun_loads_no_model(male_clips, tiny_en_transcripts, monkeypatch, tmp_path):
    def no_model(*args, **kwargs):
        raise AssertionError("a cached re-run must not load a Whisper model")

    monkeypatch.setattr(transcription, "whisper_model", no_model)
    again = transcribe(male_clips, progress=False, verbose=False)
    assert again.attrs["report"].cache_hits == len(male_clips)
    assert again.attrs["report"].transcribed == 0
    assert again["transcript"].tolist() == tiny_en_transcripts["transcript"].tolist()
    # other decoding options are another cache entry, so they need the model
    with pytest.raises(AssertionError, match="must not load"):
        transcribe(male_clips.head(1), options=WhisperOptions(beam_size=2), progress=False, verbose=False)


def test_an_edited_file_is_transcribed_again(male_clips, tiny_en_transcripts, tmp_path):
    rows = male_clips.head(3).copy()
    copies = []
    for path in rows["path"]:
        y, sr = sf.read(path)
        copies.append(tmp_path / f"copy_{len(copies)}.wav")
        sf.write(copies[-1], y, sr)
    rows["path"] = [str(p) for p in copies]
    first = transcribe(rows, progress=False, verbose=False)  # same bytes as the originals: cache hits
    assert first.attrs["report"].cache_hits == 3
    y, sr = sf.read(copies[0])
    sf.write(copies[0], y[: len(y) // 2], sr)
    second = transcribe(rows, progress=False, verbose=False)
    assert (second.attrs["report"].cache_hits, second.attrs["report"].transcribed) == (2, 1)


def test_converted_openai_whisper_tiny_en_agrees_with_faster_whisper(male_clips, tiny_en_transcripts, tmp_path):
    checkpoint = pretrained.openai_whisper_from_ctranslate2(pretrained.faster_whisper_path("tiny.en"),
                                                            tmp_path / "tiny.en.pt")
    clips = male_clips.iloc[[0, 1, 6, 7]]  # two neutral, two angry
    reference = tiny_en_transcripts.iloc[[0, 1, 6, 7]]  # faster-whisper, same default options
    converted = transcribe(clips, "openai-whisper", str(checkpoint), use_cache=False, progress=False,
                           verbose=False)
    assert converted.attrs["report"].transcribed == 4
    assert error_rates(clips["text"], converted["transcript"]).loc["all", "wer"] < 0.2
    # same weights, two engines (float32 vs int8): nearly the same words
    agreement = error_rates(reference["transcript"], converted["transcript"]).loc["all", "wer"]
    assert agreement < 0.15


def test_openai_whisper_runs_a_random_checkpoint_from_a_file(male_clips, tmp_path):
    checkpoint = random_models.openai_whisper_checkpoint(tmp_path / "random.pt")
    clips = male_clips.head(2)
    out = transcribe(clips, "openai-whisper", str(checkpoint), options=WhisperOptions(beam_size=1),
                     progress=False, verbose=False)
    assert out.attrs["report"].transcribed == 2
    assert all(isinstance(t, str) for t in out["transcript"])
    model = transcription.whisper_model("openai-whisper", str(checkpoint), WhisperOptions(beam_size=1))
    audio = np.zeros(16000, np.float32)
    tokens = model.decode_batch([audio, audio, audio], max_new_tokens=5, suppress_end=True)
    assert [len(t) for t in tokens] == [5, 5, 5]
    # new weights under the same file name are a new cache entry
    random_models.openai_whisper_checkpoint(tmp_path / "random.pt", seed=1)
    again = transcribe(clips, "openai-whisper", str(checkpoint), options=WhisperOptions(beam_size=1),
                       progress=False, verbose=False)
    assert again.attrs["report"].cache_hits == 0


def test_a_recording_longer_than_the_window_is_transcribed_whole(male_clips, tmp_path):
    pieces = [sf.read(p)[0] for p in male_clips["path"].head(12)]
    gap = np.zeros(16000)
    long = np.concatenate([np.concatenate([p, gap]) for p in pieces])
    assert len(long) / 16000 > 30
    sf.write(tmp_path / "long.wav", long, 16000)
    row = male_clips.head(1).assign(path=str(tmp_path / "long.wav"), utterance_id="long")
    out = transcribe(row, use_cache=False, progress=False, verbose=False)
    words = set(transcription.normalise(out["transcript"].iloc[0]).split())
    first = set(transcription.normalise(male_clips["text"].iloc[0]).split())
    last = set(transcription.normalise(male_clips["text"].iloc[11]).split())
    assert len(first & words) >= len(first) - 1 and len(last & words) >= len(last) - 1


def test_unreadable_files_are_counted_not_fatal(male_clips, tmp_path):
    (tmp_path / "notes.wav").write_text("not audio")
    rows = pd.concat([male_clips.head(1), male_clips.head(1).assign(path=str(tmp_path / "notes.wav"),
                                                                    utterance_id="bad")])
    out = transcribe(rows, progress=False, verbose=False)
    report = out.attrs["report"]
    assert list(report.failed) == [str(tmp_path / "notes.wav")]
    assert pd.isna(out["transcript"].iloc[1]) and isinstance(out["transcript"].iloc[0], str)
    rates = error_rates(rows["text"], out["transcript"])
    assert rates.loc["all", "left_out"] == 1 and rates.loc["all", "n"] == 1


def test_missing_weights_give_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    with pytest.raises(pretrained.ModelNotFoundError, match="whisper.load_model"):
        pretrained.openai_whisper_checkpoint("base.en")
    with pytest.raises(pretrained.ModelNotFoundError, match="download_model"):
        pretrained.faster_whisper_path("small.en")
    with pytest.raises(pretrained.ModelNotFoundError, match="neither a file nor"):
        pretrained.openai_whisper_checkpoint("tiny.fr")
    with pytest.raises(pretrained.ModelNotFoundError, match="model.bin"):
        pretrained.faster_whisper_path(str(tmp_path))
    with pytest.raises(ValueError, match="unknown Whisper backend"):
        transcription.whisper_model("whisper.cpp")


def test_error_rates_normalise_and_pool():
    reference = ["Kids are talking by the door.", "I\u2019m fine", "Hello", ""]
    hypothesis = ["kids are talking about the door", "I'm fine!", "", "anything"]
    rates = error_rates(reference, hypothesis, groups=["a", "a", "b", "b"])
    # a: 6 + 3 words ("I'm" is scored as "i am"), "by" -> "about" is one substitution;
    # b: one deleted word, the empty reference left out
    assert rates.loc["a", "wer"] == pytest.approx(1 / 9)
    assert rates.loc["b", "wer"] == pytest.approx(1.0) and rates.loc["b", "left_out"] == 1
    assert rates.loc["all", "wer"] == pytest.approx(2 / 10)
    assert rates.loc["all", "substitutions"] == 1 and rates.loc["all", "deletions"] == 1


def test_compression_ratio_flags_decoding_loops():
    assert compression_ratio("Kids are talking by the door.") < transcription.COMPRESSION_RATIO_LIMIT
    assert compression_ratio("the door " * 40) > transcription.COMPRESSION_RATIO_LIMIT


def test_bootstrap_interval_contains_the_pooled_rate():
    reference = ["kids are talking by the door"] * 20 + ["dogs are sitting by the door"] * 20
    hypothesis = ["kids are talking about the door"] * 20 + ["dogs are sitting by the door"] * 20
    low, high = transcription.bootstrap_wer(reference, hypothesis, n_boot=500)
    pooled = error_rates(reference, hypothesis).loc["all", "wer"]
    assert low < pooled < high and 0 < low and high < 0.2
