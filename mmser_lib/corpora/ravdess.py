"""RAVDESS speech: read the real layout, or write a twin of it.

Layout: ``Actor_XX/03-01-EE-II-SS-RR-AA.wav`` (possibly under extra top
folders), where the seven codes are modality (03 audio-only), vocal channel
(01 speech, 02 song), emotion, intensity, statement, repetition and actor.
Odd actors are male. The release is 48 kHz 16-bit; a few clips are stereo.

Livingstone & Russo (2018), PLoS ONE 13(5): e0196391. CC BY-NC-SA 4.0.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from mmser_lib.corpora.common import SkipReport, manifest_from_rows, require_corpus_root, usable_files
from mmser_lib.corpora.twin import TwinClip, make_speakers, run_in_fresh_processes, write_speaker_clips

CORPUS = "ravdess"
LAYOUT = "Actor_XX/03-01-EE-II-SS-RR-AA.wav (e.g. Actor_01/03-01-05-02-01-01-01.wav)"
EMOTIONS = {
    "01": "neutral", "02": "calm", "03": "happy", "04": "sad",
    "05": "angry", "06": "fearful", "07": "disgust", "08": "surprised",
}
INTENSITIES = {"01": "normal", "02": "strong"}
STATEMENTS = {"01": "Kids are talking by the door", "02": "Dogs are sitting by the door"}
SAMPLE_RATE = 48_000
_NAME = re.compile(r"^(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})\.wav$", re.IGNORECASE)


def parse_name(name: str) -> dict:
    """Decode a RAVDESS file name.

    Returns
    -------
    dict with modality, channel, emotion_raw, emotion, intensity, statement,
    repetition, actor (int).

    Raises
    ------
    ValueError
        The name is not ``MM-VV-EE-II-SS-RR-AA.wav`` or a code is undefined.
    """
    match = _NAME.match(name)
    if not match:
        raise ValueError("name is not MM-VV-EE-II-SS-RR-AA.wav")
    modality, channel, emotion, intensity, statement, repetition, actor = match.groups()
    if emotion not in EMOTIONS:
        raise ValueError(f"emotion code {emotion} is not one of 01-08")
    if intensity not in INTENSITIES or statement not in STATEMENTS:
        raise ValueError(f"intensity {intensity} / statement {statement} is not 01 or 02")
    if channel != "01":
        raise ValueError("vocal channel is not 01 (speech); song files are not used")
    return dict(
        modality=modality, channel=channel, emotion_raw=emotion, emotion=EMOTIONS[emotion],
        intensity=intensity, statement=statement, repetition=repetition, actor=int(actor),
    )


def load(root: str | Path, verbose: bool = True) -> pd.DataFrame:
    """Return the manifest of a RAVDESS speech tree (real or twin).

    Parameters
    ----------
    root : folder holding the ``Actor_XX`` folders, at any depth.
    verbose : print a line per kind of skipped file.

    Returns
    -------
    pandas.DataFrame, one row per utterance, columns ``MANIFEST_COLUMNS``.
    Files whose names do not parse are skipped, counted and shown by
    example; the report is in ``manifest.attrs["skipped"]``.
    """
    files = require_corpus_root(root, CORPUS, LAYOUT, "*.wav")
    skipped = SkipReport(CORPUS)
    rows = [
        dict(
            path=str(path.resolve()),
            corpus=CORPUS,
            utterance_id=path.stem,
            speaker=f"{CORPUS}:{info['actor']:02d}",
            gender="male" if info["actor"] % 2 else "female",
            emotion=info["emotion"],
            emotion_raw=info["emotion_raw"],
            text=STATEMENTS[info["statement"]],
            sentence_id=info["statement"],
            intensity=info["intensity"],
            split="",
        )
        for path, info in usable_files(files, parse_name, skipped)
    ]
    return manifest_from_rows(rows, skipped, verbose=verbose)


def make_twin(
    root: str | Path,
    speakers: int = 8,
    seed: int = 0,
    repetitions: int = 2,
    sample_rate: int = SAMPLE_RATE,
    stereo_fraction: float = 0.03,
    progress: bool = True,
) -> Path:
    """Write a RAVDESS-shaped twin spoken by eSpeak NG.

    Parameters
    ----------
    root : folder to write ``Actor_XX/03-01-...wav`` into.
    speakers : number of actors (odd ids male, even female, as in RAVDESS).
    seed : the same seed writes the same corpus, byte for byte.
    repetitions : 1 or 2 takes per sentence (RAVDESS has 2: 60 clips per actor).
    sample_rate : 48 kHz like the release.
    stereo_fraction : share of clips written as 2-channel files, a quirk of the release.

    Returns
    -------
    Path of ``root``.
    """
    if not 1 <= speakers <= 99:
        raise ValueError(f"speakers must be between 1 and 99, got {speakers}")
    root = Path(root)
    actors = list(range(1, speakers + 1))
    genders = ["male" if a % 2 else "female" for a in actors]
    voices = make_speakers([f"{CORPUS}:{a:02d}" for a in actors], genders, seed)
    tasks = []
    for actor, voice in zip(actors, voices):
        clips = []
        for code in EMOTIONS:
            for intensity in INTENSITIES:
                if code == "01" and intensity == "02":
                    continue  # RAVDESS has no strong neutral
                for statement in STATEMENTS:
                    for repetition in range(1, repetitions + 1):
                        name = f"03-01-{code}-{intensity}-{statement}-{repetition:02d}-{actor:02d}.wav"
                        clips.append(TwinClip(root / f"Actor_{actor:02d}" / name, STATEMENTS[statement],
                                              EMOTIONS[code], strength=1.0 if intensity == "01" else 1.6))
        tasks.append((voice, clips, seed, sample_rate, stereo_fraction))
    run_in_fresh_processes(write_speaker_clips, tasks, desc=f"{CORPUS} twin", progress=progress)
    (root / "TWIN.json").write_text(
        json.dumps(dict(corpus=CORPUS, speakers=speakers, seed=seed, repetitions=repetitions,
                        sample_rate=sample_rate, clips=sum(len(t[1]) for t in tasks)), indent=2)
    )
    return root
