"""Spectral statistics of one clip, all from one shared STFT.

MFCC (with deltas), chroma, spectral centroid / bandwidth / rolloff /
contrast, zero-crossing rate and RMS: each a track of frames, summarised by
its mean and standard deviation. The seeds called ``librosa.feature.*`` once
per feature on the waveform, which recomputes the same STFT six times; here
it is computed once and handed to every feature as ``S=``.

Only the STFT bins from ``min_frequency`` to ``max_frequency`` (50 Hz - 7 kHz)
are read: what lies outside depends on how the file was saved, not on the
speech (see :func:`mmser_lib.audio.band_passed`). Spectral contrast's bands
are therefore 50-100 Hz, then octaves from 100 Hz up to 6.4-7 kHz, and the
mel bands of the MFCCs end at 7 kHz.
"""

from __future__ import annotations

from functools import lru_cache

import librosa
import numpy as np

N_CHROMA = 12
N_CONTRAST_BANDS = 6  # librosa gives n_bands + 1 rows


@lru_cache(maxsize=8)
def mel_filters(sr: int, n_fft: int, n_mels: int, fmax: float | None = None) -> np.ndarray:
    """librosa's mel filterbank up to ``fmax`` (default ``sr / 2``), shape (n_mels, 1 + n_fft // 2), built once."""
    return librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmax=fmax)


@lru_cache(maxsize=8)
def chroma_filters(sr: int, n_fft: int, fmax: float | None = None) -> np.ndarray:
    """librosa's chroma filterbank without the bins above ``fmax``, shape (12, 1 + n_fft // 2), built once."""
    filters = librosa.filters.chroma(sr=sr, n_fft=n_fft, n_chroma=N_CHROMA)
    if fmax is not None:
        filters[:, librosa.fft_frequencies(sr=sr, n_fft=n_fft) > fmax] = 0.0
    return filters


def spectral_tracks(y: np.ndarray, sr: int, n_fft: int = 1024, hop_length: int = 160, n_mels: int = 64,
                    n_mfcc: int = 40, min_frequency: float = 50.0,
                    max_frequency: float | None = 7_000.0) -> dict[str, np.ndarray]:
    """Frame-level spectral tracks of one clip.

    Parameters
    ----------
    y : np.ndarray, shape (n_samples,), mono.
    n_fft, hop_length : one STFT for every feature (1024 / 160 at 16 kHz:
        64 ms windows every 10 ms; chroma needs the longer window).
    min_frequency, max_frequency : the band the spectral shape tracks (contrast, centroid,
        bandwidth, roll-off) read, in Hz; the mel bands end at ``max_frequency`` (None: ``sr / 2``).

    Returns
    -------
    dict name -> np.ndarray, shape (n_frames,): ``mfcc1..40``,
    ``dmfcc1..40`` (deltas), ``chroma1..12``, ``centroid``, ``bandwidth``,
    ``rolloff``, ``contrast1..7``, ``zcr``, ``rms``.
    """
    magnitude = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop_length))
    power = magnitude**2
    frequencies = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    in_band = (frequencies >= min_frequency) & (frequencies <= (max_frequency or sr / 2))
    band, band_frequencies = magnitude[in_band], frequencies[in_band]
    mel = mel_filters(sr, n_fft, n_mels, max_frequency) @ power  # what melspectrogram(S=power, fmax=...) computes
    mfcc = librosa.feature.mfcc(S=librosa.power_to_db(mel, amin=1e-10), n_mfcc=n_mfcc)
    width = min(9, mfcc.shape[1] - (1 - mfcc.shape[1] % 2))  # delta needs an odd width <= n_frames
    delta = librosa.feature.delta(mfcc, width=width) if width >= 3 else np.zeros_like(mfcc)
    # = chroma_stft(S=power, tuning=0): speech has no tuning reference, and estimating one per clip
    # costs more than the rest of chroma
    chroma = librosa.util.normalize(chroma_filters(sr, n_fft, max_frequency) @ power, norm=np.inf, axis=0)
    # below 100 Hz, then octaves from 100 Hz; the last band runs from 6.4 kHz to the last bin read
    contrast = librosa.feature.spectral_contrast(S=band, sr=sr, freq=band_frequencies, n_bands=N_CONTRAST_BANDS,
                                                 fmin=100.0)
    tracks = {f"mfcc{i + 1}": mfcc[i] for i in range(n_mfcc)}
    tracks |= {f"dmfcc{i + 1}": delta[i] for i in range(n_mfcc)}
    tracks |= {f"chroma{i + 1}": chroma[i] for i in range(N_CHROMA)}
    tracks["centroid"] = librosa.feature.spectral_centroid(S=band, freq=band_frequencies)[0]
    tracks["bandwidth"] = librosa.feature.spectral_bandwidth(S=band, freq=band_frequencies)[0]
    tracks["rolloff"] = librosa.feature.spectral_rolloff(S=band, freq=band_frequencies)[0]
    tracks |= {f"contrast{i + 1}": contrast[i] for i in range(contrast.shape[0])}
    tracks["zcr"] = librosa.feature.zero_crossing_rate(y, frame_length=n_fft, hop_length=hop_length)[0]
    tracks["rms"] = librosa.feature.rms(S=magnitude, frame_length=n_fft)[0]
    return tracks


def spectral_statistics(y: np.ndarray, sr: int, **stft_options) -> dict[str, float]:
    """Mean and standard deviation of every track of :func:`spectral_tracks`.

    Returns
    -------
    dict of 2 x 104 = 208 floats named ``{track}_mean`` / ``{track}_std``
    (with 40 MFCCs); a silent clip gives finite values.
    """
    stats = {}
    for name, track in spectral_tracks(y, sr, **stft_options).items():
        stats[f"{name}_mean"] = float(np.mean(track))
        stats[f"{name}_std"] = float(np.std(track))
    return stats
