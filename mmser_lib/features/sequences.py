"""Frame sequences of fixed length: what the Conv1D models read.

Each clip is loaded at 16 kHz, its leading and trailing silence trimmed,
zero-padded or truncated to ``max_seconds``, and turned into log-mel or MFCC
frames. The mask says which frames hold real audio.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import librosa
import numpy as np
import pandas as pd

from mmser_lib.audio import fix_length, load_audio, trim_silence
from mmser_lib.features.parallel import map_paths


@dataclass(frozen=True)
class SequenceParams:
    """How frame sequences are computed (saved with every run).

    kind : "logmel" (``n_mels`` bands, dB) or "mfcc" (``n_mfcc`` coefficients).
    Frames are ``hop_length / sample_rate`` seconds apart (10 ms by default),
    so ``max_seconds=3.0`` gives 301 frames.
    """

    kind: str = "logmel"
    sample_rate: int = 16_000
    n_fft: int = 512
    hop_length: int = 160
    n_mels: int = 64
    n_mfcc: int = 40
    max_seconds: float = 3.0
    trim_db: float = 40.0

    @property
    def n_frames(self) -> int:
        return int(round(self.max_seconds * self.sample_rate)) // self.hop_length + 1

    @property
    def n_features(self) -> int:
        return self.n_mels if self.kind == "logmel" else self.n_mfcc

    def to_dict(self) -> dict:
        return asdict(self)


def sequence_from_audio(y: np.ndarray, params: SequenceParams) -> tuple[np.ndarray, np.ndarray]:
    """Frames of one clip.

    Parameters
    ----------
    y : np.ndarray, shape (n_samples,), mono at ``params.sample_rate``.

    Returns
    -------
    frames : np.ndarray, shape (n_frames, n_features), float32
    mask : np.ndarray, shape (n_frames,), bool, True where the frame holds audio
    """
    if params.kind not in ("logmel", "mfcc"):
        raise ValueError(f"kind must be 'logmel' or 'mfcc', got {params.kind!r}")
    y = trim_silence(y, params.trim_db)
    n_samples = int(round(params.max_seconds * params.sample_rate))
    y, n_valid = fix_length(y, n_samples)
    mel = librosa.feature.melspectrogram(
        y=y, sr=params.sample_rate, n_fft=params.n_fft, hop_length=params.hop_length, n_mels=params.n_mels
    )
    log_mel = librosa.power_to_db(mel, ref=1.0, amin=1e-6, top_db=None)  # floor at -60 dB
    frames = log_mel if params.kind == "logmel" else librosa.feature.mfcc(S=log_mel, n_mfcc=params.n_mfcc)
    mask = np.arange(frames.shape[1]) * params.hop_length <= n_valid  # frame centre inside the audio
    return frames.T.astype(np.float32), mask


def _sequence_of_file(path: str, params: SequenceParams) -> tuple[np.ndarray, np.ndarray]:
    return sequence_from_audio(load_audio(path, params.sample_rate), params)


def extract_sequences(
    manifest: pd.DataFrame,
    params: SequenceParams | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Frame sequences of every utterance of a manifest.

    Returns
    -------
    X : np.ndarray, shape (n_utterances, n_frames, n_features), float32
    mask : np.ndarray, shape (n_utterances, n_frames), bool
    """
    params = params or SequenceParams()
    results = map_paths(_sequence_of_file, manifest["path"], params, n_jobs=n_jobs, progress=progress,
                        desc=f"{params.kind} frames")
    X = np.stack([frames for frames, _ in results])
    mask = np.stack([m for _, m in results])
    return X, mask
