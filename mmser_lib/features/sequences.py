"""Frame sequences of fixed length: what the Conv1D models read.

Each clip is loaded at 16 kHz, its leading and trailing silence trimmed,
zero-padded or truncated to ``max_seconds``, and turned into log-mel or MFCC
frames. The mask says which frames hold real audio.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import librosa
import numpy as np

from mmser_lib.audio import fix_length, trim_silence
from mmser_lib.features.spectral import mel_filters


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

    def cache_key_params(self) -> dict:
        """What the cached frames depend on: everything but ``kind`` (an entry holds both kinds)."""
        return {k: v for k, v in asdict(self).items() if k != "kind"}


def frames_from_audio(y: np.ndarray, params: SequenceParams) -> dict[str, np.ndarray]:
    """Log-mel and MFCC frames of one clip from one STFT (the cache stores both).

    Parameters
    ----------
    y : np.ndarray, shape (n_samples,), mono at ``params.sample_rate``.

    Returns
    -------
    dict with ``logmel`` (n_frames, n_mels), ``mfcc`` (n_frames, n_mfcc),
    both float32, and ``mask`` (n_frames,), bool, True where the frame holds audio.
    """
    y = trim_silence(y, params.trim_db)
    n_samples = int(round(params.max_seconds * params.sample_rate))
    y, n_valid = fix_length(y, n_samples)
    power = np.abs(librosa.stft(y, n_fft=params.n_fft, hop_length=params.hop_length)) ** 2
    mel = mel_filters(params.sample_rate, params.n_fft, params.n_mels) @ power
    log_mel = librosa.power_to_db(mel, ref=1.0, amin=1e-6, top_db=None)  # floor at -60 dB
    mfcc = librosa.feature.mfcc(S=log_mel, n_mfcc=params.n_mfcc)
    mask = np.arange(log_mel.shape[1]) * params.hop_length <= n_valid  # frame centre inside the audio
    return {"logmel": log_mel.T.astype(np.float32), "mfcc": mfcc.T.astype(np.float32), "mask": mask}


def sequence_from_audio(y: np.ndarray, params: SequenceParams) -> tuple[np.ndarray, np.ndarray]:
    """Frames of one clip, of the kind ``params.kind`` names.

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
    frames = frames_from_audio(y, params)
    return frames[params.kind], frames["mask"]
