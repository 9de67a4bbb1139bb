"""Predicting the emotion of any recording with a saved run: windows, a timeline, transcripts, your own voice.

A run was trained on short acted utterances (a few seconds each). A
recording of your own can be any format, sample rate, channel count and
length, so :func:`predict_recordings`

1. reads it with :func:`mmser_lib.audio.load_audio` (wav, flac, mp3, m4a, ...;
   mixed to mono, resampled to 16 kHz);
2. keeps it whole when, after trimming leading and trailing silence, it
   is no longer than the model's window (3 s for the frame models) plus
   one hop; otherwise cuts it into overlapping windows (3 s every 1.5 s),
   marks the windows that hold almost no speech, and averages the
   probabilities of the others: the per-window rows are the *timeline*;
3. transcribes each piece with the offline Whisper default when the run
   reads text (or uses the transcript you give);
4. for a run trained with per-speaker normalisation, z-scores the
   recording with the statistics of *its speaker*: by default the
   recording's own windows, or, with ``speaker_audio``, those plus a few
   more recordings of the same voice.

Why the last point matters: per-speaker normalisation subtracts each
speaker's mean. With one short clip, the mean *is* that clip, so every
utterance feature becomes 0 and the model sees an "average" speaker
whatever you said. A handful of other recordings of the same voice (in
different moods, ideally) gives a mean to compare the clip with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import librosa
import numpy as np
import pandas as pd

from mmser_lib.audio import SAMPLE_RATE, AudioError, audio_problem, load_audio, trim_silence
from mmser_lib.inputs import TEXT_KINDS

#: Windows with less speech than this (seconds above the silence threshold) are not averaged.
MIN_SPEECH_SECONDS = 0.3
#: Below this many clips or windows per speaker, per-speaker statistics are called unreliable.
MIN_SPEAKER_ROWS = 8
SILENCE_DB = 40.0  # quieter than the recording's peak by this much counts as silence


@dataclass
class Prediction:
    """What a run says about one recording.

    Attributes
    ----------
    path : the file, as given.
    seconds : its length.
    labels : the run's classes; ``probabilities`` has the same order, shape (n_labels,).
    predicted : the top class (a detector: its emotion when P(emotion) reaches the validation threshold).
    transcript : what Whisper heard in the whole recording ("" for an audio-only run).
    windows : one row per window (``start``, ``end`` in seconds, ``speech`` bool,
        ``predicted``, ``text`` and one probability column per label); a
        single row when the recording was not cut.
    notes : things the user should know (few speaker clips, no speech found, ...).
    """

    path: str
    seconds: float
    labels: list[str]
    probabilities: np.ndarray
    predicted: str
    transcript: str
    windows: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def windowed(self) -> bool:
        return len(self.windows) > 1

    def top(self, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most probable labels with their probabilities, best first."""
        order = np.argsort(-self.probabilities)[:k]
        return [(self.labels[i], float(self.probabilities[i])) for i in order]

    def to_dict(self, k: int = 3) -> dict:
        out = {"path": self.path, "seconds": round(self.seconds, 3), "predicted": self.predicted,
               "top": [{"emotion": e, "probability": p} for e, p in self.top(k)],
               "probabilities": dict(zip(self.labels, map(float, self.probabilities)))}
        if self.transcript:
            out["transcript"] = self.transcript
        if self.windowed:
            out["timeline"] = [{"start": float(r.start), "end": float(r.end), "speech": bool(r.speech),
                                "predicted": r.predicted, **({"text": r.text} if r.text else {}),
                                "probabilities": {label: float(getattr(r, f"p_{label}")) for label in self.labels}}
                               for r in self.windows.itertuples()]
        if self.notes:
            out["notes"] = self.notes
        return out


def window_bounds(n_samples: int, sr: int, window: float, hop: float) -> list[tuple[int, int]]:
    """Start and end samples of overlapping windows covering a recording, the last one ending at its end.

    Returns
    -------
    list of (start, end) sample indices, each ``window`` seconds long
    (the whole recording when it is shorter).
    """
    size, step = int(round(window * sr)), int(round(hop * sr))
    if n_samples <= size:
        return [(0, n_samples)]
    starts = list(range(0, n_samples - size + 1, step))
    if starts[-1] + size < n_samples:
        starts.append(n_samples - size)
    return [(s, s + size) for s in starts]


def speech_seconds(y: np.ndarray, sr: int, peak: float, top_db: float = SILENCE_DB) -> float:
    """Seconds of ``y`` whose frame RMS is within ``top_db`` of ``peak``.

    ``peak`` is the RMS of the loudest frame of the *whole* recording, so a
    window of pauses is measured against the speech around it, not against itself.
    """
    if not np.any(y) or peak <= 0:
        return 0.0
    frame, hop = 1024, 256
    rms = librosa.feature.rms(y=y, frame_length=frame, hop_length=hop, center=True)[0]
    loud = librosa.amplitude_to_db(rms, ref=peak) > -top_db
    return float(loud.sum() * hop / sr)


def _check_files(paths) -> None:
    for path in paths:
        problem = audio_problem(path)
        if problem:
            raise AudioError(f"{path}: {problem} (mmser predict reads wav, flac, ogg, mp3, m4a or mp4 audio)")


@dataclass
class _Piece:
    """A clip or window of a recording, the row the run's pipeline reads (its audio stays in memory)."""

    recording: int          # index of the recording (target or speaker audio)
    start: float
    end: float
    speech: bool
    name: str               # rec<recording>_<window>, the row's utterance id
    audio: np.ndarray       # mono float32 at 16 kHz, shape (n_samples,)
    text: str = ""


def _pieces(y: np.ndarray, recording: int, window: float, hop: float, trim_db: float) -> list[_Piece]:
    """Cut one recording into the pieces the model reads (one piece when it is short)."""
    seconds = len(y) / SAMPLE_RATE
    if len(trim_silence(y, trim_db)) / SAMPLE_RATE <= window + hop:
        bounds = [(0, len(y))]
    else:
        bounds = window_bounds(len(y), SAMPLE_RATE, window, hop)
    peak = float(librosa.feature.rms(y=y, frame_length=1024, hop_length=256).max())  # loudest frame
    pieces = []
    for i, (start, end) in enumerate(bounds):
        segment = y[start:end]
        speech = len(bounds) == 1 or speech_seconds(segment, SAMPLE_RATE, peak) >= MIN_SPEECH_SECONDS
        pieces.append(_Piece(recording, start / SAMPLE_RATE, min(end / SAMPLE_RATE, seconds), speech,
                             f"rec{recording:03d}_{i:04d}", segment))
    return pieces


def _in_memory(names: list[str], audios: list[np.ndarray], **columns) -> pd.DataFrame:
    """A manifest whose rows carry their audio (column ``audio``): nothing is written to disk or cached."""
    return pd.DataFrame({"path": names, "corpus": "other", "utterance_id": names,
                         "audio": pd.Series(audios, dtype=object), **columns})


def _transcribe(names: list[str], audios: list[np.ndarray], backend: str, model: str, progress: bool) -> list[str]:
    from mmser_lib import transcription

    manifest = _in_memory(names, audios)
    table = transcription.transcribe(manifest, backend=backend, model=model, use_cache=False,
                                     progress=progress, verbose=False)
    return [t or "" for t in table["transcript"]]


def predict_recordings(
    run,
    paths,
    text: str | None = None,
    speaker_audio=(),
    window: float | None = None,
    hop: float | None = None,
    whisper_backend: str = "faster-whisper",
    whisper_model: str = "tiny.en",
    progress: bool = False,
) -> list[Prediction]:
    """Predict the emotion of each recording in ``paths`` with a saved run.

    Parameters
    ----------
    run : a :class:`mmser_lib.runs.Run` (``runs.load_run(folder)``).
    paths : audio files of any format, sample rate, channel count and length.
    text : the transcript, for a run that reads text; None transcribes with
        Whisper (``whisper_backend``, ``whisper_model``: offline, never downloaded).
    speaker_audio : enrolment recordings of the same speaker (``mmser predict --enrol``).
        When given, a per-speaker-normalised run takes the speaker's statistics
        from these recordings **only**, never from the recordings it scores.
        Without them, each recording is normalised with its own statistics
        (the output says how little that is worth for a short clip).
    window, hop : window length and step in seconds; default the run's
        frame length (``max_seconds``, 3 s) and half of it.

    Returns
    -------
    list of :class:`Prediction`, one per path, in order.

    Raises
    ------
    AudioError
        A file is missing or not audio (the message names it).
    """
    params = run.sequence_params
    window = float(window or params.max_seconds)
    hop = float(hop or window / 2)
    if not 0 < hop <= window:
        raise ValueError(f"the hop ({hop} s) must be positive and at most the window ({window} s)")
    paths = [str(p) for p in paths]
    speaker_audio = [str(p) for p in speaker_audio]
    if "context" in run.pipeline.kinds:
        raise ValueError(f"the {run.config['model']} run reads the lines before each utterance in its MELD "
                         "dialogue; a single recording has none. Score it on MELD with `mmser evaluate RUN "
                         "--corpus meld --root DIR`")
    _check_files(paths + speaker_audio)
    needs_text = any(k in TEXT_KINDS for k in run.pipeline.kinds)
    speaker_scaled = run.config.get("scaling") == "speaker"

    whisper_needed = needs_text and text is None
    pieces, lengths, whole = [], [], {}  # whole: windowed recording -> its whole audio, for the transcript
    for r, path in enumerate(paths + (speaker_audio if speaker_scaled else [])):  # others would be unused
        y = load_audio(path, SAMPLE_RATE)
        lengths.append(len(y) / SAMPLE_RATE)
        cut = _pieces(y, r, window, hop, params.trim_db)
        pieces.extend(cut)
        if whisper_needed and r < len(paths) and len(cut) > 1:  # Whisper hears it whole for the transcript
            whole[r] = y

    transcripts = [""] * len(paths)
    if needs_text:
        if text is not None:
            for piece in pieces:
                piece.text = text
            transcripts = [text] * len(paths)
        else:  # every piece, plus the whole of each windowed recording (what it heard, shown to the user)
            heard = _transcribe([p.name for p in pieces] + [f"rec{r:03d}_whole" for r in whole],
                                [p.audio for p in pieces] + list(whole.values()), whisper_backend,
                                whisper_model, progress)
            for piece, said in zip(pieces, heard):
                piece.text = said
            whole_text = dict(zip(whole, heard[len(pieces):]))
            transcripts = [whole_text.get(r, next((p.text for p in pieces if p.recording == r), ""))
                           for r in range(len(paths))]
            for i, said in enumerate(transcripts):
                if not said.strip():
                    raise ValueError(f"{paths[i]}: Whisper heard no words, and the {run.config['model']} run "
                                     "reads text; pass the transcript with --text")

    speakers = [("you" if speaker_audio else f"recording{p.recording}") for p in pieces]
    manifest = _in_memory([p.name for p in pieces], [p.audio for p in pieces], speaker=speakers,
                          text=[p.text for p in pieces])
    enrolment = np.array([p.recording >= len(paths) for p in pieces]) if speaker_audio and speaker_scaled else None
    probabilities = run.predict_proba(manifest, progress=progress, cache=False, reference=enrolment)

    results = []
    counts = pd.Series(speakers).value_counts() if enrolment is None else pd.Series({"you": int(enrolment.sum())})
    for r, path in enumerate(paths):
        rows = [i for i, p in enumerate(pieces) if p.recording == r]
        notes = []
        speech = np.array([pieces[i].speech for i in rows])
        if not speech.any():
            notes.append("no window holds clear speech: the average is over every window")
            speech[:] = True
        chosen = np.array(rows)[speech]
        mean = probabilities[chosen].mean(axis=0)
        if speaker_scaled:
            n = int(counts[speakers[rows[0]]])
            where = "the --enrol recordings (not the one scored)" if speaker_audio else "this recording alone"
            notes.append(f"per-speaker normalisation: the speaker's statistics come from {n} "
                         f"clip(s) or window(s) of {where}")
            if n < MIN_SPEAKER_ROWS:
                notes.append(f"only {n} clip(s) or window(s) of this speaker: the run subtracts the speaker's "
                             "own mean, so with one short clip the features become 0 and the prediction says "
                             "little. Pass --enrol with about 8 more recordings of the same voice "
                             "(several moods) to estimate your statistics")
        frame = pd.DataFrame({"start": [pieces[i].start for i in rows], "end": [pieces[i].end for i in rows],
                              "speech": [pieces[i].speech for i in rows],
                              "predicted": [_label(run, probabilities[i]) for i in rows],
                              "text": [pieces[i].text for i in rows]})
        for j, label in enumerate(run.labels):
            frame[f"p_{label}"] = probabilities[rows, j]
        results.append(Prediction(path, lengths[r], list(run.labels), mean, _label(run, mean),
                                  transcripts[r], frame, notes))
    return results


def _label(run, probabilities: np.ndarray) -> str:
    return str(run.target.decide(probabilities)[0])


def timeline_text(prediction: Prediction) -> str:
    """The per-window timeline as aligned text lines: time span, top emotion, its probability."""
    lines = []
    for row in prediction.windows.itertuples():
        p = max(getattr(row, f"p_{label}") for label in prediction.labels)
        flag = "" if row.speech else "  (little speech: not averaged)"
        said = f'  "{row.text.strip()}"' if row.text.strip() else ""
        lines.append(f"  {row.start:6.1f}-{row.end:6.1f} s  {row.predicted:<10} {p:.2f}{flag}{said}")
    return "\n".join(lines)
