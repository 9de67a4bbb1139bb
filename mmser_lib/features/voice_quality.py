"""Voice quality with Praat (parselmouth): jitter, shimmer, HNR, formants F1-F3.

Clark et al. approximated HNR with RMS energy and formants with LPC roots; those
stand-ins measure something else. These are Praat's own measures, with the
settings of Praat's voice report, computed from the pitch track that
:mod:`mmser_lib.features.prosody` already made.

Cost matters (see ``benchmarks/feature_benchmark.py``), so nothing is
computed twice:

* HNR comes from the pitch track itself. Praat's "To Harmonicity (ac)" *is*
  its autocorrelation pitch analysis, reporting the strength ``r`` of the
  best candidate of each frame as ``10 log10(r / (1 - r))`` dB (Boersma
  1993); we read ``r`` off the pitch track we already have (3 periods per
  window instead of 4.5), over voiced frames.
* Formants: Praat's Burg method first resamples the sound to twice the
  formant ceiling; we resample once with soxr (about 10x faster than
  Praat's sinc resampler) and hand Praat a sound it need not resample.
"""

from __future__ import annotations

import numpy as np
import parselmouth
import soxr
from parselmouth.praat import call

NAMES = [
    "jitter_local", "jitter_rap", "shimmer_local", "shimmer_apq3", "hnr_mean_db", "hnr_std_db",
    "f1_mean", "f1_std", "f2_mean", "f2_std", "f3_mean", "f3_std",
]


def voice_quality(sound: parselmouth.Sound, pitch: parselmouth.Pitch, floor: float = 75.0,
                  ceiling: float = 600.0, max_formant: float = 5500.0) -> dict[str, float]:
    """Jitter, shimmer, harmonics-to-noise ratio and formants of one clip.

    Parameters
    ----------
    sound, pitch : the clip and its Praat pitch track.
    max_formant : Burg formant ceiling in Hz (5500 suits adult female and
        child voices, 5000 adult male ones).

    Returns
    -------
    dict of the 12 floats in ``NAMES``: jitter and shimmer as fractions,
    HNR in dB over voiced frames, F1-F3 mean and spread in Hz over voiced
    frames. Values Praat leaves undefined (an unvoiced clip) are 0.
    """
    points = call([sound, pitch], "To PointProcess (cc)")
    period = (0, 0, 0.0001, 0.02, 1.3)  # Praat's voice report: time range, shortest / longest period, factor
    stats = {
        "jitter_local": call(points, "Get jitter (local)", *period),
        "jitter_rap": call(points, "Get jitter (rap)", *period),
        "shimmer_local": call([sound, points], "Get shimmer (local)", *period, 1.6),
        "shimmer_apq3": call([sound, points], "Get shimmer (apq3)", *period, 1.6),
    }
    frequency = pitch.selected_array["frequency"]
    voiced_times = pitch.xs()[frequency > 0]
    strength = np.clip(pitch.selected_array["strength"][frequency > 0], 1e-6, 1 - 1e-6)
    hnr = 10 * np.log10(strength / (1 - strength))
    stats["hnr_mean_db"] = float(hnr.mean()) if hnr.size else 0.0
    stats["hnr_std_db"] = float(hnr.std()) if hnr.size else 0.0
    rate = 2 * max_formant
    resampled = soxr.resample(sound.values[0], sound.sampling_frequency, rate) if sound.sampling_frequency != rate \
        else sound.values[0]
    formant = parselmouth.Sound(resampled, rate, start_time=sound.xmin).to_formant_burg(
        time_step=0.02, max_number_of_formants=5, maximum_formant=max_formant)
    frame_times = formant.xs()
    nearest = np.clip(np.searchsorted(frame_times, voiced_times[::2]), 0, len(frame_times) - 1)
    for number in (1, 2, 3):
        track = call(formant, "To Matrix", number).values[0]  # Hz per frame, NaN where undefined
        values = track[nearest]
        values = values[np.isfinite(values) & (values > 0)]
        stats[f"f{number}_mean"] = float(values.mean()) if values.size else 0.0
        stats[f"f{number}_std"] = float(values.std()) if values.size else 0.0
    return {name: float(np.nan_to_num(stats[name])) for name in NAMES}
