"""Reading audio: load, mix to mono, resample, trim, pad.

Every corpus is read through :func:`load_audio`, so a clip recorded at
48 kHz stereo and one at 16 kHz mono come out the same way: a float32 mono
array at the sample rate asked for. wav / flac / ogg / mp3 are read with
libsndfile (soundfile); media containers such as MELD's ``.mp4`` or a phone's
``.m4a`` are decoded with FFmpeg's libraries through PyAV, so no ``ffmpeg``
program is needed.
"""

from __future__ import annotations

import functools
from pathlib import Path

import librosa
import numpy as np
import scipy.fft
import soundfile as sf
import soxr

SAMPLE_RATE = 16_000

# Containers libsndfile cannot read; they go straight to PyAV.
CONTAINER_SUFFIXES = {".mp4", ".m4a", ".mov", ".mkv", ".webm", ".aac"}


class AudioError(ValueError):
    """A file that should hold audio cannot be used; the message says why."""


def load_audio(path: str | Path, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Read an audio file as mono float32 at ``sr`` Hz.

    Parameters
    ----------
    path : str or Path
        A wav / flac / ogg / mp3 file (libsndfile), or a media container
        with an audio track (.mp4, .m4a, ...; decoded with PyAV).
    sr : int
        Target sample rate in Hz.

    Returns
    -------
    np.ndarray, shape (n_samples,), float32 in [-1, 1]

    Raises
    ------
    AudioError
        The file is missing, empty, holds no samples, or is not audio.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: the file is empty (0 bytes)")
    if path.suffix.lower() in CONTAINER_SUFFIXES:
        data, native_sr = _decode_with_pyav(path)
    else:
        try:
            data, native_sr = sf.read(str(path), dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError, TypeError) as err:
            raise AudioError(f"{path}: not readable as audio ({err})") from err
    if data.shape[0] == 0:
        raise AudioError(f"{path}: the header is valid but it holds no samples")
    y = data.mean(axis=1)  # (n_samples, n_channels) -> mono
    if native_sr != sr:
        y = soxr.resample(y, native_sr, sr, quality="HQ")
    return np.ascontiguousarray(y, dtype=np.float32)


def source_audio(source: str | Path | np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """The audio of one manifest row: read from its file, or taken from memory.

    Parameters
    ----------
    source : a path (read with :func:`load_audio`), or an array already in
        memory, mono float at :data:`SAMPLE_RATE` (a manifest's optional
        ``audio`` column: :func:`mmser_lib.predict.predict_recordings` passes
        the windows of a recording this way instead of writing files).
    sr : the sample rate wanted.

    Returns
    -------
    np.ndarray, shape (n_samples,), float32
    """
    if isinstance(source, np.ndarray):
        if source.ndim != 1:
            raise AudioError(f"in-memory audio must be mono, shape (n_samples,); got shape {source.shape}")
        y = source if sr == SAMPLE_RATE else soxr.resample(source, SAMPLE_RATE, sr, quality="HQ")
        return np.ascontiguousarray(y, dtype=np.float32)
    return load_audio(source, sr)


def _decode_with_pyav(path: Path) -> tuple[np.ndarray, int]:
    """Decode the first audio track of a media file.

    Returns
    -------
    data : np.ndarray, shape (n_samples, n_channels), float32
    sample_rate : int
    """
    try:
        import av
    except ImportError as err:  # pragma: no cover - av is in requirements.txt
        raise AudioError(f"{path}: decoding {path.suffix} files needs PyAV (pip install av)") from err
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise AudioError(f"{path}: the file has no audio track")
            stream = container.streams.audio[0]
            # Keep the native rate and channels: FFmpeg's own stereo-to-mono
            # downmix adds 3 dB, so we average the channels ourselves.
            resampler = av.AudioResampler(format="fltp", layout=stream.layout.name, rate=stream.rate)
            chunks = []
            for frame in container.decode(stream):
                chunks.extend(f.to_ndarray() for f in resampler.resample(frame))
            chunks.extend(f.to_ndarray() for f in resampler.resample(None))
            sample_rate = stream.rate
    except AudioError:
        raise
    except (av.error.FFmpegError, ValueError, IndexError) as err:
        raise AudioError(f"{path}: not readable as audio or video ({err})") from err
    if not chunks:
        return np.zeros((0, 1), dtype=np.float32), sample_rate
    return np.concatenate(chunks, axis=1).T.astype(np.float32), sample_rate


def audio_problem(path: str | Path) -> str | None:
    """Return why ``path`` cannot be used as audio, or None if its header is fine.

    Cheap (reads the header only), so loaders call it on every file and turn
    problems into counted skips instead of crashes mid-run.
    """
    path = Path(path)
    if not path.is_file():
        return "file missing"
    if path.stat().st_size == 0:
        return "empty file (0 bytes)"
    if path.suffix.lower() in CONTAINER_SUFFIXES:
        import av

        try:
            with av.open(str(path)) as container:
                return None if container.streams.audio else "no audio track"
        except (av.error.FFmpegError, ValueError):
            return "not readable as audio or video"
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, TypeError):
        return "not readable as audio"
    if info.frames == 0:
        return "valid header but no samples"
    return None


def band_passed(y: np.ndarray, sr: int, min_frequency: float, max_frequency: float,
                transition: float = 500.0) -> np.ndarray:
    """Keep only ``min_frequency`` .. ``max_frequency`` Hz of a clip, with raised-cosine edges.

    Why: how a file was saved leaves marks at both ends of the band.

    * At the top: a 16 kHz file read at 16 kHz keeps content up to 8 kHz; the
      same speech saved at 48 kHz and resampled to 16 kHz on reading loses what
      lies above the resampler's passband (about 7.3 kHz with soxr's HQ
      filter); a 22.05 kHz recording has its own edge. Spectral contrast's
      highest octave, roll-off and the MFCCs of the top mel bands then describe
      the file, not the speech.
    * At the bottom: converting to 16-bit integers can add a DC offset of half
      a step, and real recorders add their own; zero crossings of the quiet
      parts and the 0-100 Hz contrast band follow that offset.

    Cutting every clip to the same band, inside all those edges, makes them agree.
    Done with one real FFT of the whole clip (zero phase, exact stop bands).

    Parameters
    ----------
    y : np.ndarray, shape (n_samples,), mono.
    sr : its sample rate in Hz.
    min_frequency : the gain rises from 0 at ``min_frequency / 2`` to 1 at ``min_frequency``
        (DC is always removed).
    max_frequency : the gain falls from 1 at ``max_frequency - transition`` to 0 at
        ``max_frequency``; at or above ``sr / 2`` the top is left as it is.

    Returns
    -------
    np.ndarray, shape (n_samples,), float32
    """
    if y.size == 0:
        return y
    # 64 ms of zero padding keep the (short) filter from wrapping the end onto the start; a length of
    # small prime factors keeps the FFT fast
    n_fft = scipy.fft.next_fast_len(y.size + sr // 16, real=True)
    spectrum = scipy.fft.rfft(y.astype(np.float64), n=n_fft)
    return scipy.fft.irfft(spectrum * _band_gain(n_fft, sr, min_frequency, max_frequency, transition),
                           n=n_fft)[: y.size].astype(np.float32)


@functools.lru_cache(maxsize=16)
def _band_gain(n_fft: int, sr: int, min_frequency: float, max_frequency: float, transition: float) -> np.ndarray:
    """The gain of :func:`band_passed` at each bin of a real FFT of length ``n_fft``."""
    frequencies = scipy.fft.rfftfreq(n_fft, 1 / sr)
    rise = np.clip((frequencies - min_frequency / 2) / max(min_frequency / 2, 1e-9), 0.0, 1.0)
    gain = 0.5 - 0.5 * np.cos(np.pi * rise)
    if max_frequency < sr / 2:
        fall = np.clip((max_frequency - frequencies) / transition, 0.0, 1.0)
        gain *= 0.5 - 0.5 * np.cos(np.pi * fall)
    gain[0] = 0.0
    return gain


def trim_silence(y: np.ndarray, top_db: float = 40.0) -> np.ndarray:
    """Cut leading and trailing parts quieter than ``top_db`` below the peak.

    An all-silent clip is returned unchanged rather than emptied.
    """
    if not np.any(y):
        return y
    trimmed, _ = librosa.effects.trim(y, top_db=top_db)
    return trimmed if trimmed.size else y


def fix_length(y: np.ndarray, n_samples: int) -> tuple[np.ndarray, int]:
    """Zero-pad at the end or truncate to exactly ``n_samples``.

    Returns
    -------
    y : np.ndarray, shape (n_samples,)
    n_valid : int
        How many of the returned samples are real audio (the rest is padding).
    """
    n_valid = min(len(y), n_samples)
    return librosa.util.fix_length(y, size=n_samples), n_valid
