"""CREMA-D, TESS, MELD and IEMOCAP: each twin has the real layout and quirks, and the real loader reads it."""

import re
import shutil

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from mmser_lib import corpora, emotions
from mmser_lib.audio import load_audio
from mmser_lib.corpora import crema_d, iemocap, meld, tess
from mmser_lib.corpora.common import MANIFEST_COLUMNS
from mmser_lib.targets import Target
from tests.conftest import write_tone

SMALL = {
    "crema_d": dict(speakers=2, sentences=2),
    "tess": dict(speakers=2, words=3),
    "meld": dict(speakers=4, dialogues=(3, 1, 1)),
    "iemocap": dict(speakers=4, dialogs=2, turns=8),
}


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    base = tmp_path_factory.mktemp("corpora")
    return {name: corpora.make_twin(name, base / name, seed=2, progress=False, **options)
            for name, options in SMALL.items()}


@pytest.mark.parametrize("corpus", list(SMALL))
def test_twin_loads_into_the_shared_manifest(twins, corpus):
    manifest = corpora.load(corpus, twins[corpus], verbose=False)
    assert list(manifest.columns) == MANIFEST_COLUMNS
    assert (manifest["corpus"] == corpus).all()
    assert manifest["utterance_id"].is_unique
    assert manifest["speaker"].str.startswith(f"{corpus}:").all()
    assert set(manifest["emotion"]) <= set(corpora.twin.EMOTION_PROFILES)
    assert (manifest["text"].str.len() > 0).all()
    assert corpora.is_twin(twins[corpus])
    y = load_audio(manifest["path"].iloc[0])
    assert y.dtype == np.float32 and 0.5 < len(y) / 16000 < 8


def test_crema_d_twin_layout_levels_and_demographics(twins):
    root = twins["crema_d"]
    manifest = corpora.load("crema_d", root, verbose=False)
    # IEO at LO / MD / HI for 5 emotions + neutral XX; the second sentence (TIE) at XX for 6 emotions.
    assert len(manifest) == 2 * (5 * 3 + 1 + 6)
    assert set(manifest["speaker"]) == {"crema_d:1001", "crema_d:1002"}
    demographics = pd.read_csv(root / "VideoDemographics.csv")
    assert list(demographics.columns) == ["ActorID", "Age", "Sex", "Race", "Ethnicity"]
    assert dict(zip(manifest["speaker"], manifest["gender"])) == {"crema_d:1001": "male", "crema_d:1002": "female"}
    ieo = manifest[manifest["sentence_id"] == "IEO"]
    assert set(ieo["intensity"]) == {"LO", "MD", "HI", "XX"} and (ieo["text"] == "It's eleven o'clock").all()
    info = sf.info(manifest["path"].iloc[0])
    assert (info.samplerate, info.channels) == (16000, 1)


def test_crema_d_parses_every_name_an_actor_records():
    for actor in (crema_d.FIRST_ACTOR, 1050, crema_d.LAST_ACTOR):
        names = crema_d.clip_names(actor, list(crema_d.SENTENCES))
        assert len(names) == 82
        for name, sentence, emotion in names:
            parsed = crema_d.parse_name(name)
            assert (parsed["actor"], parsed["sentence"], parsed["emotion_raw"]) == (actor, sentence, emotion)
            assert parsed["level"] == name[-6:-4]


@pytest.mark.parametrize("name, message", [
    ("1001_DFA_BOR_XX.wav", "emotion code BOR"),
    ("1001_XYZ_ANG_XX.wav", "sentence code XYZ"),
    ("1001_DFA_ANG_ZZ.wav", "level code ZZ"),
    ("0999_DFA_ANG_XX.wav", "actor 0999"),
    ("1001-DFA-ANG-XX.wav", "name is not"),
])
def test_crema_d_rejects_undefined_codes(name, message):
    with pytest.raises(ValueError, match=message):
        crema_d.parse_name(name)


def test_tess_twin_has_the_real_folder_quirks(twins):
    root = twins["tess"]
    top = root / tess.NESTED_FOLDER
    folders = {p.name for p in top.iterdir()}
    assert {"OAF_Pleasant_surprise", "YAF_pleasant_surprised", "OAF_Fear", "YAF_fear", "OAF_Sad"} <= folders
    assert (top / "OAF_Pleasant_surprise" / "OAF_back_ps.wav").is_file()
    assert sf.info(top / "OAF_angry" / "OAF_back_angry.wav").samplerate == 24_414
    manifest = corpora.load("tess", root, verbose=False)
    assert len(manifest) == 2 * 7 * 3
    row = manifest.set_index("utterance_id").loc["YAF_bar_ps"]
    assert (row["emotion"], row["emotion_raw"], row["text"], row["sentence_id"]) == (
        "surprised", "ps", "Say the word bar", "bar")
    assert set(manifest["speaker"]) == {"tess:OAF", "tess:YAF"}


def test_tess_loads_a_copy_without_the_extra_top_folder(twins, tmp_path):
    flat = tmp_path / "flat"
    shutil.copytree(twins["tess"] / tess.NESTED_FOLDER, flat)
    assert len(corpora.load("tess", flat, verbose=False)) == 2 * 7 * 3


def test_tess_parses_names_and_rejects_an_undefined_emotion():
    assert tess.parse_name("OAF_back_Fear.wav")["emotion"] == "fearful"
    assert tess.parse_name("YAF_jail_ps.wav")["word"] == "jail"
    with pytest.raises(ValueError, match="emotion 'bored'"):
        tess.parse_name("OAF_back_bored.wav")
    with pytest.raises(ValueError, match="speakers must be 1 or 2"):
        tess.make_twin("/tmp/unused", speakers=3)


def test_meld_twin_writes_mp4_media_and_quirky_csvs(twins, capsys):
    root = twins["meld"]
    raw = (root / "train_sent_emo.csv").read_bytes()
    assert b"\r\n" in raw and raw.startswith(b"Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID")
    mp4s = sorted((root / "train_splits").glob("dia*_utt*.mp4"))
    assert mp4s and (root / "dev_splits_complete").is_dir() and (root / "output_repeated_splits_test").is_dir()
    import av

    with av.open(str(mp4s[0])) as container:
        assert container.streams.audio and container.streams.video
        assert container.streams.audio[0].codec_context.name == "aac"
    manifest = corpora.load("meld", root)
    printed = capsys.readouterr().out
    assert "skipped 1 file(s): media file missing" in printed  # the twin leaves one out, as the release does
    assert set(manifest["split"]) == {"train", "dev", "test"}
    assert manifest["utterance_id"].str.match(r"^(train|dev|test)_dia\d+_utt\d+$").all()
    assert not manifest["text"].str.contains("\x92|â€", regex=True).any()
    assert set(manifest["emotion_raw"]) <= set(meld.EMOTIONS)
    y = load_audio(manifest["path"].iloc[0])
    assert 0.5 < len(y) / 16000 < 8 and np.abs(y).max() > 0.01


def test_meld_repairs_both_kinds_of_mojibake():
    assert meld.repair_mojibake("I\x92m fine\x85") == "I\u2019m fine\u2026"
    assert meld.repair_mojibake("I\u00e2\u20ac\u2122m fine") == "I\u2019m fine"
    assert meld.repair_mojibake("Caf\u00e9 \u2019quoted\u2019") == "Caf\u00e9 \u2019quoted\u2019"


def test_meld_counts_rows_with_missing_media_and_undefined_emotions(twins, tmp_path, capsys):
    root = tmp_path / "meld"
    shutil.copytree(twins["meld"], root)
    table = pd.read_csv(root / "dev_sent_emo.csv")
    table.loc[0, "Emotion"] = "confusion"
    table.to_csv(root / "dev_sent_emo.csv", index=False)
    first = sorted((root / "output_repeated_splits_test").glob("*.mp4"))[0]
    first.unlink()
    manifest = corpora.load("meld", root)
    skipped = manifest.attrs["skipped"]
    assert sum(len(v) for k, v in skipped.items() if "media file missing" in k) == 2
    assert any("'confusion'" in k for k in skipped)
    assert "confusion" in capsys.readouterr().out


def test_meld_without_csvs_names_the_layout(tmp_path):
    (tmp_path / "train_splits").mkdir()
    with pytest.raises(corpora.CorpusNotFoundError, match=r"train_sent_emo.csv.*data/README.md"):
        corpora.load("meld", tmp_path)


def test_iemocap_twin_layout_labels_and_transcripts(twins, capsys):
    root = twins["iemocap"]
    session = root / "IEMOCAP_full_release" / "Session1"
    label_files = sorted((session / "dialog" / "EmoEvaluation").glob("*.txt"))
    assert label_files and (session / "dialog" / "transcriptions" / label_files[0].name).is_file()
    assert label_files[0].read_text().startswith("% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]")
    manifest = corpora.load("iemocap", root)
    printed = capsys.readouterr().out
    assert "label xxx (no majority among the annotators)" in printed
    assert set(manifest["split"]) == {"Session1", "Session2"}
    assert set(manifest["speaker"]) == {"iemocap:Ses01F", "iemocap:Ses01M", "iemocap:Ses02F", "iemocap:Ses02M"}
    assert not manifest["emotion_raw"].isin(["xxx", "oth"]).any()
    male = manifest[manifest["utterance_id"].str.contains(r"_M\d{3}$")]
    assert (male["gender"] == "male").all() and male["speaker"].str.endswith("M").all()
    assert (manifest["text"].str.len() > 3).all()
    everything = corpora.load("iemocap", root, verbose=False, keep_unlabelled=True)
    assert len(everything) > len(manifest)
    assert set(everything["emotion"]) - set(manifest["emotion"]) <= {"unlabelled", "other"}


def test_iemocap_parsers_read_the_real_line_formats(tmp_path):
    labels = tmp_path / "Ses01F_impro01.txt"
    labels.write_text("% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]\n\n"
                      "[6.2901 - 8.2357]\tSes01F_impro01_F000\tneu\t[2.5000, 2.5000, 2.5000]\n"
                      "C-E2:\tNeutral;\t()\n")
    assert iemocap.read_labels(labels) == {"Ses01F_impro01_F000": (6.2901, 8.2357, "neu")}
    transcript = tmp_path / "t.txt"
    transcript.write_text("Ses01F_impro01_F000 [006.2901-008.2357]: Excuse me.\n"
                          "Ses01F_impro01_MXX0 [010.0-011.0]: [LAUGHTER]\n")
    assert iemocap.read_transcripts(transcript) == {"Ses01F_impro01_F000": "Excuse me."}
    assert iemocap.speaker_of("Ses01F_impro01_M003") == ("Ses01M", "male")


def test_iemocap_undefined_label_code_is_counted(twins, tmp_path):
    root = tmp_path / "iemocap"
    shutil.copytree(twins["iemocap"], root)
    label_file = sorted(root.rglob("EmoEvaluation/*.txt"))[0]
    text = label_file.read_text()
    first = next(line for line in text.splitlines() if line.startswith("["))
    code = first.split("\t")[2]
    label_file.write_text(text.replace(first, first.replace(f"\t{code}\t", "\tzzz\t")))
    manifest = corpora.load("iemocap", root, verbose=False)
    assert any("label code 'zzz'" in reason for reason in manifest.attrs["skipped"])


def test_four_class_and_the_sad_detector_target():
    manifest = pd.DataFrame({"emotion": ["neutral", "excited", "happy", "sad", "angry", "frustrated", "unlabelled"],
                             "emotion_raw": ["neu", "exc", "hap", "sad", "ang", "fru", "xxx"]})
    four = emotions.four_class(manifest)
    assert list(four["emotion"]) == ["neutral", "happy", "happy", "sad", "angry"]
    assert list(four["emotion_raw"])[1] == "exc"
    sad = Target.detector("sad")
    binary = sad.relabel(manifest)
    assert list(binary["emotion"]) == ["not_sad"] * 3 + ["sad"] + ["not_sad"] * 2
    assert list(sad.encode(binary["emotion"])) == [0, 0, 0, 1, 0, 0]
    assert list(sad.decide([[0.7, 0.3], [0.4, 0.6]])) == ["not_sad", "sad"]
    assert list(sad.with_threshold(0.25).decide([[0.7, 0.3]])) == ["sad"]
    assert emotions.shared(manifest, manifest.head(3)) == ["neutral", "happy", "excited"]


def test_text_carries_emotion_only_where_the_corpus_does(twins):
    """Scripted corpora say the same words in every emotion; MELD / IEMOCAP twins do not."""
    crema = corpora.load("crema_d", twins["crema_d"], verbose=False)
    assert crema.groupby("text")["emotion"].nunique().min() == 6
    iemo = corpora.load("iemocap", twins["iemocap"], verbose=False)
    cue_of = {cue: emotion for emotion, cues in corpora.twin_text.CUES.items() for cue in cues}
    cued = iemo["text"].map(lambda text: next((cue_of[c] for c in cue_of if re.search(rf"\b{c}\b", text)), None))
    said = cued.notna()
    assert said.sum() >= 5 and (cued[said] == iemo.loc[said, "emotion"]).mean() > 0.6


def test_twin_lines_are_paraphrased_except_the_shared_scripts(twins):
    """Improvised lines rarely repeat; a scripted dialog says the same lines in every session."""
    iemo = corpora.load("iemocap", twins["iemocap"], verbose=False, keep_unlabelled=True)
    scripted = iemo["path"].astype(str).str.contains("_script")
    assert corpora.twin_text.distinct_share(iemo.loc[~scripted, "text"]) > 0.9
    sessions = iemo.loc[scripted].groupby("text")["split"].nunique()
    assert sessions.min() == iemo["split"].nunique() > 1
    rng = np.random.default_rng(0)
    lines = [corpora.twin_text.line("angry", rng, informative=1.0) for _ in range(500)]
    assert corpora.twin_text.distinct_share(lines) > 0.8
    assert all(any(cue in text for cue in corpora.twin_text.CUES["angry"]) for text in lines)
    assert corpora.twin_text.script(["sad", "happy"], seed=[0, 1]) == corpora.twin_text.script(["sad", "happy"],
                                                                                                   seed=[0, 1])


def test_a_corpus_wav_that_is_a_text_file_is_skipped(twins, tmp_path):
    root = tmp_path / "crema"
    shutil.copytree(twins["crema_d"], root)
    (root / "AudioWAV" / "1001_TIE_SAD_XX.wav").write_text("not audio")
    write_tone(root / "AudioWAV" / "1001_TIE_XXX_XX.wav")
    manifest = corpora.load("crema_d", root, verbose=False)
    reasons = manifest.attrs["skipped"]
    assert any("not readable" in r for r in reasons) and any("emotion code XXX" in r for r in reasons)


def test_upper_case_extensions_and_linked_actor_folders_are_read(small_twin, tmp_path):
    """Copies of RAVDESS with ``.WAV`` names, or actors linked in from another disk, lose no clip."""
    original = corpora.load("ravdess", small_twin, verbose=False)
    copy, elsewhere = tmp_path / "ravdess", tmp_path / "other-disk"
    shutil.copytree(small_twin, copy)
    actors = sorted(p for p in copy.iterdir() if p.is_dir())
    elsewhere.mkdir()
    shutil.move(actors[0], elsewhere / actors[0].name)
    actors[0].symlink_to(elsewhere / actors[0].name, target_is_directory=True)
    (actors[0] / "loop").symlink_to(copy, target_is_directory=True)  # a link back up must not loop
    renamed = sorted(actors[1].glob("*.wav"))[:3]
    for path in renamed:
        path.rename(path.with_suffix(".WAV"))

    manifest = corpora.load("ravdess", copy, verbose=False)
    assert len(manifest) == len(original) and not manifest.attrs["skipped"]
    assert sorted(manifest["utterance_id"]) == sorted(original["utterance_id"])
    assert manifest["path"].str.endswith(".WAV").sum() == len(renamed)


def test_a_speaker_filter_keeps_those_speakers_of_a_real_corpus_and_is_recorded(small_twin, tmp_path, monkeypatch):
    twin = small_twin
    real = tmp_path / "real"
    shutil.copytree(twin, real)
    (real / "TWIN.json").unlink()  # the same files, read as a real corpus
    monkeypatch.setenv("MMSER_RAVDESS_SPEAKERS", "1-2, 4")
    manifest = corpora.load("ravdess", real, verbose=False)
    assert sorted(manifest["speaker"].unique()) == ["ravdess:01", "ravdess:02", "ravdess:04"]
    loaded = corpora.LOADED["ravdess"]
    assert loaded["speaker_filter"] == "1-2, 4" and loaded["clips"] == len(manifest) and not loaded["twin"]
    assert loaded["sample_rates_hz"] == [48000]  # as the release
    # a twin ignores the filter (its speakers are made up), a filter that matches nobody says so
    assert corpora.load("ravdess", twin, verbose=False)["speaker"].nunique() == 4
    monkeypatch.setenv("MMSER_RAVDESS_SPEAKERS", "20-24")
    with pytest.raises(ValueError, match="matches none of the 4 speakers"):
        corpora.load("ravdess", real, verbose=False)
