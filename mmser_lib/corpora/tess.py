"""TESS (Toronto emotional speech set): read the real layout, or write a twin.

Two actresses, OAF (aged 64) and YAF (aged 26), say "Say the word ___" for
200 target words in 7 emotions: 2,800 clips at 24,414 Hz. Folders such as
``OAF_angry/`` hold ``OAF_back_angry.wav``. Pleasant surprise is ``ps`` in
file names but its folders are spelled inconsistently
(``OAF_Pleasant_surprise``, ``YAF_pleasant_surprised``), as is the case of
other folders (``OAF_Fear``, ``YAF_fear``). Some copies nest everything in
``TESS Toronto emotional speech set data/``. The emotion is read from the
file name, so folder spellings do not matter.

With two speakers the only honest speaker-independent protocol is to train
on one and test on the other.

Dupuis & Pichora-Fuller (2010), Toronto emotional speech set (TESS),
University of Toronto. CC BY-NC-ND 4.0.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from mmser_lib.corpora.common import SkipReport, manifest_from_rows, require_corpus_root, usable_files
from mmser_lib.corpora.twin import TwinClip, TwinSpeaker, run_in_fresh_processes, write_speaker_clips

CORPUS = "tess"
LAYOUT = "{OAF,YAF}_{emotion}/{OAF,YAF}_{word}_{emotion}.wav (e.g. OAF_angry/OAF_back_angry.wav)"
EMOTIONS = {
    "angry": "angry", "disgust": "disgust", "fear": "fearful", "happy": "happy",
    "neutral": "neutral", "ps": "surprised", "sad": "sad",
}
SPEAKERS = {"OAF": "older adult female (64)", "YAF": "younger adult female (26)"}
CARRIER = "Say the word {}"
SAMPLE_RATE = 24_414
NESTED_FOLDER = "TESS Toronto emotional speech set data"
# Folder names exactly as the release spells them.
FOLDERS = {
    "OAF": {"angry": "OAF_angry", "disgust": "OAF_disgust", "fear": "OAF_Fear", "happy": "OAF_happy",
            "neutral": "OAF_neutral", "ps": "OAF_Pleasant_surprise", "sad": "OAF_Sad"},
    "YAF": {"angry": "YAF_angry", "disgust": "YAF_disgust", "fear": "YAF_fear", "happy": "YAF_happy",
            "neutral": "YAF_neutral", "ps": "YAF_pleasant_surprised", "sad": "YAF_sad"},
}
# The 200 target words (Northwestern University Auditory Test No. 6).
WORDS = """back bar base bath bean beg bite boat bone book bought burn cab calm came cause chain chair chalk
chat check cheek chief choice cool dab date dead death deep dime dip ditch dodge dog doll door fail fall far
fat fit five food gap gas gaze germ get gin goal good goose gun half hall hash hate have haze hire hit hole
home hurl hush jail jar join judge jug juice keen keep keg kick kill king kite knock late laud lean learn
lease lid life limb live loaf long lore lose lot love luck make match merge mess met mill mob mode mood moon
mop mouse nag name near neat nice note numb pad page pain pass pearl peg perch phone pick pike pole pool puff
rag raid rain raise rat reach read red ring ripe road room rose rot rough rush said sail search seize sell
shack shall shawl sheep shirt should shout size soap soup sour south sub such sure take talk tape team tell
thin third thought thumb time tip tire ton tool tough turn vine voice void vote wag walk wash week wheat when
which whip white wife wire witch yearn yes young youth""".split()
_NAME = re.compile(r"^(OAF|YAF)_(.+)_([A-Za-z]+)\.wav$", re.IGNORECASE)


def parse_name(name: str) -> dict:
    """Decode a TESS file name such as ``OAF_back_angry.wav`` or ``YAF_jail_ps.wav``.

    Returns
    -------
    dict with speaker ("OAF" / "YAF"), word, emotion_raw, emotion.

    Raises
    ------
    ValueError
        The name is not ``{OAF,YAF}_{word}_{emotion}.wav`` or the emotion is undefined.
    """
    match = _NAME.match(name)
    if not match:
        raise ValueError("name is not {OAF,YAF}_{word}_{emotion}.wav")
    speaker, word, emotion = match.groups()
    emotion = emotion.lower()
    if emotion not in EMOTIONS:
        raise ValueError(f"emotion {emotion!r} is not one of {', '.join(EMOTIONS)}")
    return dict(speaker=speaker.upper(), word=word.lower(), emotion_raw=emotion, emotion=EMOTIONS[emotion])


def load(root: str | Path, verbose: bool = True) -> pd.DataFrame:
    """Return the manifest of a TESS tree (real or twin, nested or not).

    Returns
    -------
    pandas.DataFrame, one row per utterance, columns ``MANIFEST_COLUMNS``.
    ``text`` is the carrier phrase with the word, ``sentence_id`` the word.
    """
    files = require_corpus_root(root, CORPUS, LAYOUT, "*.wav")
    skipped = SkipReport(CORPUS)
    rows = [
        dict(
            path=str(path.resolve()),
            corpus=CORPUS,
            utterance_id=path.stem,
            speaker=f"{CORPUS}:{info['speaker']}",
            gender="female",
            emotion=info["emotion"],
            emotion_raw=info["emotion_raw"],
            text=CARRIER.format(info["word"]),
            sentence_id=info["word"],
            intensity="",
            split="",
        )
        for path, info in usable_files(files, parse_name, skipped)
    ]
    return manifest_from_rows(rows, skipped, verbose=verbose)


def twin_speakers(speakers: list[str]) -> list[TwinSpeaker]:
    """The two TESS actresses as eSpeak voices: OAF lower and slower than YAF."""
    voices = {
        "OAF": TwinSpeaker(f"{CORPUS}:OAF", "female", "en-us+f2", pitch=40, pitch_range=45, rate=150, gain_db=-2),
        "YAF": TwinSpeaker(f"{CORPUS}:YAF", "female", "en-us+f4", pitch=58, pitch_range=55, rate=175, gain_db=1),
    }
    return [voices[s] for s in speakers]


def make_twin(
    root: str | Path,
    speakers: int = 2,
    seed: int = 0,
    words: int = 40,
    nested: bool = True,
    progress: bool = True,
) -> Path:
    """Write a TESS-shaped twin spoken by eSpeak NG.

    Parameters
    ----------
    root : folder to write the speaker-emotion folders into.
    speakers : 1 (OAF) or 2 (OAF and YAF); TESS has exactly two.
    words : how many of the 200 target words (the real corpus has all 200).
    nested : put everything under ``TESS Toronto emotional speech set data/``
        as some copies do.

    Returns
    -------
    Path of ``root``.
    """
    if speakers not in (1, 2):
        raise ValueError(f"TESS has two speakers; speakers must be 1 or 2, got {speakers}")
    if not 1 <= words <= len(WORDS):
        raise ValueError(f"words must be between 1 and {len(WORDS)}, got {words}")
    root = Path(root)
    top = root / NESTED_FOLDER if nested else root
    names = list(SPEAKERS)[:speakers]
    tasks = []
    for speaker, voice in zip(names, twin_speakers(names)):
        clips = [
            TwinClip(top / FOLDERS[speaker][code] / f"{speaker}_{word}_{code}.wav", CARRIER.format(word), emotion)
            for code, emotion in EMOTIONS.items()
            for word in WORDS[:words]
        ]
        tasks.append((voice, clips, seed, SAMPLE_RATE))
    run_in_fresh_processes(write_speaker_clips, tasks, desc=f"{CORPUS} twin", progress=progress)
    (root / "TWIN.json").write_text(
        json.dumps(dict(corpus=CORPUS, speakers=speakers, seed=seed, words=words, nested=nested,
                        clips=sum(len(t[1]) for t in tasks)), indent=2)
    )
    return root
