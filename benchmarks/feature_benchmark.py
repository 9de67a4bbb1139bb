"""How fast is feature extraction, and where does the time go?

Side by side, in one run, on the same clips:

(a) the full feature set (spectral statistics, prosody, voice quality,
    eGeMAPS, log-mel and MFCC frame sequences) through ``mmser_lib``,
    parallel over the CPU cores, writing a fresh cache;
(a') the same again, now read from the cache;
(b) the feature list of Clark, Mehta, Agrawal and Marziano (40 MFCC means, chroma, centroid, rolloff,
    zero-crossing rate, mean pitch, formants, HNR, jitter, shimmer, speaking
    rate) computed our way: one shared STFT, Praat pitch and voice quality,
    parallel, no cache;
(c) the same list computed the way the write-up did: one librosa call per
    feature on the waveform, ``librosa.pyin`` for pitch, LPC roots for
    formants, RMS for "HNR", one file after another.

Speeds are audio-seconds (the files' full durations) per CPU-second (user +
system time of this process and every worker it started) and per
wall-second.

    python benchmarks/feature_benchmark.py --root ../shared/data/ravdess-actors-01-12
    python benchmarks/feature_benchmark.py                  # a 12-speaker RAVDESS twin
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def tree_cpu_seconds() -> float:
    """User + system CPU seconds of this process and all its live descendants."""
    me = psutil.Process()
    total = 0.0
    for process in [me, *me.children(recursive=True)]:
        try:
            times = process.cpu_times()
            total += times.user + times.system + getattr(times, "children_user", 0) + getattr(
                times, "children_system", 0)
        except psutil.Error:
            pass
    return total


def measure(label: str, function, audio_seconds: float) -> dict:
    cpu0, wall0 = tree_cpu_seconds(), time.perf_counter()
    result = function()
    wall, cpu = time.perf_counter() - wall0, tree_cpu_seconds() - cpu0
    row = dict(label=label, wall=wall, cpu=cpu, per_cpu=audio_seconds / cpu, per_wall=audio_seconds / wall,
               result=result)
    print(f"  {label:<44} wall {wall:7.1f} s  CPU {cpu:7.1f} s  "
          f"{row['per_cpu']:6.1f} x real time per CPU-s  {row['per_wall']:6.1f} x per wall-s", flush=True)
    return row


# ----------------------------------------------------------------- (c) the write-up's way
def write_up_way_one_file(path: str, costs: dict) -> dict:
    """Clark et al.'s feature list the straightforward way: one librosa call per feature."""
    import librosa

    def timed(name, function):
        start = time.process_time()
        value = function()
        costs[name] = costs.get(name, 0.0) + time.process_time() - start
        return value

    sr = 16_000
    y = timed("load", lambda: librosa.load(path, sr=sr)[0])
    y = librosa.util.fix_length(y, size=3 * sr)  # trimmed / padded to 3 s, as the write-up did
    out = {}
    out["mfcc"] = timed("mfcc", lambda: librosa.feature.mfcc(y=y, sr=sr, n_mfcc=40).mean(axis=1))
    out["chroma"] = timed("chroma", lambda: librosa.feature.chroma_stft(y=y, sr=sr).mean(axis=1))
    out["centroid"] = timed("centroid", lambda: librosa.feature.spectral_centroid(y=y, sr=sr).mean())
    out["rolloff"] = timed("rolloff", lambda: librosa.feature.spectral_rolloff(y=y, sr=sr).mean())
    out["zcr"] = timed("zcr", lambda: librosa.feature.zero_crossing_rate(y).mean())
    f0, _, _ = timed("pitch (pyin)", lambda: librosa.pyin(y, fmin=65, fmax=600, sr=sr))
    out["pitch"] = float(np.nanmean(f0)) if np.any(np.isfinite(f0)) else 0.0

    def lpc_formants():
        a = librosa.lpc(y * np.hamming(len(y)), order=2 + sr // 1000)
        roots = [r for r in np.roots(a) if np.imag(r) >= 0]
        return sorted(np.angle(roots) * sr / (2 * np.pi))[:3]

    out["formants"] = timed("formants (LPC)", lpc_formants)
    rms = timed("hnr (RMS stand-in)", lambda: librosa.feature.rms(y=y)[0])
    out["hnr"] = float(rms.mean())
    voiced = f0[np.isfinite(f0)]
    out["jitter"] = float(np.mean(np.abs(np.diff(voiced))) / voiced.mean()) if voiced.size > 1 else 0.0
    out["shimmer"] = float(np.mean(np.abs(np.diff(rms))) / rms.mean()) if rms.mean() > 0 else 0.0
    onsets = timed("speaking rate (onsets)", lambda: librosa.onset.onset_detect(y=y, sr=sr))
    out["speaking_rate"] = len(onsets) / 3.0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", help="a RAVDESS tree (default: write a 12-speaker twin)")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N clips (0: all)")
    parser.add_argument("--write-up-limit", type=int, default=0,
                        help="run (c), the write-up's slow way, on only N of the clips and scale (0: all)")
    parser.add_argument("--n-jobs", type=int, default=None, help="worker processes (default: every core)")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="mmser-featbench-"))
    os.environ["MMSER_CACHE_DIR"] = str(scratch / "cache")  # a fresh cache: (a) starts cold
    from mmser_lib import corpora, features
    from mmser_lib.features.extract import ExtractionReport

    root = Path(args.root) if args.root else corpora.make_twin("ravdess", scratch / "twin", speakers=12)
    manifest = corpora.load("ravdess", root, verbose=False)
    if args.limit:
        manifest = manifest.head(args.limit)
    seconds = float(sum(sf.info(p).duration for p in manifest["path"]))
    print(f"{len(manifest)} clips, {seconds:.0f} s of audio ({seconds / len(manifest):.2f} s per clip), "
          f"{psutil.cpu_count()} CPU cores, data: {'twin' if corpora.is_twin(root) else root}\n")

    def full_set():
        table = features.extract_features(manifest, progress=False, n_jobs=args.n_jobs, verbose=False)
        logmel = features.extract_sequences(manifest, features.SequenceParams(kind="logmel"), progress=False,
                                            n_jobs=args.n_jobs)
        mfcc = features.extract_sequences(manifest, features.SequenceParams(kind="mfcc"), progress=False,
                                          n_jobs=args.n_jobs)
        return table, logmel, mfcc

    def clark_list_our_way():
        return features.extract_features(manifest, groups=("spectral", "prosody", "voice_quality"), cache=False,
                                         progress=False, n_jobs=args.n_jobs, verbose=False)

    write_up_costs: dict[str, float] = {}
    write_up_manifest = manifest.head(args.write_up_limit) if args.write_up_limit else manifest
    write_up_seconds = float(sum(sf.info(p).duration for p in write_up_manifest["path"]))

    def write_up_way():
        return [write_up_way_one_file(p, write_up_costs) for p in write_up_manifest["path"]]

    # Warm the libraries up once (imports, numba compilation), outside the clocks, for every contender.
    write_up_way_one_file(manifest["path"].iloc[0], {})
    features.extract_features(manifest.head(1), cache=False, progress=False, n_jobs=1, verbose=False)

    print("Side by side:")
    cold = measure("(a) full feature set, cold cache", full_set, seconds)
    warm = measure("(a') full feature set, cached re-run", full_set, seconds)
    ours = measure("(b) Clark et al.'s list, our way", clark_list_our_way, seconds)
    star = " *" if args.write_up_limit else ""
    write_up = measure(f"(c) Clark et al.'s list, the write-up's way{star}", write_up_way, write_up_seconds)
    if args.write_up_limit:
        print(f"  * on {len(write_up_manifest)} clips; its wall time scaled to all clips: "
              f"{write_up['wall'] * seconds / write_up_seconds:.1f} s")
    write_up_wall_all = write_up["wall"] * seconds / write_up_seconds

    table = cold["result"][0]
    report = ExtractionReport(**table.attrs["report"])
    print("\nWhere the time goes in (a), CPU ms per clip (utterance features; sequences not split):")
    for step, cpu in sorted(report.cpu_seconds.items(), key=lambda kv: -kv[1]):
        print(f"  {step:<16} {1000 * cpu / len(manifest):7.1f}")
    print("Where the time goes in (c), CPU ms per clip:")
    for step, cpu in sorted(write_up_costs.items(), key=lambda kv: -kv[1]):
        print(f"  {step:<24} {1000 * cpu / len(write_up_manifest):7.1f}")

    print("\nSummary")
    print(f"  full feature set: {cold['per_cpu']:.1f} x real time per CPU core (goal >= 20)")
    print(f"  Clark et al.'s list: our way {ours['wall']:.1f} s vs the write-up's way {write_up_wall_all:.1f} s wall: "
          f"{write_up_wall_all / ours['wall']:.1f} x faster (goal >= 3)")
    print(f"  cached re-run: {cold['wall']:.1f} s -> {warm['wall']:.2f} s wall: "
          f"{cold['wall'] / warm['wall']:.0f} x faster (goal >= 20)")
    print(f"  features per clip: {table.shape[1]} utterance-level columns, "
          f"frames {cold['result'][1][0].shape[1:]} log-mel and {cold['result'][2][0].shape[1:]} MFCC")


if __name__ == "__main__":
    main()
