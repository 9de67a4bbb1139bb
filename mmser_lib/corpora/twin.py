"""The machinery behind every corpus twin: emotional prosody with eSpeak NG.

A twin utterance is a sentence spoken by eSpeak NG with a voice, pitch,
pitch range, speaking rate, loudness and word gap drawn from

* a **speaker** profile (base pitch, rate and recording gain of its own),
* an **emotion** profile (how that emotion shifts those settings),
* per-utterance noise large enough that emotion classes overlap,

and then placed between short silences with a little background noise.
Emotions that are close in prosody in real speech (happy / surprised,
sad / calm / neutral, angry / disgust) are close here too, so a model
makes the same kinds of confusions. Corpus modules call :func:`render`.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
from tqdm.auto import tqdm

from mmser_lib.infra.espeak import Espeak

# How each emotion moves the speaker's settings, at normal intensity:
# pitch and range are added (eSpeak 0-100 scale), rate and volume multiply,
# word_gap adds pauses (10 ms units).
EMOTION_PROFILES = {
    "neutral":   dict(pitch=0,   pitch_range=0,   rate=1.00, volume=1.00, word_gap=0),
    "calm":      dict(pitch=-5,  pitch_range=-11, rate=0.90, volume=0.85, word_gap=3),
    "happy":     dict(pitch=13,  pitch_range=22,  rate=1.10, volume=1.18, word_gap=0),
    "sad":       dict(pitch=-11, pitch_range=-20, rate=0.80, volume=0.72, word_gap=5),
    "angry":     dict(pitch=6,   pitch_range=12,  rate=1.15, volume=1.55, word_gap=0),
    "fearful":   dict(pitch=18,  pitch_range=-6,  rate=1.28, volume=0.92, word_gap=1),
    "disgust":   dict(pitch=-8,  pitch_range=10,  rate=0.82, volume=1.15, word_gap=4),
    "surprised": dict(pitch=19,  pitch_range=30,  rate=1.02, volume=1.25, word_gap=0),
    # IEMOCAP's extra categories
    "excited":    dict(pitch=15, pitch_range=18,  rate=1.18, volume=1.30, word_gap=0),
    "frustrated": dict(pitch=2,  pitch_range=4,   rate=0.95, volume=1.25, word_gap=2),
}

# Bump a corpus's number when what its twin holds changes: twins on disk are kept under a folder
# named with it, so an old twin is never read as a new one. Corpora not listed are at version 1.
# 2: paraphrased lines (twin_text) and, for IEMOCAP, scripts shared by every session.
TWIN_VERSIONS = {"meld": 2, "iemocap": 2}

# Per-utterance spread around the emotion profile (standard deviations).
UTTERANCE_NOISE = dict(pitch=5.0, pitch_range=9.0, rate=0.07, volume=0.12, word_gap=1.0)

MALE_VOICES = ("en-us+m1", "en-us+m2", "en-us+m3", "en-us+m4", "en-us+m5", "en-us+m6", "en-us+m7")
FEMALE_VOICES = ("en-us+f1", "en-us+f2", "en-us+f3", "en-us+f4", "en-us+f5")


@dataclass(frozen=True)
class TwinSpeaker:
    """A synthetic speaker: an eSpeak voice plus habits of its own."""

    speaker_id: str
    gender: str
    voice: str
    pitch: float        # base pitch, eSpeak 0-100
    pitch_range: float  # base range, eSpeak 0-100
    rate: float         # words per minute
    gain_db: float      # recording level of this speaker's sessions


def make_speakers(ids: list[str], genders: list[str], seed: int) -> list[TwinSpeaker]:
    """Draw one :class:`TwinSpeaker` per id; speaker effects are as big as emotion effects."""
    rng = np.random.default_rng(seed)
    speakers = []
    for i, (speaker_id, gender) in enumerate(zip(ids, genders)):
        voices = MALE_VOICES if gender == "male" else FEMALE_VOICES
        speakers.append(
            TwinSpeaker(
                speaker_id=speaker_id,
                gender=gender,
                voice=voices[i % len(voices)],
                pitch=float(rng.normal(50, 9)),
                pitch_range=float(rng.normal(50, 10)),
                rate=float(rng.normal(165, 18)),
                gain_db=float(rng.normal(0, 3)),
            )
        )
    return speakers


def utterance_seed(*parts: object) -> int:
    """A stable seed from the parts that identify an utterance (not Python's salted hash)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def render(
    tts: Espeak,
    text: str,
    emotion: str,
    speaker: TwinSpeaker,
    rng: np.random.Generator,
    sample_rate: int,
    strength: float = 1.0,
    lead_silence: tuple[float, float] = (0.3, 0.9),
    trail_silence: tuple[float, float] = (0.3, 0.7),
    snr_db: tuple[float, float] = (22.0, 38.0),
) -> np.ndarray:
    """Speak ``text`` as ``speaker`` feeling ``emotion``.

    Parameters
    ----------
    strength : float
        Scales the emotion's shift (1.0 normal, about 1.6 for "strong").
    lead_silence, trail_silence : (min, max) seconds of silence around speech.
    snr_db : (min, max) signal-to-noise ratio of the background noise.

    Returns
    -------
    np.ndarray, shape (n_samples,), float32 at ``sample_rate`` Hz, peak below 1.
    """
    profile = EMOTION_PROFILES[emotion]
    noise = {k: rng.normal(0.0, sd) for k, sd in UTTERANCE_NOISE.items()}
    speech = tts.speak(
        text,
        voice=speaker.voice,
        pitch=speaker.pitch + strength * profile["pitch"] + noise["pitch"],
        pitch_range=speaker.pitch_range + strength * profile["pitch_range"] + noise["pitch_range"],
        rate=speaker.rate * (1 + strength * (profile["rate"] - 1)) * (1 + noise["rate"]),
        volume=100 * (1 + strength * (profile["volume"] - 1)) * (1 + noise["volume"]),
        word_gap=strength * profile["word_gap"] + noise["word_gap"],
        seed=utterance_seed(speaker.speaker_id, text, emotion, strength),  # the voice's noise, without using rng
    )
    if sample_rate != tts.sample_rate:
        speech = soxr.resample(speech, tts.sample_rate, sample_rate, quality="HQ")
    speech = speech * 10 ** (speaker.gain_db / 20)
    lead = np.zeros(int(rng.uniform(*lead_silence) * sample_rate), dtype=np.float32)
    trail = np.zeros(int(rng.uniform(*trail_silence) * sample_rate), dtype=np.float32)
    signal = np.concatenate([lead, speech, trail])
    speech_power = float(np.mean(speech**2)) if speech.size else 1e-6
    noise_power = speech_power / 10 ** (rng.uniform(*snr_db) / 10)
    signal = signal + rng.normal(0.0, np.sqrt(noise_power), size=signal.shape)
    peak = float(np.max(np.abs(signal))) if signal.size else 0.0
    if peak > 0.98:  # avoid clipping when written as 16-bit PCM
        signal = signal * (0.98 / peak)
    return signal.astype(np.float32)


def run_in_fresh_processes(function: Callable, tasks: list[tuple], desc: str, progress: bool = True,
                           n_jobs: int | None = None) -> list:
    """Return ``[function(*task) for task in tasks]``, each task in a new process.

    eSpeak NG keeps state between utterances (its pitch-flutter phase and
    libc's ``rand()``), so the same sentence sounds slightly different
    depending on what was spoken before. Writing each speaker in a fresh
    process makes a twin byte-identical for a seed, whatever else the
    calling process did, and spreads speakers over the CPU cores.
    """
    n_jobs = n_jobs or min(len(tasks), os.cpu_count() or 1)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=context, max_tasks_per_child=1) as pool:
        futures = [pool.submit(function, *task) for task in tasks]
        for _ in tqdm(as_completed(futures), total=len(futures), desc=desc, unit="speaker", disable=not progress):
            pass
        return [f.result() for f in futures]


@dataclass(frozen=True)
class TwinClip:
    """One utterance a twin writes: where, what is said, and how it feels."""

    path: Path
    text: str
    emotion: str          # a key of EMOTION_PROFILES
    strength: float = 1.0


def write_speaker_clips(voice: TwinSpeaker, clips: list[TwinClip], seed: int, sample_rate: int,
                        stereo_fraction: float = 0.0, subtype: str = "PCM_16") -> int:
    """Write one twin speaker's clips; call it through :func:`run_in_fresh_processes`.

    ``.wav`` clips are written with soundfile, ``.mp4`` clips as real media
    files (AAC audio plus a tiny video track, like MELD's) with PyAV. Each
    clip's randomness comes from its own file name, so clips do not depend on
    each other.

    Returns
    -------
    int, the number of clips written.
    """
    tts = Espeak()
    for clip in clips:
        rng = np.random.default_rng(utterance_seed(seed, clip.path.name))
        audio = render(tts, clip.text, clip.emotion, voice, rng, sample_rate, strength=clip.strength)
        if rng.random() < stereo_fraction:
            audio = np.stack([audio, 0.9 * audio], axis=1)
        clip.path.parent.mkdir(parents=True, exist_ok=True)
        if clip.path.suffix == ".mp4":
            write_mp4(clip.path, audio, sample_rate)
        else:
            sf.write(clip.path, audio, sample_rate, subtype=subtype)
    return len(clips)


def write_mp4(path: Path, audio: np.ndarray, sample_rate: int, fps: int = 2) -> None:
    """Write ``audio`` as the AAC track of an .mp4 with a small grey video track.

    Parameters
    ----------
    audio : np.ndarray, shape (n_samples,) or (n_samples, n_channels)
    """
    import av

    channels = audio.reshape(len(audio), -1).T.astype(np.float32)  # (n_channels, n_samples)
    layout = "mono" if channels.shape[0] == 1 else "stereo"
    with av.open(str(path), "w", format="mp4") as container:
        video = container.add_stream("mpeg4", rate=fps)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        sound = container.add_stream("aac", rate=sample_rate)
        sound.layout = layout
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(channels), format="fltp", layout=layout)
        frame.sample_rate = sample_rate
        for packet in [*sound.encode(frame), *sound.encode(None)]:
            container.mux(packet)
        image = np.full((48, 64, 3), 96, dtype=np.uint8)
        for i in range(max(1, int(np.ceil(len(audio) / sample_rate * fps)))):
            picture = av.VideoFrame.from_ndarray(image, format="rgb24")
            picture.pts = i
            for packet in video.encode(picture):
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)


MONOLOGUE_SENTENCES = (
    "I got the letter this morning.", "We are moving to a new flat next month.", "The train was late again.",
    "My sister called me after lunch.", "They changed the plan at the last minute.",
    "I will tell you the whole story tonight.", "The results came out on Friday.", "Nobody told me about it.",
)


def write_monologue(path: str | Path, emotions=("neutral", "happy", "sad", "angry"), sentences_per_emotion: int = 3,
                    pause: float = 1.0, sample_rate: int = 44_100, channels: int = 2, voice: str = "en-us+m3",
                    seed: int = 0) -> list[dict]:
    """Write one long synthetic "recording" whose speaker changes emotion part by part.

    A stand-in for a recording of your own voice: ``sentences_per_emotion``
    sentences in each emotion in turn, ``pause`` seconds between sentences,
    at ``sample_rate`` Hz with ``channels`` identical channels, as a phone
    or laptop would record it.

    Returns
    -------
    list of dicts ``{"emotion", "start", "end"}``: where each part lies, in seconds.
    """
    rng = np.random.default_rng(seed)
    speaker = TwinSpeaker("you", "male" if "+m" in voice else "female", voice, pitch=50.0, pitch_range=50.0,
                          rate=165.0, gain_db=0.0)
    tts = Espeak()
    pieces, parts, position = [], [], 0.0
    gap = np.zeros(int(pause * sample_rate), dtype=np.float32)
    for emotion in emotions:
        start = position
        for _ in range(sentences_per_emotion):
            text = MONOLOGUE_SENTENCES[int(rng.integers(len(MONOLOGUE_SENTENCES)))]
            clip = render(tts, text, emotion, speaker, rng, sample_rate, lead_silence=(0.1, 0.2),
                          trail_silence=(0.1, 0.2))
            pieces += [clip, gap]
            position += (len(clip) + len(gap)) / sample_rate
        parts.append({"emotion": emotion, "start": round(start, 3), "end": round(position, 3)})
    signal = np.concatenate(pieces)
    signal += rng.normal(0, 3e-4, signal.shape).astype(np.float32)  # the room between sentences
    sf.write(path, np.stack([signal] * channels, axis=1) if channels > 1 else signal, sample_rate)
    return parts
