"""Utterance-level statistics: one fixed-length vector per clip.

MFCC means and standard deviations (with deltas) plus a few spectral and
energy descriptors, all computed from one STFT. These feed the MLP-style
models and the exploratory plots; the Conv1D models read frame sequences.
"""

from __future__ import annotations

import librosa
import numpy as np
import pandas as pd

from mmser_lib.audio import SAMPLE_RATE, load_audio, trim_silence
from mmser_lib.features.parallel import map_paths

N_MFCC = 40
N_FFT = 512
HOP = 160


def statistics_from_audio(y: np.ndarray, sr: int = SAMPLE_RATE) -> dict[str, float]:
    """Summary statistics of one clip.

    Parameters
    ----------
    y : np.ndarray, shape (n_samples,)

    Returns
    -------
    dict of 2 * (2 * N_MFCC + 4) + 1 = 169 named floats: mean and std of
    each MFCC and delta-MFCC, RMS, zero-crossing rate, spectral centroid and
    rolloff, plus the trimmed duration in seconds. A silent clip gives
    zeros, never NaN.
    """
    y = trim_silence(y)
    min_samples = sr // 10  # 0.1 s: enough frames for the 9-frame delta window
    if len(y) < min_samples:
        y = np.pad(y, (0, min_samples - len(y)))
    power = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP)) ** 2
    mel = librosa.feature.melspectrogram(S=power, sr=sr, n_mels=64)
    mfcc = librosa.feature.mfcc(S=librosa.power_to_db(mel, amin=1e-6), n_mfcc=N_MFCC)
    delta = librosa.feature.delta(mfcc, width=9)
    tracks = {f"mfcc{i + 1}": mfcc[i] for i in range(N_MFCC)}
    tracks |= {f"dmfcc{i + 1}": delta[i] for i in range(N_MFCC)}
    tracks["rms"] = librosa.feature.rms(S=np.sqrt(power), frame_length=N_FFT)[0]
    tracks["zcr"] = librosa.feature.zero_crossing_rate(y, frame_length=N_FFT, hop_length=HOP)[0]
    tracks["centroid"] = librosa.feature.spectral_centroid(S=np.sqrt(power), sr=sr)[0]
    tracks["rolloff"] = librosa.feature.spectral_rolloff(S=np.sqrt(power), sr=sr)[0]
    stats = {}
    for name, track in tracks.items():
        stats[f"{name}_mean"] = float(np.mean(track))
        stats[f"{name}_std"] = float(np.std(track))
    stats["duration_s"] = len(y) / sr
    return {k: (0.0 if not np.isfinite(v) else v) for k, v in stats.items()}


def _statistics_of_file(path: str) -> dict[str, float]:
    return statistics_from_audio(load_audio(path, SAMPLE_RATE), SAMPLE_RATE)


def extract_statistics(manifest: pd.DataFrame, n_jobs: int | None = None, progress: bool = True) -> pd.DataFrame:
    """Utterance statistics of every row of a manifest.

    Returns
    -------
    pandas.DataFrame, shape (n_utterances, 169), indexed like ``manifest``.
    """
    rows = map_paths(_statistics_of_file, manifest["path"], n_jobs=n_jobs, progress=progress, desc="statistics")
    return pd.DataFrame(rows, index=manifest.index)
