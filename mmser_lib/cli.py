"""The ``mmser`` command: twins, training, evaluation, prediction and a demo.

    mmser twin CORPUS OUT_DIR [--speakers N] [--seed S]
    mmser train --corpus CORPUS --root DIR --model NAME --out RUN_DIR [--seed S] [--scaling speaker]
    mmser models
    mmser evaluate RUN_DIR --corpus CORPUS --root DIR [--json FILE]
    mmser predict RUN_DIR AUDIO... [--text TEXT] [--json]
    mmser demo [--out DIR]

Errors a user can fix (a missing corpus folder, a file that is not audio,
an unknown model) are printed as one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from mmser_lib import architectures, corpora


def _speaker_filter(manifest, include: str | None, exclude: str | None, corpus: str):
    """Keep the rows whose speaker is in ``include`` and not in ``exclude`` (comma lists: "11,12" or "ravdess:11")."""

    def parse(value: str | None) -> set[str]:
        if not value:
            return set()
        ids = set()
        for item in value.split(","):
            item = item.strip()
            local = item.split(":", 1)[1] if ":" in item else item
            ids.add(local.lstrip("0") or "0")
        return ids

    local = manifest["speaker"].str.split(":", n=1).str[1].str.lstrip("0").replace("", "0")
    keep = local.isin(parse(include)) if include else local.notna()
    if exclude:
        keep &= ~local.isin(parse(exclude))
    if not keep.any():
        raise ValueError(f"no {corpus} speaker matches --speakers {include!r} / --exclude-speakers {exclude!r}; "
                         f"speakers here: {', '.join(sorted(manifest['speaker'].unique()))}")
    return manifest[keep.to_numpy()].reset_index(drop=True)


def cmd_twin(args) -> None:
    root = corpora.make_twin(args.corpus, args.out_dir, speakers=args.speakers, seed=args.seed)
    manifest = corpora.load(args.corpus, root, verbose=False)
    print(f"wrote a {args.corpus} twin: {len(manifest)} clips, {manifest['speaker'].nunique()} speakers, in {root}")


def cmd_train(args) -> None:
    from mmser_lib import gpu, runs

    gpu.setup(args.seed, verbose=False)
    manifest = corpora.load(args.corpus, args.root)
    manifest = _speaker_filter(manifest, args.speakers, args.exclude_speakers, args.corpus)
    run = runs.train(manifest, args.model, seed=args.seed, epochs=args.epochs, patience=args.patience,
                     val_size=args.val_size, scaling=args.scaling)
    run.config["root"] = str(Path(args.root).resolve())
    run.save(args.out)
    c = run.config
    history = c["history"]
    best = history["history"][history["monitor"]][c["best_epoch"] - 1]
    what = "F1" if c["task"] == "sad" else "UAR"
    print(f"trained {args.model} ({c['task']}, scaling {c['scaling']}) on {c['n_train']} clips of "
          f"{len(c['train_speakers'])} speakers, validated on {c['n_val']} clips of {len(c['val_speakers'])} "
          f"speakers ({', '.join(c['val_speakers'])}); best epoch {c['best_epoch']} of {c['epochs_run']}, "
          f"validation {what} {best:.3f}" + (f", threshold {c['threshold']:.2f}" if "threshold" in c else "")
          + f"; saved to {args.out}")


def cmd_models(args) -> None:
    from mmser_lib import architectures

    print(architectures.table().to_string(index=False))


def cmd_evaluate(args) -> None:
    from mmser_lib import runs

    run = runs.load_run(args.run_dir)
    if run.config["corpus"] != args.corpus:
        print(f"note: the run was trained on {run.config['corpus']}, evaluated on {args.corpus} "
              "(only the emotions both share are scored)")
    manifest = corpora.load(args.corpus, args.root)
    manifest = _speaker_filter(manifest, args.speakers, args.exclude_speakers, args.corpus)
    metrics = run.evaluate(manifest)
    seen = sorted(set(manifest["speaker"]) & set(run.config["train_speakers"] + run.config["val_speakers"]))
    same_root = run.config.get("root") == str(Path(args.root).resolve())
    metrics["speakers"] = sorted(manifest["speaker"].unique())
    metrics["speakers_seen_in_training"] = seen if same_root else []
    metrics["run"] = str(args.run_dir)
    metrics["root"] = str(args.root)
    print(f"{run.config['model']} on {metrics['n']} clips of {len(metrics['speakers'])} speakers: "
          f"accuracy {metrics['accuracy']:.3f}  UAR {metrics['uar']:.3f}  "
          f"macro F1 {metrics['macro_f1']:.3f}  weighted F1 {metrics['weighted_f1']:.3f}")
    if "detector" in metrics:
        d = metrics["detector"]
        print(f"sad detector at the validation threshold {d['threshold']:.2f}: F1 {d['f1']:.3f}  precision "
              f"{d['precision']:.3f}  recall {d['recall']:.3f}  ROC AUC {d['roc_auc']:.3f}")
    if run.config.get("scaling") == "speaker":
        print("per-speaker normalisation: each evaluated speaker was scaled with the statistics of their own "
              "clips here (no labels used)")
    if metrics["excluded_unknown_emotions"]:
        print(f"left out {metrics['excluded_unknown_emotions']} clips whose emotion the run does not know")
    if metrics["speakers_seen_in_training"]:
        print(f"warning: {len(seen)} of these speakers were used in training ({', '.join(seen)}): "
              "this is not a speaker-independent score")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(metrics, indent=2) + "\n")
        print(f"wrote {args.json}")


def cmd_predict(args) -> None:
    import numpy as np
    import pandas as pd

    from mmser_lib import runs
    from mmser_lib.audio import AudioError, audio_problem
    from mmser_lib.inputs import TEXT_KINDS

    run = runs.load_run(args.run_dir)
    if any(k in TEXT_KINDS for k in run.pipeline.kinds) and args.text is None:
        raise ValueError(f"the {run.config['model']} run reads text too: pass the transcript with --text")
    for path in args.audio:
        problem = audio_problem(path) if Path(path).is_file() else "no such file"
        if problem:
            raise AudioError(f"{path}: {problem}")
    manifest = pd.DataFrame({"path": [str(Path(p).resolve()) for p in args.audio],
                             "text": [args.text or ""] * len(args.audio), "speaker": "you",
                             "corpus": "other"})
    probabilities = run.predict_proba(manifest, progress=False)
    results = []
    for path, row in zip(args.audio, probabilities):
        order = np.argsort(-row)
        results.append({"path": path, "top": [{"emotion": run.labels[i], "probability": float(row[i])}
                                              for i in order[:3]]})
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for result in results:
        ranked = "  ".join(f"{t['emotion']} {t['probability']:.2f}" for t in result["top"])
        print(f"{result['path']}: {ranked}")


def cmd_demo(args) -> None:
    import pandas as pd

    from mmser_lib import evaluation, features, gpu, plots, runs, splits

    started = time.perf_counter()
    out = Path(args.out)
    gpu.setup(args.seed)
    print(f"1/4 writing a RAVDESS twin with {args.speakers} speakers")
    root = corpora.make_twin("ravdess", out / "twin", speakers=args.speakers, seed=args.seed)
    manifest = corpora.load("ravdess", root)
    split = splits.speaker_split(manifest, val_size=0.2, test_size=0.2, seed=args.seed)
    sides = {side: sorted(manifest.loc[split == side, "speaker"].unique()) for side in ("train", "val", "test")}
    print(f"   speaker-independent split: {len(sides['train'])} train, {len(sides['val'])} validation, "
          f"{len(sides['test'])} test speakers ({', '.join(sides['test'])})")
    print("2/4 extracting log-mel frame sequences")
    X, _ = features.extract_sequences(manifest)
    test = (split == "test").to_numpy()
    results, histories, rows = {}, {}, []
    for step, name in enumerate(("conv1d", "two_branch"), start=3):
        print(f"{step}/4 training {name}")
        run = runs.train(manifest, name, split=split, X=X, seed=args.seed, epochs=args.epochs)
        run.save(out / "runs" / name)
        results[name] = run.evaluate(manifest[test], X[test], progress=False)
        histories[name] = run.config["history"]
        rows.append(evaluation.summary_row(name, results[name]))
    table = pd.DataFrame(rows)
    chance = 1 / len(results["conv1d"]["labels"])
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    for name, fig in {
        "confusion_matrices": plots.plot_confusion_matrices(results, "RAVDESS twin, unseen speakers"),
        "training_curves": plots.plot_training_curves(histories),
        "scores": plots.plot_metric_bars(table, chance=chance, title="RAVDESS twin, unseen speakers"),
    }.items():
        fig.savefig(figures / f"{name}.png", dpi=120, bbox_inches="tight")
    (out / "results.json").write_text(json.dumps({"split": sides, "results": results}, indent=2) + "\n")
    print(f"\nResults on {int(test.sum())} clips of unseen speakers (chance UAR = {chance:.3f}):")
    print(table.to_string(index=False))
    print("RAVDESS text is one of two sentences for every emotion, so the words alone say nothing about the\n"
          "emotion (text-only is at chance). A gap between the models comes from training noise, or from the text\n"
          "telling the model which sentence it hears, which helps it read the audio (each sentence has its own\n"
          "length and rhythm). Two speakers are a small test set: rerun with another --seed before concluding.")
    print(f"\nfigures in {figures}, runs in {out / 'runs'}; took {time.perf_counter() - started:.0f} s")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mmser", description="Multimodal speech emotion recognition.")
    sub = parser.add_subparsers(dest="command", required=True)
    names = sorted(corpora.MODULES)

    p = sub.add_parser("twin", help="write a synthetic twin of a corpus")
    p.add_argument("corpus", choices=names)
    p.add_argument("out_dir")
    p.add_argument("--speakers", type=int, default=None,
                   help="number of speakers (default: the corpus's own, 2 for TESS, 10 for IEMOCAP, else 8)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_twin)

    def speaker_options(p):
        p.add_argument("--speakers", help="only these speakers, e.g. '1,2,3' or 'ravdess:01'")
        p.add_argument("--exclude-speakers", help="leave these speakers out, e.g. '11,12'")

    p = sub.add_parser("train", help="train a model on every utterance under a root")
    p.add_argument("--corpus", required=True, choices=names)
    p.add_argument("--root", required=True)
    p.add_argument("--model", required=True, choices=list(architectures.ARCHITECTURES),
                   metavar="NAME", help="an architecture (list them with `mmser models`)")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--patience", type=int, default=15, help="epochs without a better validation score")
    p.add_argument("--scaling", choices=["train", "speaker", "none"], default="train",
                   help="feature scaling: fitted on training rows (default), per speaker, or none")
    p.add_argument("--val-size", type=float, default=0.2, help="share of speakers held out for validation")
    speaker_options(p)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("models", help="list the architectures `mmser train --model` accepts")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("evaluate", help="score a saved run on a corpus root")
    p.add_argument("run_dir")
    p.add_argument("--corpus", required=True, choices=names)
    p.add_argument("--root", required=True)
    p.add_argument("--json", help="also write the metrics to this JSON file")
    speaker_options(p)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("predict", help="predict the emotion of audio files")
    p.add_argument("run_dir")
    p.add_argument("audio", nargs="+")
    p.add_argument("--text", help="transcript, for runs that read text")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("demo", help="twin -> train both models -> evaluate on unseen speakers")
    p.add_argument("--out", default="runs/demo")
    p.add_argument("--speakers", type=int, default=12)
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    from mmser_lib.audio import AudioError

    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (corpora.CorpusNotFoundError, AudioError, FileNotFoundError, ValueError) as err:
        print(f"mmser: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
