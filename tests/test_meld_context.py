"""MELD in context: text models trained and scored from the CSVs alone, reading the lines before each utterance."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from mmser_lib import cli, corpora, predict, runs, splits, text
from mmser_lib.corpora import meld


@pytest.fixture(scope="module")
def meld_twin(tmp_path_factory):
    return corpora.make_twin("meld", tmp_path_factory.mktemp("meld") / "meld", speakers=4, dialogues=(8, 3, 3),
                             seed=5, progress=False)


def csv_folder(twin, folder, names):
    """A folder holding only some of the twin's CSVs (no media at all)."""
    folder.mkdir(parents=True)
    for name in names:
        shutil.copy(next(twin.rglob(name)), folder / name)
    return folder


def test_dialogue_context_holds_only_the_preceding_lines_with_speaker_flags():
    vectors = np.arange(1, 6, dtype=np.float32)[:, None] * np.ones((5, 3), np.float32)  # row i is all i + 1
    # two dialogues given out of order: d1 = rows 3, 0, 1 (turns 0, 1, 2), d2 = rows 4, 2
    context = text.dialogue_context(vectors, ["d1", "d1", "d2", "d1", "d2"], [1, 2, 1, 0, 0],
                                     ["A", "B", "C", "A", "C"], turns=2)
    assert context.shape == (5, 3, 5)
    # row 1 (turn 2 of d1, said by B): rows 3 (A) and 0 (A) before it, then itself
    np.testing.assert_array_equal(context[1, :, 0], [4, 1, 2])
    np.testing.assert_array_equal(context[1, :, 3], [0, 0, 1])  # same speaker as B: only itself
    np.testing.assert_array_equal(context[1, :, 4], [0, 0, 1])  # "this line" flag
    # row 3 opens d1: two padded steps, then itself
    np.testing.assert_array_equal(context[3, :, 0], [0, 0, 4])
    np.testing.assert_array_equal(context[3, :2], 0)
    # row 2 (turn 1 of d2, said by C after C): one step before it, same speaker
    np.testing.assert_array_equal(context[2, :, 0], [0, 5, 3])
    np.testing.assert_array_equal(context[2, 1:, 3], [1, 1])


def test_text_only_loading_keeps_every_csv_row_without_media(meld_twin, tmp_path):
    folder = csv_folder(meld_twin, tmp_path / "csvs", ["train_sent_emo.csv", "dev_sent_emo.csv"])
    with pytest.raises(corpora.CorpusNotFoundError):
        corpora.load("meld", tmp_path / "nowhere")
    text_only = corpora.load("meld", folder, verbose=False, text_only=True)
    csv_rows = sum(len(meld.read_csv(folder / name)) for name in ("train_sent_emo.csv", "dev_sent_emo.csv"))
    assert len(text_only) == csv_rows > 0 and (text_only["path"] == "").all()
    # the twin, like the real release, lacks a media file or two: those rows are kept only in text_only mode
    with_media = corpora.load("meld", meld_twin, verbose=False)
    with_media = with_media[with_media["split"].isin(["train", "dev"])]
    assert set(with_media["utterance_id"]) < set(text_only["utterance_id"])
    with pytest.raises(corpora.CorpusNotFoundError, match="media file missing"):  # audio models need the media
        corpora.load("meld", folder, verbose=False)


def test_meld_split_validates_on_whole_dialogues_of_train_and_never_uses_dev(meld_twin):
    manifest = corpora.load("meld", meld_twin, verbose=False)
    split = splits.meld_split(manifest, val_size=0.25, seed=0)
    assert set(split[manifest["split"] != "train"]) == {"unused"}
    dialogues = meld.dialogue_positions(manifest)["dialogue"]
    sides = pd.DataFrame({"dialogue": dialogues, "side": split})[split != "unused"].groupby("dialogue")["side"]
    assert (sides.nunique() == 1).all() and set(split) == {"train", "val", "unused"}
    with pytest.raises(ValueError, match="train_sent_emo.csv"):
        splits.meld_split(manifest[manifest["split"] == "dev"])


def test_context_is_used_when_only_the_previous_line_tells_the_emotion():
    """Every line to classify is "Okay." and its label follows the line before it: only context can tell."""
    cues = {"happy": "I just won the lottery, this is the best day ever!",
            "sad": "My grandmother passed away this morning.",
            "angry": "You lied to me again and I am furious with you!"}
    rows = []
    for d in range(60):
        emotion = list(cues)[d % 3]
        for turn, (line, speaker, label) in enumerate([(cues[emotion], "Ross", emotion), ("Okay.", "Rachel", emotion)]):
            rows.append(dict(path="", corpus="meld", utterance_id=f"train_dia{d}_utt{turn}", speaker=f"meld:{speaker}",
                             gender="unknown", emotion=label, emotion_raw=label, text=line, sentence_id="",
                             intensity="", split="train"))
    manifest = pd.DataFrame(rows)
    split = splits.meld_split(manifest, val_size=0.3, seed=0)
    run = runs.train(manifest, "text_in_context", split=split, epochs=40, patience=40, progress=False)
    okay = manifest[(manifest["text"] == "Okay.") & (split == "val").to_numpy()]
    # the "Okay." rows of validation dialogues, scored with the lines before them (their whole dialogues)
    scored = manifest[manifest["utterance_id"].str.split("_utt").str[0].isin(
        okay["utterance_id"].str.split("_utt").str[0])]
    probabilities = run.predict_proba(scored, progress=False)
    predicted = np.array(run.labels)[probabilities.argmax(axis=1)]
    is_okay = (scored["text"] == "Okay.").to_numpy()
    assert (predicted[is_okay] == scored["emotion"].to_numpy()[is_okay]).mean() >= 0.9
    assert run.config["history"]["monitor"] == "val_weighted_f1"


def test_cli_trains_on_two_csvs_and_evaluates_on_one(meld_twin, tmp_path, capsys):
    train_dev = csv_folder(meld_twin, tmp_path / "train_dev", ["train_sent_emo.csv", "dev_sent_emo.csv"])
    dev_only = csv_folder(meld_twin, tmp_path / "dev_only", ["dev_sent_emo.csv"])
    out = tmp_path / "run"
    assert cli.main(["train", "--corpus", "meld", "--root", str(train_dev), "--model", "text_in_context",
                     "--out", str(out), "--epochs", "3", "--patience", "2"]) == 0
    printed = capsys.readouterr().out
    assert "official train split" in printed and "validation weighted F1" in printed
    assert cli.main(["evaluate", str(out), "--corpus", "meld", "--root", str(dev_only),
                     "--json", str(tmp_path / "dev.json")]) == 0
    printed = capsys.readouterr().out
    metrics = json.loads((tmp_path / "dev.json").read_text())
    n_dev = len(corpora.load("meld", dev_only, verbose=False, text_only=True))
    assert metrics["n"] == n_dev and metrics["official_splits"] == ["dev"] and "weighted F1" in printed
    assert "train CSV" not in printed  # dev only: nothing the run was fitted on
    # a single recording has no dialogue: a clear error, not a crash deep in the stack
    with pytest.raises(ValueError, match="mmser evaluate"):
        predict.predict_recordings(runs.load_run(out), [str(tmp_path / "any.wav")])
