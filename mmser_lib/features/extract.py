"""Extract features for a whole manifest: in parallel, cached, with a progress bar.

Two entry points:

* :func:`extract_features` -- one row of utterance-level features per clip
  (groups ``spectral``, ``prosody``, ``voice_quality``, ``egemaps``, plus
  the ``flag_*`` columns), as a DataFrame.
* :func:`extract_sequences` -- fixed-length log-mel or MFCC frames with a
  mask, as arrays, for the Conv1D models.

Both go through the cache of :mod:`mmser_lib.infra.cache`: a second run
reads what the first computed, a changed parameter or audio file recomputes
only the entries it touches, and an interrupted run resumes. Each clip is
loaded once and its pitch tracked once, whatever groups ask for them.

Utterance-level features describe the speech, so the clip's leading and
trailing silence (``trim_db`` below its peak) is cut first; a clip shorter
than ``min_seconds`` after that is zero-padded to it and flagged. They also
describe the speech and not the file: every clip is cut to 50 Hz - 7 kHz
(``min_frequency``, ``max_frequency``) before any of them is computed, so the
same speech saved at 16, 22.05, 24.4, 44.1 or 48 kHz, as 16-bit, 24-bit or
float samples, gives the same numbers (see :func:`mmser_lib.audio.band_passed`).
"""

from __future__ import annotations

import functools
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mmser_lib.audio import AudioError, band_passed, source_audio, trim_silence
from mmser_lib.features.sequences import SequenceParams, frames_from_audio
from mmser_lib.infra import cache

UTTERANCE_GROUPS = ("spectral", "prosody", "voice_quality", "egemaps")
EXTRA_GROUPS = ("contours",)  # on request only: 901 values per clip, not statistics
FLAG_COLUMNS = ["flag_silent", "flag_short", "flag_unvoiced"]
SILENCE_PEAK = 1e-4  # a clip whose peak stays below this is digital silence
VERSION = 3  # bump when a group's code changes what it computes (or bump only that group below)
#: groups whose code changed since VERSION: 5 = octave jumps killed in the pitch track, F0 range as a 5-95
#: percentile range in semitones, contours with a voicing flag, pitch re the clip's median and speaking rate
#: instead of a beat tracker's tempo. Every group that tracks pitch is listed.
GROUP_VERSIONS = {"prosody": 5, "contours": 5, "voice_quality": 5, "flags": 5}


@dataclass(frozen=True)
class FeatureParams:
    """Settings of the utterance-level features (each group hashes only those it uses)."""

    sample_rate: int = 16_000
    min_frequency: float = 50.0  # above DC offsets and hum: see audio.band_passed
    max_frequency: float = 7_000.0  # below every file's resampling edge
    trim_db: float = 40.0
    min_seconds: float = 0.25
    n_fft: int = 1024
    hop_length: int = 160
    n_mels: int = 64
    n_mfcc: int = 40
    time_step: float = 0.01
    pitch_floor: float = 75.0
    pitch_ceiling: float = 600.0
    max_formant: float = 5500.0
    contour_frames: int = 300

    def for_group(self, group: str) -> dict:
        """The parameters ``group`` depends on (what its cache entries are keyed by)."""
        common = ["sample_rate", "min_frequency", "max_frequency", "trim_db", "min_seconds"]
        pitch = ["time_step", "pitch_floor", "pitch_ceiling"]
        used = {
            "flags": common + pitch,
            "spectral": common + ["n_fft", "hop_length", "n_mels", "n_mfcc"],
            "prosody": common + pitch,
            "voice_quality": common + pitch + ["max_formant"],
            "egemaps": common,
            "contours": common + pitch + ["contour_frames"],
        }[group]
        values = asdict(self)
        return {"version": GROUP_VERSIONS.get(group, VERSION), **{name: values[name] for name in used}}


class Clip:
    """One audio file, with the pieces several groups share computed once and timed.

    ``timings`` maps each step (``load``, ``pitch``, a group name) to the CPU
    seconds it took in this process, exclusive of nested steps (the pitch
    tracked inside ``prosody`` counts as ``pitch``, not twice).
    """

    def __init__(self, source, params: FeatureParams):
        self.source, self.params = source, params  # source: a path, or mono audio at 16 kHz in memory
        self.timings: dict[str, float] = {}
        self._nested = 0.0  # CPU seconds of steps run inside the current step
        self._audio: dict[int, np.ndarray] = {}
        self._speech = self._sound = self._pitch = None
        self._speech_samples = 0

    def timed(self, step: str, function, *args):
        outer, self._nested = self._nested, 0.0
        start = time.process_time()
        try:
            return function(*args)
        finally:
            spent = time.process_time() - start
            self.timings[step] = self.timings.get(step, 0.0) + spent - self._nested
            self._nested = outer + spent

    def audio(self, sr: int) -> np.ndarray:
        """The whole clip, mono float32 at ``sr``, shape (n_samples,)."""
        if sr not in self._audio:
            self._audio[sr] = self.timed("load", source_audio, self.source, sr)
        return self._audio[sr]

    @property
    def speech(self) -> np.ndarray:
        """The clip cut to min_frequency..max_frequency, without leading / trailing silence, >= ``min_seconds``."""
        if self._speech is None:
            p = self.params
            y = self.timed("load", band_passed, self.audio(p.sample_rate), p.sample_rate, p.min_frequency,
                           p.max_frequency)
            y = self.timed("load", trim_silence, y, p.trim_db)
            self._speech_samples = len(y)
            n_min = int(p.min_seconds * p.sample_rate)
            self._speech = np.pad(y, (0, n_min - len(y))) if len(y) < n_min else y
        return self._speech

    @property
    def speech_samples(self) -> int:
        """Length of the trimmed clip before any padding."""
        _ = self.speech
        return self._speech_samples

    @property
    def sound(self):
        if self._sound is None:
            import parselmouth

            self._sound = parselmouth.Sound(self.speech.astype(np.float64), self.params.sample_rate)
        return self._sound

    @property
    def pitch(self):
        if self._pitch is None:
            from mmser_lib.features.prosody import pitch_track

            p = self.params
            self._pitch = self.timed("pitch", pitch_track, self.sound, p.time_step, p.pitch_floor, p.pitch_ceiling)
        return self._pitch


def _flags(clip: Clip) -> dict[str, float]:
    p = clip.params
    y = clip.audio(p.sample_rate)
    silent = y.size == 0 or float(np.max(np.abs(y))) < SILENCE_PEAK
    unvoiced = silent or not np.any(clip.pitch.selected_array["frequency"] > 0)
    return {"flag_silent": float(silent), "flag_short": float(clip.speech_samples < p.min_seconds * p.sample_rate),
            "flag_unvoiced": float(unvoiced)}


def _group_values(group: str, clip: Clip) -> dict[str, float]:
    """Compute one utterance-level group for one clip (names -> values)."""
    p = clip.params
    if group == "flags":
        return _flags(clip)
    if group == "spectral":
        from mmser_lib.features.spectral import spectral_statistics

        return spectral_statistics(clip.speech, p.sample_rate, n_fft=p.n_fft, hop_length=p.hop_length,
                                   n_mels=p.n_mels, n_mfcc=p.n_mfcc, min_frequency=p.min_frequency,
                                   max_frequency=p.max_frequency)
    if group == "prosody":
        from mmser_lib.features.prosody import prosody_statistics

        return prosody_statistics(clip.sound, clip.pitch, p.time_step, p.pitch_floor)
    if group == "voice_quality":
        from mmser_lib.features.voice_quality import voice_quality

        return voice_quality(clip.sound, clip.pitch, p.pitch_floor, p.pitch_ceiling, p.max_formant)
    if group == "egemaps":
        from mmser_lib.features.egemaps import egemaps_functionals

        return egemaps_functionals(clip.speech, p.sample_rate)
    if group == "contours":
        from mmser_lib.features.prosody import prosody_contours

        return prosody_contours(clip.sound, clip.pitch, p.time_step, p.pitch_floor, p.contour_frames)
    raise ValueError(f"unknown feature group {group!r}; choose from {UTTERANCE_GROUPS + EXTRA_GROUPS}")


def _compute(jobs: list[cache.Job], params) -> list[cache.Computed]:
    """Worker: compute the missing groups of each file of a batch.

    An utterance group's value is an array of its values, shape (n_values,),
    float64, with their names in ``names``; the ``frames`` value is log-mel,
    MFCC and mask side by side, shape (n_frames, n_mels + n_mfcc + 1), float32.
    ``info`` holds the CPU seconds of each step.
    """
    outputs = []
    for job in jobs:
        clip = Clip(job.source, params)
        computed = cache.Computed(info=clip.timings)
        try:
            for group in job.groups:
                if isinstance(params, SequenceParams):
                    frames = clip.timed(group, frames_from_audio, clip.audio(params.sample_rate), params)
                    array = np.concatenate([frames["logmel"], frames["mfcc"], frames["mask"][:, None]], axis=1)
                    computed.values[group] = array.astype(np.float32)
                else:
                    values = clip.timed(group, _group_values, group, clip)
                    computed.names[group] = list(values)
                    computed.values[group] = np.nan_to_num(np.array(list(values.values()), dtype=np.float64),
                                                           nan=0.0, posinf=0.0, neginf=0.0)
        except AudioError as err:
            computed = cache.Computed(info=clip.timings, error=str(err))
        outputs.append(computed)
    return outputs


@dataclass
class ExtractionReport:
    """What one extraction did: cache hits, computed files, failures, CPU time per step."""

    n_files: int = 0
    cache_hits: int = 0
    computed: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    computed_groups: dict[str, int] = field(default_factory=dict)  # group -> files it was computed for

    def summary(self) -> str:
        cpu = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(self.cpu_seconds.items(), key=lambda kv: -kv[1]))
        text = f"{self.n_files} files: {self.cache_hits} from the cache, {self.computed} computed"
        if cpu:
            text += f" (CPU time: {cpu})"
        if self.failed:
            examples = "; ".join(f"{Path(p).name}: {why}" for p, why in list(self.failed.items())[:3])
            text += f"\n{len(self.failed)} file(s) could not be read and were left out: {examples}"
        return text


def _run(manifest: pd.DataFrame, groups: list[str], params, use_cache: bool, n_jobs: int | None,
         progress: bool, desc: str) -> tuple[list[dict], dict[str, list[str]], ExtractionReport]:
    """Fetch every group of every row from the cache or compute it (:func:`mmser_lib.infra.cache.cached_map`).

    Returns one dict group -> array per row (None for a file that failed),
    the column names of each utterance group, and the report.
    """
    # openSMILE loaded after TensorFlow crashes the process (see mmser_lib/__init__.py): keep it in workers.
    import mmser_lib

    isolate = ("egemaps" in groups and "tensorflow" in sys.modules and not mmser_lib.OPENSMILE_PRELOADED
               and "opensmile" not in sys.modules)
    mapped = cache.cached_map(manifest, {g: _params_dict(params, g) for g in groups},
                              functools.partial(_compute, params=params), use_cache=use_cache,
                              n_jobs=n_jobs, in_workers=isolate, progress=progress, desc=desc)
    report = ExtractionReport(n_files=mapped.n_files, cache_hits=mapped.cache_hits, computed=len(mapped.computed),
                              failed=mapped.failed)
    for _, output in mapped.computed:
        for step, seconds in output.info.items():
            report.cpu_seconds[step] = report.cpu_seconds.get(step, 0.0) + seconds
        for group in output.values:
            report.computed_groups[group] = report.computed_groups.get(group, 0) + 1
    return mapped.values, mapped.names, report


def _params_dict(params, group: str) -> dict:
    if isinstance(params, SequenceParams):
        return {"version": VERSION, **params.cache_key_params()}
    return params.for_group(group)


def extract_features(
    manifest: pd.DataFrame,
    groups: tuple[str, ...] = UTTERANCE_GROUPS,
    params: FeatureParams | None = None,
    cache: bool = True,
    n_jobs: int | None = None,
    progress: bool = True,
    verbose: bool = True,
) -> pd.DataFrame:
    """Utterance-level features of every row of a manifest.

    Parameters
    ----------
    manifest : rows with ``path`` and ``corpus`` (``corpora.load`` output).
    groups : any of ``spectral`` (208 MFCC / chroma / spectral statistics),
        ``prosody`` (19: F0, voicing, loudness, speaking rate),
        ``voice_quality`` (12: jitter, shimmer, HNR, F1-F3, via Praat),
        ``egemaps`` (88 openSMILE eGeMAPS v02 functionals); on request
        ``contours`` (Govindu: pitch and loudness contours of
        ``contour_frames`` values each, plus the speaking rate).
    params : :class:`FeatureParams`.
    cache : read and write the feature cache (``MMSER_CACHE_DIR``).
    n_jobs : worker processes; None uses every CPU core.

    Returns
    -------
    pandas.DataFrame, shape (n_usable_rows, n_features + 3), indexed like
    ``manifest``, with the flag columns ``flag_silent``, ``flag_short`` and
    ``flag_unvoiced`` (1.0 / 0.0) last. No NaN: values a clip does not
    define (F0 of a silent clip) are 0 and flagged. Files that cannot be
    read are left out, counted and reported (``frame.attrs["report"]``);
    ``frame.attrs["group_columns"]`` maps each group to its column names.
    """
    params = params or FeatureParams()
    unknown = [g for g in groups if g not in UTTERANCE_GROUPS + EXTRA_GROUPS]
    if unknown:
        raise ValueError(f"unknown feature group(s) {unknown}; choose from {UTTERANCE_GROUPS + EXTRA_GROUPS}")
    names = [*groups, "flags"]
    results, columns, report = _run(manifest, names, params, cache, n_jobs, progress, desc="features")
    usable = [i for i, result in enumerate(results) if result is not None]
    blocks = []
    for group in names:  # every clip gives a group's values in the same order, so stack them
        if usable:
            values = np.stack([results[i][group] for i in usable])
            blocks.append(pd.DataFrame(values, columns=columns[group]))
    frame = pd.concat(blocks, axis=1) if blocks else pd.DataFrame()
    frame.index = manifest.index[usable]
    if usable:
        frame = frame[[c for c in frame.columns if c not in FLAG_COLUMNS] + FLAG_COLUMNS]
    frame.attrs["report"] = asdict(report)
    frame.attrs["group_columns"] = {group: list(columns.get(group, [])) for group in names}
    if verbose:
        print(report.summary())
    return frame


def extract_sequences(
    manifest: pd.DataFrame,
    params: SequenceParams | None = None,
    cache: bool = True,
    n_jobs: int | None = None,
    progress: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Frame sequences of every utterance of a manifest (cached like the features).

    Returns
    -------
    X : np.ndarray, shape (n_utterances, n_frames, n_features), float32
    mask : np.ndarray, shape (n_utterances, n_frames), bool

    Raises
    ------
    AudioError
        Some files cannot be read; the message lists them. Drop those rows
        from the manifest (the loaders already skip unreadable headers).
    """
    params = params or SequenceParams()
    if params.kind not in ("logmel", "mfcc"):
        raise ValueError(f"kind must be 'logmel' or 'mfcc', got {params.kind!r}")
    group = "frames"  # one entry holds log-mel and MFCC frames: the second kind is a cache hit
    if "corpus" not in manifest:
        manifest = manifest.assign(corpus="other")
    results, _, report = _run(manifest, [group], params, cache, n_jobs, progress, desc="frames")
    if report.failed:
        raise AudioError(f"{len(report.failed)} file(s) could not be read: " + report.summary().split("\n")[-1])
    stacked = np.stack([r[group] for r in results])  # (n, n_frames, n_mels + n_mfcc + 1)
    columns = slice(0, params.n_mels) if params.kind == "logmel" else slice(params.n_mels,
                                                                            params.n_mels + params.n_mfcc)
    return np.ascontiguousarray(stacked[:, :, columns]), stacked[:, :, -1] > 0.5
