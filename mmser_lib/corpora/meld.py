"""MELD (Multimodal EmotionLines Dataset): read the real layout, or write a twin.

Layout: ``train_sent_emo.csv``, ``dev_sent_emo.csv``, ``test_sent_emo.csv``
(columns Sr No., Utterance, Speaker, Emotion, Sentiment, Dialogue_ID,
Utterance_ID, Season, Episode, StartTime, EndTime) and media files
``dia{Dialogue_ID}_utt{Utterance_ID}.mp4`` under ``train_splits/``,
``dev_splits_complete/`` and ``output_repeated_splits_test/`` (at any depth).
The audio is the AAC track of each .mp4, decoded with PyAV.

Quirks handled here: the text is curly-quoted and, depending on the copy,
carries mojibake (Windows-1252 bytes such as ``\\x92`` read as Latin-1, or
UTF-8 read as Windows-1252: ``â€™``); a few rows have no media file (the
real train split lacks ``dia125_utt3.mp4``), which are counted and reported.
The official train / dev / test split is in the ``split`` column; dialogue
ids restart in each split, so utterance ids are prefixed by the split.

Poria et al. (2019), MELD, ACL. GPL-3.0.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from mmser_lib.corpora import twin_text
from mmser_lib.corpora.common import DATA_README, CorpusNotFoundError, SkipReport, find_files, manifest_from_rows
from mmser_lib.corpora.twin import (
    TwinClip,
    make_speakers,
    run_in_fresh_processes,
    write_speaker_clips,
)
from mmser_lib.text import repair_mojibake  # noqa: F401  (re-exported: meld.repair_mojibake)

CORPUS = "meld"
LAYOUT = "{train,dev,test}_sent_emo.csv + train_splits/, dev_splits_complete/, output_repeated_splits_test/"
EMOTIONS = {
    "anger": "angry", "disgust": "disgust", "fear": "fearful", "joy": "happy",
    "neutral": "neutral", "sadness": "sad", "surprise": "surprised",
}
SPLITS = {  # split -> (csv file, media folder)
    "train": ("train_sent_emo.csv", "train_splits"),
    "dev": ("dev_sent_emo.csv", "dev_splits_complete"),
    "test": ("test_sent_emo.csv", "output_repeated_splits_test"),
}
CSV_COLUMNS = ["Sr No.", "Utterance", "Speaker", "Emotion", "Sentiment", "Dialogue_ID", "Utterance_ID",
               "Season", "Episode", "StartTime", "EndTime"]
MAIN_CAST = {"Chandler": "male", "Joey": "male", "Ross": "male",
             "Monica": "female", "Phoebe": "female", "Rachel": "female"}
# Share of each emotion in the real train split (neutral is about 47%).
EMOTION_SHARES = {"neutral": 0.47, "joy": 0.17, "surprise": 0.12, "anger": 0.11,
                  "sadness": 0.07, "disgust": 0.03, "fear": 0.03}
SAMPLE_RATE = 48_000


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read one MELD CSV with its text repaired.

    Reads UTF-8 and falls back to Windows-1252 for copies saved that way.

    Returns
    -------
    pandas.DataFrame with the release's columns; ``Utterance`` and
    ``Speaker`` repaired by :func:`repair_mojibake`.

    Raises
    ------
    ValueError
        A column of the release is missing.
    """
    path = Path(path)
    try:
        table = pd.read_csv(path, encoding="utf-8", dtype={"Dialogue_ID": int, "Utterance_ID": int})
    except UnicodeDecodeError:
        table = pd.read_csv(path, encoding="cp1252", dtype={"Dialogue_ID": int, "Utterance_ID": int})
    missing = [c for c in CSV_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: not a MELD CSV, columns {missing} are missing (expected {CSV_COLUMNS})")
    for column in ("Utterance", "Speaker"):
        table[column] = table[column].astype(str).map(repair_mojibake).str.strip()
    return table


def _find(root: Path, name: str, want_dir: bool) -> Path | None:
    found = find_files(root, name, directories=want_dir)
    return found[0] if found else None


def load(root: str | Path, verbose: bool = True, splits: tuple[str, ...] = ("train", "dev", "test"),
         text_only: bool = False) -> pd.DataFrame:
    """Return the manifest of a MELD tree (real or twin).

    Parameters
    ----------
    root : folder holding the CSVs and the media folders, at any depth.
    splits : which official splits to read; a split whose CSV is absent is
        reported and left out.
    text_only : keep every row of the CSVs, media file or not (``path`` is
        "" where there is none): enough for models that read only the text,
        from a folder that holds nothing but the CSVs.

    Returns
    -------
    pandas.DataFrame, one row per utterance, columns ``MANIFEST_COLUMNS``;
    ``path`` is the .mp4, ``split`` the official split, ``speaker`` the
    character (``meld:Ross``), ``utterance_id`` ``{split}_dia{D}_utt{U}``
    (see :func:`dialogue_positions`). Rows with an undefined emotion, or
    (unless ``text_only``) a missing or empty media file, are skipped,
    counted and shown.
    """
    root = Path(root).expanduser()
    hint = (f"Expected the {CORPUS} layout {LAYOUT}. See {DATA_README} for how to get the corpus, "
            f"or write a synthetic twin with `mmser twin {CORPUS} DIR`.")
    if not root.is_dir():
        raise CorpusNotFoundError(f"{CORPUS}: folder {root} does not exist. {hint}")
    skipped = SkipReport(CORPUS)
    rows = []
    found_any = False
    for split in splits:
        csv_name, media_name = SPLITS[split]
        csv_path = _find(root, csv_name, want_dir=False)
        if csv_path is None:
            if verbose:
                print(f"{CORPUS}: no {csv_name} under {root}; the {split} split is left out")
            continue
        found_any = True
        media = _find(root, media_name, want_dir=True)
        table = read_csv(csv_path)
        for row in table.itertuples(index=False):
            dialogue, utterance = int(row.Dialogue_ID), int(row.Utterance_ID)
            item = f"{split}/dia{dialogue}_utt{utterance}"
            emotion = str(row.Emotion).strip().lower()
            if emotion not in EMOTIONS:
                skipped.add(f"emotion {emotion!r} is not one of {', '.join(EMOTIONS)}", item)
                continue
            path = media / f"dia{dialogue}_utt{utterance}.mp4" if media is not None else None
            problem = None
            if path is None or not path.is_file():
                problem = f"media file missing (no {media_name}/dia{{D}}_utt{{U}}.mp4)"
            elif path.stat().st_size == 0:
                problem = "empty media file (0 bytes)"
            if problem and not text_only:
                skipped.add(problem, item)
                continue
            rows.append(
                dict(
                    path="" if problem else str(path.resolve()),
                    corpus=CORPUS,
                    utterance_id=f"{split}_dia{dialogue}_utt{utterance}",
                    speaker=f"{CORPUS}:{row.Speaker}",
                    gender=MAIN_CAST.get(row.Speaker, "unknown"),
                    emotion=EMOTIONS[emotion],
                    emotion_raw=emotion,
                    text=row.Utterance,
                    sentence_id="",
                    intensity="",
                    split=split,
                )
            )
    if not found_any:
        raise CorpusNotFoundError(f"{CORPUS}: none of the CSVs {[SPLITS[s][0] for s in splits]} under {root}. {hint}")
    return manifest_from_rows(rows, skipped, verbose=verbose)


def dialogue_positions(manifest: pd.DataFrame) -> pd.DataFrame:
    """Where each MELD utterance sits in its dialogue, read from its ``utterance_id``.

    Returns
    -------
    pandas.DataFrame indexed like ``manifest``: ``dialogue`` ("{split}_dia{D}",
    unique across splits, since dialogue ids restart in each) and ``turn``
    (the utterance number within the dialogue, int).

    Raises
    ------
    ValueError
        An ``utterance_id`` is not of the form ``{split}_dia{D}_utt{U}``: the rows
        are not MELD's (only MELD's manifest says which dialogue a line belongs to).
    """
    parts = manifest["utterance_id"].astype(str).str.extract(r"^(?P<dialogue>\w+?_dia\d+)_utt(?P<turn>\d+)$")
    bad = parts["dialogue"].isna()
    if bad.any():
        example = manifest.loc[bad, "utterance_id"].iloc[0]
        raise ValueError(f"{int(bad.sum())} utterance id(s) such as {example!r} are not MELD's "
                         "'{split}_dia{D}_utt{U}': dialogue context needs the MELD manifest (mmser_lib.corpora.meld)")
    return pd.DataFrame({"dialogue": parts["dialogue"], "turn": parts["turn"].astype(int)}, index=manifest.index)


def _mojibake_variant(text: str, rng: np.random.Generator) -> str:
    """Write an apostrophe the ways MELD copies do: curly, \\x92, or â€™."""
    style = rng.choice(["curly", "c1", "utf8-as-cp1252"], p=[0.6, 0.25, 0.15])
    quote = {"curly": "\u2019", "c1": "\x92", "utf8-as-cp1252": "\u2019".encode().decode("cp1252")}[style]
    return text.replace("'", quote)


def _contract(text: str) -> str:
    for long, short in (("I am", "I'm"), ("do not", "don't"), ("you are", "you're"), ("cannot", "can't"),
                        ("it is", "it's"), ("I will", "I'll"), ("did not", "didn't"), ("That is", "That's")):
        text = text.replace(long, short)
    return text


def make_twin(
    root: str | Path,
    speakers: int = 8,
    seed: int = 0,
    dialogues: tuple[int, int, int] = (24, 4, 6),
    missing_media: int = 1,
    progress: bool = True,
) -> Path:
    """Write a MELD-shaped twin: three CSVs with MELD's quirks and real .mp4 files.

    Parameters
    ----------
    root : folder to write into.
    speakers : characters (the six main ones first, then minor characters).
    seed : the same seed writes the same corpus.
    dialogues : dialogues in train, dev and test (4-8 utterances each).
    missing_media : train rows whose .mp4 is left out, as in the real release.

    Returns
    -------
    Path of ``root``.
    """
    if not 2 <= speakers <= 20:
        raise ValueError(f"speakers must be between 2 and 20, got {speakers}")
    root = Path(root)
    rng = np.random.default_rng(seed)
    names = (list(MAIN_CAST) + ["Janice", "Carol", "Mike", "Emily", "Richard", "Gunther", "Tag", "Frank",
                                "Julie", "Kathy", "Mark", "Susan", "Paul", "Barry"])[:speakers]
    genders = [MAIN_CAST.get(n, ("female", "male")[i % 2]) for i, n in enumerate(names)]
    voices = dict(zip(names, make_speakers([f"{CORPUS}:{n}" for n in names], genders, seed)))
    raw = list(EMOTION_SHARES)
    shares = np.array(list(EMOTION_SHARES.values()))
    clips = {n: [] for n in names}
    removed = []
    for (split, (csv_name, media_name)), n_dialogues in zip(SPLITS.items(), dialogues):
        records = []
        for dialogue in range(n_dialogues):
            cast = rng.choice(names, size=min(3, len(names)), replace=False)
            season, episode = int(rng.integers(1, 11)), int(rng.integers(1, 25))
            clock = float(rng.uniform(60, 1200))
            for utterance in range(int(rng.integers(4, 9))):
                speaker = str(cast[utterance % len(cast)])
                emotion = str(rng.choice(raw, p=shares / shares.sum()))
                spoken = _contract(twin_text.line(EMOTIONS[emotion], rng))
                start, clock = clock, clock + float(rng.uniform(1.5, 4.0))
                records.append({
                    "Sr No.": len(records) + 1, "Utterance": _mojibake_variant(spoken, rng), "Speaker": speaker,
                    "Emotion": emotion, "Sentiment": _sentiment(emotion), "Dialogue_ID": dialogue,
                    "Utterance_ID": utterance, "Season": season, "Episode": episode,
                    "StartTime": _timestamp(start), "EndTime": _timestamp(clock),
                })
                path = root / media_name / f"dia{dialogue}_utt{utterance}.mp4"
                clips[speaker].append(TwinClip(path, spoken, EMOTIONS[emotion]))
        root.mkdir(parents=True, exist_ok=True)
        # As released: CRLF line ends, UTF-8, times quoted because they hold commas.
        pd.DataFrame(records, columns=CSV_COLUMNS).to_csv(root / csv_name, index=False, lineterminator="\r\n",
                                                          encoding="utf-8")
        if split == "train":
            removed = [records[int(i)] for i in rng.choice(len(records), size=missing_media, replace=False)]
    tasks = [(voices[n], clips[n], seed, SAMPLE_RATE, 1.0) for n in names if clips[n]]  # stereo, as MELD
    run_in_fresh_processes(write_speaker_clips, tasks, desc=f"{CORPUS} twin", progress=progress)
    for record in removed:
        (root / SPLITS["train"][1] / f"dia{record['Dialogue_ID']}_utt{record['Utterance_ID']}.mp4").unlink()
    (root / "TWIN.json").write_text(
        json.dumps(dict(corpus=CORPUS, speakers=speakers, seed=seed, dialogues=list(dialogues),
                        missing_media=missing_media, clips=sum(len(c) for c in clips.values())), indent=2)
    )
    return root


def _sentiment(emotion: str) -> str:
    return {"neutral": "neutral", "joy": "positive", "surprise": "positive"}.get(emotion, "negative")


def _timestamp(seconds: float) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}".replace(".", ",")
