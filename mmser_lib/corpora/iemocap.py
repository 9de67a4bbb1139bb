"""IEMOCAP: read the real layout, or write a twin of it.

Layout (``IEMOCAP_full_release/`` at any depth)::

    Session{1-5}/sentences/wav/{dialog}/{utterance}.wav          16 kHz mono
    Session{1-5}/dialog/EmoEvaluation/{dialog}.txt                labels
    Session{1-5}/dialog/transcriptions/{dialog}.txt               transcripts

An EmoEvaluation line reads
``[6.2901 - 8.2357]<TAB>Ses01F_impro01_F000<TAB>neu<TAB>[2.5000, 2.5000, 2.5000]``
(start, end, utterance, majority label, valence / activation / dominance),
followed by the individual annotators' lines, which are not used. A
transcription line reads ``Ses01F_impro01_F000 [006.2901-008.2357]: Excuse me.``
Labels: neu hap sad ang exc fru sur fea dis, ``oth`` (other) and ``xxx`` (no
majority among the annotators). The speaker is the session plus the gender
letter of the utterance id's last part (``Ses01F_impro01_M003`` is Ses01M).
The official protocol is leave-one-session-out; ``split`` is ``Session1`` ...

Busso et al. (2008), IEMOCAP, Language Resources and Evaluation.
Licence-restricted (release form from USC SAIL): only the twin ships.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from mmser_lib.audio import audio_problem
from mmser_lib.corpora import twin_text
from mmser_lib.corpora.common import DATA_README, CorpusNotFoundError, SkipReport, find_files, manifest_from_rows
from mmser_lib.corpora.twin import TwinClip, make_speakers, run_in_fresh_processes, write_speaker_clips

CORPUS = "iemocap"
LAYOUT = ("Session{1-5}/sentences/wav/{dialog}/{utt}.wav with Session*/dialog/EmoEvaluation/{dialog}.txt "
          "and Session*/dialog/transcriptions/{dialog}.txt")
EMOTIONS = {
    "neu": "neutral", "hap": "happy", "sad": "sad", "ang": "angry", "exc": "excited",
    "fru": "frustrated", "sur": "surprised", "fea": "fearful", "dis": "disgust",
}
UNLABELLED = {"xxx": "no majority among the annotators", "oth": "labelled 'other'"}
# Label shares in the real corpus, roughly (xxx is about a quarter).
LABEL_SHARES = {"xxx": 0.24, "fru": 0.18, "neu": 0.17, "ang": 0.11, "sad": 0.11, "exc": 0.10,
                "hap": 0.06, "sur": 0.01, "fea": 0.01, "dis": 0.005, "oth": 0.005}
SAMPLE_RATE = 16_000
_LABEL_LINE = re.compile(r"^\[(\d+(?:\.\d+)?) - (\d+(?:\.\d+)?)\]\t(\S+)\t(\S+)\t\[")
_TRANSCRIPT_LINE = re.compile(r"^(Ses\d{2}[FM]_\S+_[FM]\d{3}) \[[\d.]+-[\d.]+\]: ?(.*)$")
_UTTERANCE = re.compile(r"^Ses(\d{2})[FM]_.+_([FM])\d{3}$")


def read_labels(path: str | Path) -> dict[str, tuple[float, float, str]]:
    """Return utterance id -> (start, end, label code) from one EmoEvaluation file."""
    labels = {}
    for line in Path(path).read_text(errors="replace").splitlines():
        match = _LABEL_LINE.match(line)
        if match:
            start, end, utterance, code = match.groups()
            labels[utterance] = (float(start), float(end), code.lower())
    return labels


def read_transcripts(path: str | Path) -> dict[str, str]:
    """Return utterance id -> transcript from one transcriptions file (other lines are ignored)."""
    texts = {}
    if Path(path).is_file():
        for line in Path(path).read_text(errors="replace").splitlines():
            match = _TRANSCRIPT_LINE.match(line.strip())
            if match:
                texts[match.group(1)] = match.group(2).strip()
    return texts


def speaker_of(utterance_id: str) -> tuple[str, str]:
    """``Ses01F_impro01_M003`` -> (``"Ses01M"``, ``"male"``)."""
    match = _UTTERANCE.match(utterance_id)
    if not match:
        raise ValueError(f"utterance id {utterance_id!r} is not Ses##X_..._X###")
    session, letter = match.groups()
    return f"Ses{session}{letter}", "female" if letter == "F" else "male"


def load(root: str | Path, verbose: bool = True, keep_unlabelled: bool = False) -> pd.DataFrame:
    """Return the manifest of an IEMOCAP tree (real or twin).

    Parameters
    ----------
    root : folder holding ``Session1`` ... ``Session5`` (at any depth).
    keep_unlabelled : keep ``xxx`` and ``oth`` utterances (emotion
        ``"unlabelled"`` / ``"other"``); by default they are skipped and counted.

    Returns
    -------
    pandas.DataFrame, one row per labelled utterance, columns
    ``MANIFEST_COLUMNS``; ``split`` is the session, ``text`` the transcript,
    ``sentence_id`` the dialog (scripted dialogs share their lines across
    sessions). Use :func:`mmser_lib.emotions.four_class` for the usual
    4-class protocol.
    """
    root = Path(root).expanduser()
    hint = (f"Expected the {CORPUS} layout {LAYOUT}. See {DATA_README} for how to get the corpus, "
            f"or write a synthetic twin with `mmser twin {CORPUS} DIR`.")
    if not root.is_dir():
        raise CorpusNotFoundError(f"{CORPUS}: folder {root} does not exist. {hint}")
    sessions = [p for p in find_files(root, "Session[1-5]", directories=True)
                if (p / "dialog" / "EmoEvaluation").is_dir()]
    if not sessions:
        raise CorpusNotFoundError(f"{CORPUS}: no Session*/dialog/EmoEvaluation folder under {root}. {hint}")
    skipped = SkipReport(CORPUS)
    rows = []
    for session in sessions:
        for label_file in sorted((session / "dialog" / "EmoEvaluation").glob("*.txt")):
            dialog = label_file.stem
            if dialog.startswith("._"):  # macOS resource forks in some copies
                skipped.add("macOS resource file", label_file)
                continue
            texts = read_transcripts(session / "dialog" / "transcriptions" / label_file.name)
            for utterance, (_start, _end, code) in read_labels(label_file).items():
                wav = session / "sentences" / "wav" / dialog / f"{utterance}.wav"
                if code in UNLABELLED and not keep_unlabelled:
                    skipped.add(f"label {code} ({UNLABELLED[code]})", wav)
                    continue
                if code not in EMOTIONS and code not in UNLABELLED:
                    skipped.add(f"label code {code!r} is not one of {', '.join([*EMOTIONS, *UNLABELLED])}", wav)
                    continue
                try:
                    speaker, gender = speaker_of(utterance)
                except ValueError as err:
                    skipped.add(str(err), wav)
                    continue
                problem = audio_problem(wav)
                if problem:
                    skipped.add(problem, wav)
                    continue
                rows.append(
                    dict(
                        path=str(wav.resolve()),
                        corpus=CORPUS,
                        utterance_id=utterance,
                        speaker=f"{CORPUS}:{speaker}",
                        gender=gender,
                        emotion=EMOTIONS.get(code, "unlabelled" if code == "xxx" else "other"),
                        emotion_raw=code,
                        text=texts.get(utterance, ""),
                        sentence_id=dialog.split("_", 1)[1],
                        intensity="",
                        split=session.name,
                    )
                )
    return manifest_from_rows(rows, skipped, verbose=verbose)


def make_twin(
    root: str | Path,
    speakers: int = 10,
    seed: int = 0,
    dialogs: int = 2,
    turns: int = 16,
    progress: bool = True,
) -> Path:
    """Write an IEMOCAP-shaped twin under ``root/IEMOCAP_full_release``.

    Parameters
    ----------
    speakers : an even number from 2 to 10: one female and one male actor per session.
    dialogs : dialogs per session (alternately improvised and scripted).
    turns : utterances per dialog, alternating between the two actors.

    Improvised dialogs say new paraphrased lines (:mod:`twin_text`). A
    scripted dialog ``script{n}_1`` says the same lines in every session, as
    the real actors read the same scripts; its labels follow the script's
    intended emotion for about 70% of the lines and vary by performance
    otherwise, so the same line can carry different labels in two sessions.

    Returns
    -------
    Path of ``root``.
    """
    if speakers % 2 or not 2 <= speakers <= 10:
        raise ValueError(f"speakers must be 2, 4, 6, 8 or 10 (two per session), got {speakers}")
    root = Path(root)
    release = root / "IEMOCAP_full_release"
    rng = np.random.default_rng(seed)
    codes, shares = list(LABEL_SHARES), np.array(list(LABEL_SHARES.values()))
    labelled = [c for c in codes if c in EMOTIONS]
    labelled_shares = np.array([LABEL_SHARES[c] for c in labelled]) / sum(LABEL_SHARES[c] for c in labelled)
    ids = [f"Ses{s:02d}{g}" for s in range(1, speakers // 2 + 1) for g in "FM"]
    voices = dict(zip(ids, make_speakers([f"{CORPUS}:{i}" for i in ids], ["female", "male"] * (speakers // 2), seed)))
    clips = {i: [] for i in ids}
    for s in range(1, speakers // 2 + 1):
        session = release / f"Session{s}"
        for d in range(dialogs):
            number, scripted = d // 2 + 1, d % 2 == 1
            kind = f"script{number:02d}_1" if scripted else f"impro{number:02d}"
            dialog = f"Ses{s:02d}{'FM'[d % 2]}_{kind}"
            if scripted:  # the same script in every session: its intended labels and its lines
                plan = np.random.default_rng([seed, number])
                intended = [str(plan.choice(labelled, p=labelled_shares)) for _ in range(turns)]
                lines = twin_text.script([EMOTIONS[c] for c in intended], seed=[seed, number, 1])
            labels = ["% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]", ""]
            transcript = []
            clock = float(rng.uniform(2, 8))
            counters = {"F": 0, "M": 0}
            for turn in range(turns):
                letter = "FM"[turn % 2]
                utterance = f"{dialog}_{letter}{counters[letter]:03d}"
                counters[letter] += 1
                code = str(rng.choice(codes, p=shares / shares.sum()))
                if scripted and rng.random() < 0.7:
                    code = intended[turn]
                felt = EMOTIONS.get(code) or str(rng.choice(["neutral", "frustrated", "happy", "sad"]))
                text = lines[turn] if scripted else twin_text.line(felt, rng)
                start, clock = clock, clock + float(rng.uniform(1.5, 4.5))
                vad = ", ".join(f"{v:.4f}" for v in rng.uniform(1.5, 4.5, size=3))
                labels += [f"[{start:.4f} - {clock:.4f}]\t{utterance}\t{code}\t[{vad}]",
                           f"C-E1:\t{felt.capitalize()};\t()", f"C-E2:\t{felt.capitalize()};\t()",
                           "A-E1:\tval 3; act 3; dom  3;\t()", ""]
                transcript.append(f"{utterance} [{start:08.4f}-{clock:08.4f}]: {text}.")
                if turn == turns // 2:  # a non-utterance line, as in the real files
                    transcript.append(f"{dialog}_{letter}XX0 [{clock:08.4f}-{clock + 0.5:08.4f}]: [LAUGHTER]")
                wav = session / "sentences" / "wav" / dialog / f"{utterance}.wav"
                clips[f"Ses{s:02d}{letter}"].append(TwinClip(wav, text, felt))
                clock += float(rng.uniform(0.2, 1.0))
            for folder, lines in (("EmoEvaluation", labels), ("transcriptions", transcript)):
                (session / "dialog" / folder).mkdir(parents=True, exist_ok=True)
                (session / "dialog" / folder / f"{dialog}.txt").write_text("\n".join(lines) + "\n")
    tasks = [(voices[i], clips[i], seed, SAMPLE_RATE) for i in ids]
    run_in_fresh_processes(write_speaker_clips, tasks, desc=f"{CORPUS} twin", progress=progress)
    (root / "TWIN.json").write_text(
        json.dumps(dict(corpus=CORPUS, speakers=speakers, seed=seed, dialogs=dialogs, turns=turns,
                        clips=sum(len(c) for c in clips.values())), indent=2)
    )
    return root
