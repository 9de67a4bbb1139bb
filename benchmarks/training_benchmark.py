"""Training time of the course's Keras architectures at full settings, float32 and mixed precision side by side.

Two steps, so that the training step can run on a machine that cannot read the corpus (a GPU box):

    # 1. here: every input kind of every clip (from the feature cache), stored compactly
    python benchmarks/training_benchmark.py prepare --root ../shared/data/ravdess-actors-01-12 --out inputs.npz
    # 2. anywhere with Keras (any backend): train each model, once per precision policy
    python benchmarks/training_benchmark.py run --inputs inputs.npz --precision float32,mixed_float16

``run`` calls :func:`mmser_lib.gpu.setup` (memory growth, the precision policy), splits the speakers with
:func:`mmser_lib.splits.speaker_split` (seed 0), and trains each model with :func:`mmser_lib.runs.train` at
the library's full settings (at most 60 epochs, early stopping on validation UAR with patience 15), exactly
as ``mmser train`` does. It prints, per model and policy: the wall time of the whole training (the first
model's includes compilation), epochs run, seconds per epoch, and UAR on the test speakers.
Mixed precision only applies on a GPU (``gpu.setup`` stays in float32 on a CPU and says so).

Text kinds (one MiniLM vector per sentence) are stored once per distinct sentence: RAVDESS has two.
Stored values are float16, to fit the inputs of 720 clips in about 40 MB; ``run`` casts them back to float32.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd

import mmser_lib  # noqa: F401  (before TensorFlow: see mmser_lib/__init__.py)

DEFAULT_MODELS = ("best_audio", "conv1d", "conv1d_enhanced", "mlp_audio", "mlp_four_branch", "mel_cnn",
                  "prosody_mlp", "late_fusion", "audio_cnn_bilstm", "attention_fusion")
STORED_COLUMNS = ("corpus", "utterance_id", "speaker", "gender", "emotion", "text")


def prepare(args) -> None:
    from mmser_lib import architectures, corpora, inputs

    manifest = corpora.load(args.corpus, args.root, verbose=False)
    kinds = sorted({k for name in args.models.split(",") for k in architectures.get(name).inputs})
    raw = inputs.raw_inputs(manifest, kinds)
    arrays = {"manifest": manifest[list(STORED_COLUMNS)].to_json(orient="records")}
    for kind, values in raw.items():
        if values.dtype == object:  # TF-IDF's raw text
            arrays[kind] = values.astype(str)
        elif kind in ("sentence", "tokens", "tokens_mask"):  # one row per distinct sentence, and an index
            flat = values.reshape(len(values), -1)
            unique, index = np.unique(flat, axis=0, return_inverse=True)
            arrays[kind] = unique.reshape(-1, *values.shape[1:]).astype(np.float16 if kind != "tokens_mask"
                                                                         else bool)
            arrays[f"{kind}__index"] = index.astype(np.int32)
        else:
            arrays[kind] = values.astype(bool) if values.dtype == bool else values.astype(np.float16)
    np.savez_compressed(args.out, **arrays)
    print(f"{len(manifest)} clips, {manifest['speaker'].nunique()} speakers, kinds {sorted(raw)} -> {args.out}")


def load_inputs(path) -> tuple[pd.DataFrame, dict]:
    stored = np.load(path, allow_pickle=False)
    manifest = pd.DataFrame(json.loads(str(stored["manifest"])))
    raw = {}
    for key in stored.files:
        if key == "manifest" or key.endswith("__index"):
            continue
        values = stored[key]
        if f"{key}__index" in stored.files:
            values = values[stored[f"{key}__index"]]
        if values.dtype == np.float16:
            values = values.astype(np.float32)
        elif values.dtype.kind == "U":
            values = values.astype(object)
        raw[key] = values
    return manifest, raw


def run(args) -> None:
    from mmser_lib import gpu, inputs, runs, splits

    manifest, raw = load_inputs(args.inputs)
    split = splits.speaker_split(manifest, val_size=args.val_size, test_size=args.test_size, seed=0)
    test = (split == "test").to_numpy()
    speakers = manifest.groupby(split.to_numpy())["speaker"].nunique()
    print(f"{len(manifest)} clips; speakers: {speakers['train']} train, {speakers['val']} val, {speakers['test']} test")
    rows, failures = [], []
    for precision in args.precision.split(","):
        report = gpu.setup(seed=0, mixed_precision=precision == "mixed_float16", verbose=not rows and not failures)
        for name in args.models.split(","):
            start = time.perf_counter()
            try:
                trained = runs.train(manifest, name, split=split, raw=raw, epochs=args.epochs,
                                     patience=args.patience, progress=False)
            except Exception as err:  # e.g. a backend without a float16 kernel for a layer: report, go on
                failures.append((name, report["mixed_precision"], f"{type(err).__name__}: {err}"))
                print(f"{name:24s} {report['mixed_precision']:14s} failed: {failures[-1][2]}", flush=True)
                continue
            wall = time.perf_counter() - start
            metrics = trained.evaluate(manifest[test], inputs.take_rows(raw, test), progress=False)
            epochs = trained.config["history"]["epochs_run"]
            score = metrics["detector"]["f1"] if "detector" in metrics else metrics["uar"]
            rows.append((name, report["mixed_precision"], wall, epochs, score, "F1" if "detector" in metrics
                         else "UAR"))
            print(f"{name:24s} {report['mixed_precision']:14s} {wall:8.1f} s {epochs:4d} epochs "
                  f"{wall / epochs:7.2f} s/epoch  test {rows[-1][5]} {score:.3f}", flush=True)
    print("\nmodel                    policy             s total  epochs  s/epoch  test score")
    for name, policy, wall, epochs, score, what in rows:
        print(f"{name:24s} {policy:16s} {wall:9.1f} {epochs:7d} {wall / epochs:8.2f}  {what} {score:.3f}")
    for name, policy, reason in failures:
        print(f"{name:24s} {policy:16s} failed: {reason[:120]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="compute and store every input kind the models read")
    p.add_argument("--corpus", default="ravdess")
    p.add_argument("--root", required=True, help="the corpus folder")
    p.add_argument("--out", default="training_inputs.npz")
    p.add_argument("--models", default=",".join(DEFAULT_MODELS))
    r = sub.add_parser("run", help="train each model once per precision policy")
    r.add_argument("--inputs", required=True, help="what prepare wrote")
    r.add_argument("--models", default=",".join(DEFAULT_MODELS))
    r.add_argument("--precision", default="float32,mixed_float16")
    r.add_argument("--epochs", type=int, default=60)
    r.add_argument("--patience", type=int, default=15)
    r.add_argument("--val-size", type=float, default=1 / 6)
    r.add_argument("--test-size", type=float, default=1 / 6)
    args = parser.parse_args()
    prepare(args) if args.command == "prepare" else run(args)


if __name__ == "__main__":
    main()
