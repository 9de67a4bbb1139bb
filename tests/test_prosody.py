"""Prosody features that measure speech: F0 range robust to octave jumps, unvoiced frames never coded as a pitch."""

import numpy as np
import parselmouth

from mmser_lib.features.prosody import pitch_track, prosody_contours, prosody_statistics

SR = 16_000


def harmonic_glide(f_start=170.0, f_end=200.0, seconds=1.0, jump=None):
    """A voiced-like tone (10 harmonics) gliding in pitch; ``jump``: (start_s, end_s) an octave lower."""
    t = np.arange(int(seconds * SR)) / SR
    f0 = f_start * (f_end / f_start) ** (t / seconds)
    if jump:
        f0 = np.where((t >= jump[0]) & (t < jump[1]), f0 / 2, f0)
    phase = 2 * np.pi * np.cumsum(f0) / SR
    y = sum(np.sin(k * phase) / k for k in range(1, 11))
    return 0.3 * y / np.abs(y).max()


def statistics(y, pitch=None):
    sound = parselmouth.Sound(y.astype(np.float64), SR)
    return prosody_statistics(sound, pitch or pitch_track(sound))


def praat_alone(y):
    """Praat's own track, octave jumps left in."""
    return parselmouth.Sound(y.astype(np.float64), SR).to_pitch_ac(time_step=0.01, pitch_floor=75, pitch_ceiling=600)


def test_the_pitch_track_has_its_octave_jumps_killed():
    jumped = harmonic_glide(seconds=3.0, jump=(1.5, 1.6))  # 0.1 s an octave down, as creaky frames look
    raw = praat_alone(jumped).selected_array["frequency"]
    assert raw[raw > 0].min() < 110  # Praat alone follows the jump...
    killed = statistics(jumped)
    assert killed["f0_min"] > 0.9 * statistics(harmonic_glide(seconds=3.0))["f0_min"]  # ...our track does not


def test_f0_range_is_a_percentile_range_in_semitones():
    clean = statistics(harmonic_glide(seconds=3.0))
    expected = 12 * np.log2(200 / 170) * 0.9  # the 5th to 95th percentile of a log-linear glide
    assert abs(clean["f0_range_st"] - expected) < 0.6, clean["f0_range_st"]
    jumped = harmonic_glide(seconds=3.0, jump=(1.5, 1.6))  # 3% of the frames an octave down...
    with_jump = statistics(jumped, pitch=praat_alone(jumped))  # ...and left in the track
    assert 12 * np.log2(with_jump["f0_max"] / with_jump["f0_min"]) > 12  # what max - min would have said
    assert abs(with_jump["f0_range_st"] - clean["f0_range_st"]) < 1.0  # the percentile range ignores it


def test_contours_flag_unvoiced_frames_and_count_syllables():
    tone = harmonic_glide(seconds=0.6)
    y = np.concatenate([tone, np.zeros(int(0.4 * SR)), tone])  # voiced, 0.4 s of silence, voiced
    sound = parselmouth.Sound(y.astype(np.float64), SR)
    values = prosody_contours(sound, pitch_track(sound), n_frames=300)
    pitch = np.array([values[f"pitch_st_{i:03d}"] for i in range(300)])
    voiced = np.array([values[f"voiced_{i:03d}"] for i in range(300)])
    assert len(values) == 901 and set(np.unique(voiced)) == {0.0, 1.0}
    assert voiced[10:50].mean() > 0.9 and voiced[65:95].mean() < 0.1  # the tone, then the silence
    assert np.all(pitch[voiced == 0] == 0)  # no pitch is coded as 0 and flagged, never as a pitch value
    assert abs(np.median(pitch[voiced == 1])) < 0.5  # semitones re the clip's median
    assert values["speaking_rate_syl_per_s"] >= 0
