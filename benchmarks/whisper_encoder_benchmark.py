"""The Whisper base encoder's cost per clip, three ways, side by side in one run, and how much they agree.

    python benchmarks/whisper_encoder_benchmark.py --root ../shared/data/ravdess-actors-01-12 --limit 96
    python benchmarks/whisper_encoder_benchmark.py            # on a small RAVDESS twin

Rows (no cache; the same clips, loaded once, in memory):

* **30 s window**: each clip padded to Whisper's 30 s window (1500 encoder frames), as Whisper reads it;
* **clip alone, batch 1**: only the frames the clip needs (:meth:`WhisperEncoder.hidden_states`);
* **clip alone, batch 8**: eight clips at a time in the manifest's order, padding masked;
* **clip alone, batch 8 by length**: the same, clips of similar length batched together (what
  :func:`whisper_embeddings` does), so a batch pads less.

The real-time factor is seconds of audio per second of wall time (higher is faster), on all the
threads torch uses here. The agreement is the cosine similarity, per layer, between each clip's pooled
vector (mean and sd over the clip's own frames) read alone and inside the 30 s window.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import mmser_lib  # noqa: F401  (before TensorFlow: see mmser_lib/__init__.py)
from mmser_lib import config, corpora
from mmser_lib.audio import load_audio
from mmser_lib.features.whisper_encoder import SAMPLE_RATE, WhisperEncoder, clip_frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", help="a RAVDESS folder (default: a 2-speaker twin)")
    parser.add_argument("--limit", type=int, default=48, help="clips to encode")
    parser.add_argument("--model", default="base")
    args = parser.parse_args()
    root = args.root or corpora.twin_at("ravdess", config.twin_dir() / "bench_ravdess", speakers=2,
                                        seed=0, repetitions=1, progress=False)
    manifest = corpora.load("ravdess", root, verbose=False).sample(frac=1.0, random_state=0).head(args.limit)
    clips = [load_audio(p, SAMPLE_RATE) for p in manifest["path"]]
    seconds = sum(len(c) for c in clips) / SAMPLE_RATE
    encoder = WhisperEncoder(args.model, device="cpu")
    encoder.pooled(clips[0])  # warm up
    print(f"Whisper {args.model} encoder, {len(clips)} clips from {root}, {seconds:.0f} s of audio "
          f"(mean {seconds / len(clips):.2f} s per clip)\n")

    rows = []
    start = time.perf_counter()
    padded = [encoder.pooled(c, n_frames=clip_frames(len(c)), padded=True) for c in clips]
    rows.append(("30 s window", time.perf_counter() - start))
    start = time.perf_counter()
    alone = [encoder.pooled(c) for c in clips]
    rows.append(("clip alone, batch 1", time.perf_counter() - start))
    start = time.perf_counter()
    batched = [v for k in range(0, len(clips), 8) for v in encoder.pooled_batch(clips[k:k + 8])]
    rows.append(("clip alone, batch 8", time.perf_counter() - start))
    lengths = np.array([len(c) for c in clips])
    by_length = np.argsort(lengths, kind="stable")
    start = time.perf_counter()
    for k in range(0, len(clips), 8):
        encoder.pooled_batch([clips[i] for i in by_length[k:k + 8]])
    rows.append(("clip alone, batch 8 by length", time.perf_counter() - start))

    def padding_share(order: np.ndarray) -> float:
        """Mean share of padded samples in batches of 8 taken in this order."""
        return float(np.mean([1 - lengths[b].sum() / (len(b) * lengths[b].max())
                              for b in (order[k:k + 8] for k in range(0, len(order), 8))]))

    print(f"padding in batches of 8: {padding_share(np.arange(len(clips))):.1%} of the frames in the manifest's "
          f"order, {padding_share(by_length):.1%} by length\n")
    print(f"{'':30s} {'s per clip':>10s} {'x real time':>12s}")
    for name, wall in rows:
        print(f"{name:30s} {wall / len(clips):10.3f} {seconds / wall:12.1f}")

    def cosine(a, b):
        return (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))

    versus_window = np.array([cosine(a, p) for a, p in zip(alone, padded)])  # (clips, layers)
    versus_batch = np.array([cosine(a, b) for a, b in zip(alone, batched)])
    print("\ncosine of the pooled vectors, per layer (0 = input to the first block), mean over clips [min]:")
    for layer in range(versus_window.shape[1]):
        print(f"  layer {layer}: alone vs 30 s window {versus_window[:, layer].mean():.4f} "
              f"[{versus_window[:, layer].min():.4f}]   batch 8 vs batch 1 {versus_batch[:, layer].min():.6f}")


if __name__ == "__main__":
    main()
