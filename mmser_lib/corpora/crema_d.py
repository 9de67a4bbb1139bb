"""CREMA-D: read the real layout, or write a twin of it.

Layout: ``AudioWAV/{actor}_{sentence}_{emotion}_{level}.wav`` (16 kHz mono
16-bit), actors 1001-1091, plus ``VideoDemographics.csv`` (ActorID, Age,
Sex, Race, Ethnicity) at the top of the release. Only the sentence IEO is
spoken at three levels (LO, MD, HI); every other clip has level XX.

Cao et al. (2014), CREMA-D, IEEE Trans. Affective Computing.
Open Database License / Database Contents License.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from mmser_lib.corpora.common import SkipReport, manifest_from_rows, require_corpus_root, usable_files
from mmser_lib.corpora.twin import TwinClip, make_speakers, run_in_fresh_processes, write_speaker_clips

CORPUS = "crema_d"
LAYOUT = "AudioWAV/{actor}_{sentence}_{emotion}_{level}.wav (e.g. AudioWAV/1001_DFA_ANG_XX.wav)"
EMOTIONS = {"ANG": "angry", "DIS": "disgust", "FEA": "fearful", "HAP": "happy", "NEU": "neutral", "SAD": "sad"}
LEVELS = {"LO": "low", "MD": "medium", "HI": "high", "XX": "unspecified"}
SENTENCES = {
    "IEO": "It's eleven o'clock",
    "TIE": "That is exactly what happened",
    "IOM": "I'm on my way to the meeting",
    "IWW": "I wonder what this is about",
    "TAI": "The airplane is almost full",
    "MTI": "Maybe tomorrow it will be cold",
    "IWL": "I would like a new alarm clock",
    "ITH": "I think I have a doctor's appointment",
    "DFA": "Don't forget a jacket",
    "ITS": "I think I've seen this before",
    "TSI": "The surface is slick",
    "WSI": "We'll stop in a couple of minutes",
}
FIRST_ACTOR, LAST_ACTOR = 1001, 1091
SAMPLE_RATE = 16_000
DEMOGRAPHICS = "VideoDemographics.csv"
_NAME = re.compile(r"^(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{2})\.(?i:wav)$")


def parse_name(name: str) -> dict:
    """Decode a CREMA-D file name such as ``1001_DFA_ANG_XX.wav``.

    Returns
    -------
    dict with actor (int), sentence (code), emotion_raw (code), emotion
    (harmonised), level (code).

    Raises
    ------
    ValueError
        The name does not have the four parts, or a code is undefined.
    """
    match = _NAME.match(name)
    if not match:
        raise ValueError("name is not {actor}_{SENTENCE}_{EMOTION}_{LEVEL}.wav")
    actor, sentence, emotion, level = match.groups()
    if not FIRST_ACTOR <= int(actor) <= LAST_ACTOR:
        raise ValueError(f"actor {actor} is outside {FIRST_ACTOR}-{LAST_ACTOR}")
    if sentence not in SENTENCES:
        raise ValueError(f"sentence code {sentence} is not one of the 12 CREMA-D sentences")
    if emotion not in EMOTIONS:
        raise ValueError(f"emotion code {emotion} is not one of {', '.join(EMOTIONS)}")
    if level not in LEVELS:
        raise ValueError(f"level code {level} is not one of {', '.join(LEVELS)}")
    return dict(actor=int(actor), sentence=sentence, emotion_raw=emotion, emotion=EMOTIONS[emotion], level=level)


def read_demographics(root: str | Path) -> dict[int, str]:
    """Return actor id -> "female" / "male" from ``VideoDemographics.csv`` under ``root``.

    An empty dict when the file is absent (genders become "unknown").
    """
    found = sorted(Path(root).rglob(DEMOGRAPHICS))
    if not found:
        return {}
    table = pd.read_csv(found[0])
    return {int(a): str(s).strip().lower() for a, s in zip(table["ActorID"], table["Sex"])}


def load(root: str | Path, verbose: bool = True) -> pd.DataFrame:
    """Return the manifest of a CREMA-D tree (real or twin).

    Parameters
    ----------
    root : the release folder, holding ``AudioWAV/`` (at any depth) and
        ``VideoDemographics.csv``.
    verbose : print a line per kind of skipped file.

    Returns
    -------
    pandas.DataFrame, one row per utterance, columns ``MANIFEST_COLUMNS``.
    ``text`` is the sentence the code stands for and ``intensity`` the level
    code. Unparseable names, undefined codes and unreadable files are
    skipped, counted and shown (``manifest.attrs["skipped"]``).
    """
    files = require_corpus_root(root, CORPUS, LAYOUT, "*.wav")
    genders = read_demographics(root)
    if not genders and verbose:
        print(f"{CORPUS}: no {DEMOGRAPHICS} under {root}; genders are 'unknown' (see data/README.md)")
    skipped = SkipReport(CORPUS)
    rows = [
        dict(
            path=str(path.resolve()),
            corpus=CORPUS,
            utterance_id=path.stem,
            speaker=f"{CORPUS}:{info['actor']}",
            gender=genders.get(info["actor"], "unknown"),
            emotion=info["emotion"],
            emotion_raw=info["emotion_raw"],
            text=SENTENCES[info["sentence"]],
            sentence_id=info["sentence"],
            intensity=info["level"],
            split="",
        )
        for path, info in usable_files(files, parse_name, skipped)
    ]
    return manifest_from_rows(rows, skipped, verbose=verbose)


def clip_names(actor: int, sentences: list[str]) -> list[tuple[str, str, str]]:
    """The clips one actor records, as (file name, sentence, emotion code).

    IEO at levels LO / MD / HI for every emotion but neutral (XX), every
    other sentence at level XX: 82 clips per actor with all 12 sentences.
    """
    names = []
    for sentence in sentences:
        for emotion in EMOTIONS:
            levels = ["LO", "MD", "HI"] if sentence == "IEO" and emotion != "NEU" else ["XX"]
            names.extend((f"{actor}_{sentence}_{emotion}_{level}.wav", sentence, emotion) for level in levels)
    return names


def make_twin(
    root: str | Path,
    speakers: int = 8,
    seed: int = 0,
    sentences: int = 12,
    progress: bool = True,
) -> Path:
    """Write a CREMA-D-shaped twin spoken by eSpeak NG.

    Parameters
    ----------
    root : folder to write ``AudioWAV/`` and ``VideoDemographics.csv`` into.
    speakers : number of actors, ids from 1001 (at most 91).
    seed : the same seed writes the same corpus, byte for byte.
    sentences : how many of the 12 sentences each actor says (IEO first).

    Returns
    -------
    Path of ``root``.
    """
    if not 1 <= speakers <= LAST_ACTOR - FIRST_ACTOR + 1:
        raise ValueError(f"speakers must be between 1 and 91, got {speakers}")
    if not 1 <= sentences <= len(SENTENCES):
        raise ValueError(f"sentences must be between 1 and 12, got {sentences}")
    root = Path(root)
    rng = np.random.default_rng(seed)
    actors = list(range(FIRST_ACTOR, FIRST_ACTOR + speakers))
    genders = [("male", "female")[i % 2] for i in range(speakers)]
    voices = make_speakers([f"{CORPUS}:{a}" for a in actors], genders, seed)
    strength = {"LO": 0.6, "MD": 1.0, "HI": 1.6, "XX": 1.0}
    codes = list(SENTENCES)[:sentences]
    tasks = []
    for actor, voice in zip(actors, voices):
        clips = [
            TwinClip(root / "AudioWAV" / name, SENTENCES[sentence], EMOTIONS[emotion], strength[name[-6:-4]])
            for name, sentence, emotion in clip_names(actor, codes)
        ]
        tasks.append((voice, clips, seed, SAMPLE_RATE))
    run_in_fresh_processes(write_speaker_clips, tasks, desc=f"{CORPUS} twin", progress=progress)
    demographics = pd.DataFrame(
        dict(
            ActorID=actors,
            Age=rng.integers(20, 75, size=speakers),
            Sex=[g.capitalize() for g in genders],
            Race="Unknown",
            Ethnicity="Not Hispanic",
        )
    )
    demographics.to_csv(root / DEMOGRAPHICS, index=False, quoting=2)  # quoting=2: non-numeric, as released
    (root / "TWIN.json").write_text(
        json.dumps(dict(corpus=CORPUS, speakers=speakers, seed=seed, sentences=sentences,
                        clips=sum(len(t[1]) for t in tasks)), indent=2)
    )
    return root
