"""Prosody with Praat (parselmouth): F0 contour, voicing, loudness, speaking rate.

The pitch track comes from Praat's autocorrelation method (Boersma 1993),
about 10x cheaper than ``librosa.pyin`` and the standard in phonetics. The
same :class:`parselmouth.Pitch` object is reused by
:mod:`mmser_lib.features.voice_quality`, so pitch is tracked once per clip.
"""

from __future__ import annotations

import numpy as np
import parselmouth
import parselmouth.praat
from scipy.signal import find_peaks


def pitch_track(sound: parselmouth.Sound, time_step: float = 0.01, floor: float = 75.0,
                ceiling: float = 600.0) -> parselmouth.Pitch:
    """Praat's autocorrelation pitch ("To Pitch (ac)") of a clip, octave jumps removed.

    Creaky or breathy frames often make the tracker jump to half or twice the pitch
    (or stick at ``floor``); Praat's "Kill octave jumps" moves such frames back to the
    octave of their neighbours, so a sad, creaky clip no longer spans 30 semitones.
    """
    pitch = sound.to_pitch_ac(time_step=time_step, pitch_floor=floor, pitch_ceiling=ceiling)
    return parselmouth.praat.call(pitch, "Kill octave jumps")


def f0_contour(pitch: parselmouth.Pitch) -> tuple[np.ndarray, np.ndarray]:
    """F0 per frame.

    Returns
    -------
    times : np.ndarray, shape (n_frames,), seconds
    f0 : np.ndarray, shape (n_frames,), Hz, 0 where the frame is unvoiced
    """
    return pitch.xs(), np.nan_to_num(pitch.selected_array["frequency"], nan=0.0)


def loudness_contour(sound: parselmouth.Sound, time_step: float = 0.01, floor: float = 75.0) -> np.ndarray:
    """Intensity in dB per frame (Praat "To Intensity"), shape (n_frames,)."""
    return sound.to_intensity(minimum_pitch=floor, time_step=time_step).values[0]


def syllable_nuclei(loudness: np.ndarray, voiced: np.ndarray, min_dip_db: float = 2.0,
                    below_peak_db: float = 25.0) -> int:
    """Count syllable nuclei: intensity peaks that stand out and fall on voiced frames.

    The method of de Jong & Wempe (2009): a peak must rise ``min_dip_db``
    above the dips on either side, lie less than ``below_peak_db`` under the
    clip's loudest frame, and be voiced.

    Parameters
    ----------
    loudness : shape (n_frames,), dB.
    voiced : shape (n_frames,), bool, on the same time grid.
    """
    if loudness.size < 3:
        return 0
    peaks, _ = find_peaks(loudness, prominence=min_dip_db, height=loudness.max() - below_peak_db)
    return int(np.sum(voiced[np.clip(peaks, 0, voiced.size - 1)]))


def voiced_syllables(sound: parselmouth.Sound, loudness: np.ndarray, times: np.ndarray, voiced: np.ndarray,
                     time_step: float = 0.01) -> int:
    """:func:`syllable_nuclei` of a clip, its pitch track's voicing (``times``, ``voiced``) put on the loudness grid."""
    frame_times = np.arange(loudness.size) * time_step + sound.xmin
    on_grid = np.interp(frame_times, times, voiced.astype(float), left=0, right=0) > 0.5
    return syllable_nuclei(loudness, on_grid)


def prosody_statistics(sound: parselmouth.Sound, pitch: parselmouth.Pitch, time_step: float = 0.01,
                       floor: float = 75.0) -> dict[str, float]:
    """F0 statistics, voiced fraction, loudness statistics and speaking rate.

    Returns
    -------
    dict of 19 floats. F0 statistics are over voiced frames only (unvoiced
    frames have no pitch and are left out, never coded as one), in Hz, and in
    semitones relative to the clip's median F0 for the range and slope
    (``f0_*``). ``f0_range_st`` is the 5th to 95th percentile range: the
    extremes are where Praat's octave jumps land, and a max - min range of
    30 semitones or more is such an error, not speech. ``voiced_fraction``;
    loudness statistics in dB (``loudness_*``); ``syllables_per_s``.
    An unvoiced clip gives zeros for every F0 statistic (and the caller
    sets ``flag_unvoiced``).
    """
    times, f0 = f0_contour(pitch)
    voiced = f0 > 0
    stats = {"voiced_fraction": float(voiced.mean()) if voiced.size else 0.0}
    if voiced.sum() >= 2:
        hz = f0[voiced]
        semitones = 12 * np.log2(hz / np.median(hz))  # re the clip's median: 0 = its typical pitch
        low, high = np.percentile(semitones, [5, 95])
        stats |= {
            "f0_mean": float(hz.mean()), "f0_std": float(hz.std()), "f0_median": float(np.median(hz)),
            "f0_p10": float(np.percentile(hz, 10)), "f0_p90": float(np.percentile(hz, 90)),
            "f0_min": float(hz.min()), "f0_max": float(hz.max()),
            "f0_range_st": float(high - low),
            "f0_slope_st_per_s": float(np.polyfit(times[voiced], semitones, 1)[0]),
        }
    else:
        stats |= dict.fromkeys(["f0_mean", "f0_std", "f0_median", "f0_p10", "f0_p90", "f0_min", "f0_max",
                                "f0_range_st", "f0_slope_st_per_s"], 0.0)
    loudness = loudness_contour(sound, time_step, floor)
    if loudness.size >= 2:
        frame_times = np.arange(loudness.size) * time_step
        stats |= {
            "loudness_mean": float(loudness.mean()), "loudness_std": float(loudness.std()),
            "loudness_p10": float(np.percentile(loudness, 10)), "loudness_p90": float(np.percentile(loudness, 90)),
            "loudness_range": float(loudness.max() - loudness.min()),
            "loudness_slope_db_per_s": float(np.polyfit(frame_times, loudness, 1)[0]),
        }
        nuclei = voiced_syllables(sound, loudness, times, voiced, time_step)
    else:
        stats |= dict.fromkeys(["loudness_mean", "loudness_std", "loudness_p10", "loudness_p90", "loudness_range",
                                "loudness_slope_db_per_s"], 0.0)
        nuclei = 0
    stats["syllable_count"] = float(nuclei)
    stats["syllables_per_s"] = nuclei / max(sound.duration, 1e-3)
    stats["speech_duration_s"] = float(sound.duration)
    return stats


def prosody_contours(sound: parselmouth.Sound, pitch: parselmouth.Pitch, time_step: float = 0.01,
                     floor: float = 75.0, n_frames: int = 300) -> dict[str, float]:
    """Govindu's prosody input: pitch, voicing and loudness contours of fixed length, plus speaking rate.

    Every ``time_step`` (10 ms), cut or zero-padded to ``n_frames`` (3 s by default):

    * pitch in semitones relative to the clip's median F0 (so a high and a low voice
      saying the same melody give the same curve), 0 where the frame is unvoiced;
    * a voicing flag, 1 where Praat found a pitch: it tells the model which zeros of
      the pitch contour are "no pitch" rather than "the median pitch";
    * loudness in dB (0 on the padding).

    Plus the speaking rate in syllables per second (:func:`syllable_nuclei` per second
    of the trimmed clip); Govindu used a music beat tracker's tempo, which measures
    no speech rhythm.

    Returns
    -------
    dict of ``3 * n_frames + 1`` values: ``pitch_st_000`` ..., ``voiced_000`` ...,
    ``loudness_db_000`` ..., ``speaking_rate_syl_per_s``.
    """

    def fixed(values: np.ndarray) -> np.ndarray:
        values = np.nan_to_num(np.asarray(values, dtype=np.float64)[:n_frames], nan=0.0)
        return np.pad(values, (0, n_frames - values.size))

    times, f0 = f0_contour(pitch)
    voiced = f0 > 0
    median = np.median(f0[voiced]) if voiced.any() else 100.0
    semitones = np.where(voiced, 12 * np.log2(np.maximum(f0, 1e-3) / median), 0.0)
    loudness = loudness_contour(sound, time_step, floor)
    rate = voiced_syllables(sound, loudness, times, voiced, time_step) / max(sound.duration, 1e-3)
    values = {f"pitch_st_{i:03d}": v for i, v in enumerate(fixed(semitones))}
    values |= {f"voiced_{i:03d}": v for i, v in enumerate(fixed(voiced.astype(float)))}
    values |= {f"loudness_db_{i:03d}": v for i, v in enumerate(fixed(np.maximum(loudness, 0.0)))}
    values["speaking_rate_syl_per_s"] = float(rate)
    return values
