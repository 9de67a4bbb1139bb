"""The ``mmser`` command: twins, training, evaluation, prediction and a demo.

    mmser twin CORPUS OUT_DIR [--speakers N] [--seed S]
    mmser train --corpus CORPUS --root DIR --model NAME --out RUN_DIR [--seed S] [--scaling speaker]
    mmser models
    mmser evaluate RUN_DIR --corpus CORPUS --root DIR [--json FILE]
    mmser crossval --corpus CORPUS --root DIR --model NAME --out DIR [--folds K] [--folds-file FILE]
    mmser predict RUN_DIR AUDIO... [--text TEXT] [--enrol FILE...] [--plot FILE] [--json]
    mmser grade STUDENT_DIR [--reference figures/] [--out report.md|report.html]
    mmser demo [--out DIR]

Errors a user can fix (a missing corpus folder, a file that is not audio,
an unknown model) are printed as one line and exit with status 2.
``mmser grade`` exits with 1 when a notebook needs checking.
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


def _names(speakers: list[str], most: int = 6) -> str:
    """The first few names, then how many more (MELD validates on dozens of characters)."""
    shown = ", ".join(speakers[:most])
    return shown if len(speakers) <= most else f"{shown} and {len(speakers) - most} more"


def _load(corpus: str, root: str, kinds):
    """The manifest; for MELD and a model that reads only text, every CSV row, media files or not."""
    from mmser_lib.inputs import TEXT_KINDS

    if corpus == "meld" and all(kind in TEXT_KINDS for kind in kinds):
        return corpora.load(corpus, root, text_only=True)
    return corpora.load(corpus, root)


def cmd_train(args) -> None:
    from mmser_lib import gpu, runs, splits

    gpu.setup(args.seed, verbose=False)
    manifest = _load(args.corpus, args.root, architectures.get(args.model).inputs)
    manifest = _speaker_filter(manifest, args.speakers, args.exclude_speakers, args.corpus)
    if args.enrol is not None and args.scaling != "speaker":
        raise ValueError("--enrol applies to per-speaker normalisation; add --scaling speaker")
    split = None
    if args.corpus == "meld":  # the official protocol: fit on train, choose on part of it, score dev / test later
        split = splits.meld_split(manifest, val_size=args.val_size if args.val_size is not None else 0.15,
                                  seed=args.seed)
        print(f"MELD: training on the official train split ({(split == 'train').sum()} utterances), validating "
              f"on {(split == 'val').sum()} utterances of its dialogues held out whole; "
              f"{(split == 'unused').sum()} dev / test rows are left for `mmser evaluate`")
    run = runs.train(manifest, args.model, split=split, seed=args.seed, epochs=args.epochs, patience=args.patience,
                     val_size=args.val_size if args.val_size is not None else 0.2, scaling=args.scaling,
                     enrol=args.enrol or 0, enrol_from=args.enrol_from or "random", enrol_draws=args.enrol_draws)
    run.config["root"] = str(Path(args.root).resolve())
    run.save(args.out)
    c = run.config
    history = c["history"]
    best = history["history"][history["monitor"]][c["best_epoch"] - 1]
    target = run.target
    what = {"val_f1": "F1", "val_weighted_f1": "weighted F1", "val_accuracy": "accuracy"}.get(history["monitor"],
                                                                                             "UAR")
    print(f"trained {args.model} ({target.describe()}, scaling {c['scaling']}) on {c['n_train']} clips of "
          f"{len(c['train_speakers'])} speakers, validated on {c['n_val']} clips of {len(c['val_speakers'])} "
          f"speakers ({_names(c['val_speakers'])}); best epoch {c['best_epoch']} of {c['epochs_run']}, "
          f"validation {what} {best:.3f}"
          + f"; saved to {args.out}")


def training_enrol_draws(args) -> int:
    """How many K-clip draws normalised each training speaker (0: all of their clips; see runs.prepare)."""
    return architectures.get(args.model).training_enrol_draws(args.scaling, args.enrol or 0, args.enrol_draws)


def cmd_crossval(args) -> None:
    from mmser_lib import experiments, gpu, splits

    gpu.setup(args.seed, verbose=False)
    manifest = corpora.load(args.corpus, args.root)
    manifest = _speaker_filter(manifest, args.speakers, args.exclude_speakers, args.corpus)
    out = Path(args.out)
    if args.folds_file:
        folds = splits.SpeakerFolds.from_json(args.folds_file)
        print(f"folds read from {args.folds_file}")
    else:
        folds = splits.speaker_folds(manifest, k=args.folds, seed=args.seed)
    folds_path = folds.to_json(out / "folds.json")
    if args.enrol is not None and args.scaling != "speaker":
        raise ValueError("--enrol applies to per-speaker normalisation; add --scaling speaker")
    result = experiments.cross_validate(manifest, args.model, folds, seed=args.seed, scaling=args.scaling,
                                        epochs=args.epochs, patience=args.patience, enrol=args.enrol or 0,
                                        enrol_draws=args.enrol_draws)
    summary = result.summary()
    result.per_fold.to_csv(out / "per_fold.csv", index=False)
    result.predictions.to_csv(out / "predictions.csv", index=False)
    (out / "summary.json").write_text(json.dumps({**summary, "corpus": args.corpus,
                                                  "root": str(Path(args.root).resolve()),
                                                  "scaling": args.scaling, "epochs": args.epochs,
                                                  "patience": args.patience,
                                                  "enrol_draws": training_enrol_draws(args)}, indent=2) + "\n")
    print(result.per_fold.round(3).to_string(index=False))
    if result.enrolment:
        print("test speakers normalised with " + (
            "ALL of their clips, the scored ones included: an upper bound" if result.enrolment["upper_bound"]
            else f"{result.enrolment['clips_per_speaker']} enrolment clip(s) each, not scored"))
    low, high = summary["uar_pooled_ci_speakers"]
    print(f"{args.model}, {folds.k}-fold speaker cross-validation on {summary['n']} clips: "
          f"UAR {summary['uar_mean']:.3f} +- {summary['uar_sd']:.3f} (mean +- sd over folds); pooled UAR "
          f"{summary['uar_pooled']:.3f}, 95% interval over speakers [{low:.3f}, {high:.3f}]")
    print(f"wrote {folds_path}, per_fold.csv, predictions.csv and summary.json to {out}")


def cmd_models(args) -> None:
    from mmser_lib import architectures

    print(architectures.table().to_string(index=False))


def cmd_evaluate(args) -> None:
    from mmser_lib import runs

    run = runs.load_run(args.run_dir)
    manifest = _load(args.corpus, args.root, run.pipeline.kinds)
    manifest = _speaker_filter(manifest, args.speakers, args.exclude_speakers, args.corpus)
    shared = None
    if run.config["corpus"] != args.corpus and not run.target.is_detector:
        present = set(manifest["emotion"])
        shared = [label for label in run.labels if label in present]
        if not shared:
            raise ValueError(f"the {run.config['corpus']} run's emotions {run.labels} and the {args.corpus} "
                             f"emotions {sorted(present)} have nothing in common")
        print(f"cross-corpus: the run was trained on {run.config['corpus']}; scored on the {len(shared)} "
              f"emotions both corpora have ({', '.join(shared)}), predicting among those only")
    metrics = run.evaluate(manifest, labels=shared, enrol=args.enrol, enrol_from=args.enrol_from,
                           enrol_seed=args.enrol_seed)
    seen = sorted(set(manifest["speaker"]) & set(run.config["train_speakers"] + run.config["val_speakers"]))
    same_root = run.config.get("root") == str(Path(args.root).resolve())
    from_train_csv = 0
    if args.corpus == "meld" and run.config["corpus"] == "meld":
        seen = []  # MELD's cast speaks in every official split: its protocol is split by scene, not by speaker
        from_train_csv = int((manifest["split"] == "train").sum())
        metrics["official_splits"] = sorted(manifest["split"].unique())
    metrics["speakers"] = sorted(manifest["speaker"].unique())
    metrics["speakers_seen_in_training"] = seen if same_root else []
    metrics["run"] = str(args.run_dir)
    metrics["root"] = str(args.root)
    print(f"{run.config['model']} on {metrics['n']} clips of {len(metrics['speakers'])} speakers: "
          f"accuracy {metrics['accuracy']:.3f}  UAR {metrics['uar']:.3f}  "
          f"macro F1 {metrics['macro_f1']:.3f}  weighted F1 {metrics['weighted_f1']:.3f}")
    if "detector" in metrics:
        d = metrics["detector"]
        print(f"{run.target.detects} detector at the validation threshold {d['threshold']:.2f}: F1 {d['f1']:.3f}  "
              f"precision {d['precision']:.3f}  recall {d['recall']:.3f}  ROC AUC {d['roc_auc']:.3f}")
    enrolment = metrics.get("enrolment")
    if enrolment and enrolment["upper_bound"]:
        print("per-speaker normalisation with ALL of each speaker's clips, the scored ones included: an upper "
              "bound, not a score a deployed model could reach (use --enrol K)")
    elif enrolment:
        print(f"per-speaker normalisation from {enrolment['clips_per_speaker']} enrolment clip(s) per speaker "
              f"({enrolment['from']}, seed {enrolment['seed']}): {enrolment['enrolment_clips']} enrolment clips "
              f"of {enrolment['speakers']} speakers, not scored")
    if metrics["excluded_unknown_emotions"]:
        print(f"left out {metrics['excluded_unknown_emotions']} clips whose emotion the run does not know")
    if from_train_csv:
        print(f"warning: {from_train_csv} of these rows come from MELD's train CSV, which MELD runs are trained and "
              "validated on: score a folder holding dev_sent_emo.csv or test_sent_emo.csv only")
    if metrics["speakers_seen_in_training"]:
        print(f"warning: {len(seen)} of these speakers were used in training ({', '.join(seen)}): "
              "this is not a speaker-independent score")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(metrics, indent=2) + "\n")
        print(f"wrote {args.json}")


def cmd_predict(args) -> None:
    from mmser_lib import predict, runs
    from mmser_lib.inputs import TEXT_KINDS

    run = runs.load_run(args.run_dir)
    reads_text = any(k in TEXT_KINDS for k in run.pipeline.kinds)
    if reads_text and args.text is None and not args.json:
        print(f"the {run.config['model']} run reads text: transcribing with Whisper tiny.en (offline); "
              "pass --text to give the transcript yourself")
    if run.config.get("scaling") == "speaker" and not args.json:
        print("this run was trained with per-speaker normalisation: each speaker's features are z-scored with "
              "that speaker's own mean and spread, so it needs several recordings of your voice to know your "
              "average; " + (f"using the {len(args.speaker_audio)} --enrol file(s) only, never the recordings "
                             "scored" if args.speaker_audio
                             else "without --enrol each recording is normalised with its own statistics"))
    results = predict.predict_recordings(run, args.audio, text=args.text, speaker_audio=args.speaker_audio or (),
                                         window=args.window, hop=args.hop)
    if args.plot:
        from mmser_lib import plots

        fig = plots.plot_emotion_timeline(results, f"{run.config['model']} ({run.config['corpus']} run)")
        Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(args.plot, dpi=120, bbox_inches="tight")
    if args.json:
        print(json.dumps([r.to_dict(args.top) for r in results], indent=2))
        return
    for result in results:
        ranked = "  ".join(f"{emotion} {p:.2f}" for emotion, p in result.top(args.top))
        print(f"{result.path}: {ranked}")
        if run.target.is_detector:
            print(f"  detector: {result.predicted} (P({run.target.detects}) {result.probabilities[1]:.2f}, "
                  f"threshold {run.target.threshold:.2f} chosen on validation)")
        if result.transcript:
            print(f'  heard: "{result.transcript.strip()}"')
        if result.windowed:
            used = int(result.windows["speech"].sum())
            print(f"  {result.seconds:.1f} s, longer than the model's window: {len(result.windows)} windows "
                  f"({used} with speech averaged above). Timeline:")
            print(predict.timeline_text(result))
        for note in result.notes:
            print(f"  note: {note}")
    if args.plot:
        print(f"wrote {args.plot}")


def cmd_grade(args) -> None:
    from mmser_lib import config
    from mmser_lib.infra import grading

    reference = args.reference
    if reference is None:
        repo = config.repository_root(Path(__file__).parent)
        if repo is None:
            raise FileNotFoundError("no reference given and mmser is not installed from a checkout: "
                                    "pass --reference path/to/figures")
        reference = repo / "figures"
    out = Path(args.out) if args.out else Path(args.student_dir) / "grade_report.md"
    grades = grading.grade(args.student_dir, reference)
    grading.write_report(grades, args.student_dir, reference, out)
    width = max(len(g.notebook) for g in grades)
    for g in grades:
        why = "; ".join(g.reasons)
        print(f"{g.notebook:<{width}}  {g.verdict:<12}  {why}")
        if g.reference is not None:
            print(f"{'':<{width}}  reference {g.reference}: {g.reference_why}")
    passed = sum(g.verdict == "pass" for g in grades)
    print(f"{passed} of {len(grades)} notebooks pass; report written to {out}")
    args.exit_code = 0 if all(g.verdict == "pass" for g in grades) else 1


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
    X, mask = features.extract_sequences(manifest)  # log-mel frames and which of them are real audio
    test = (split == "test").to_numpy()
    results, histories, rows = {}, {}, []
    for step, name in enumerate(("conv1d", "two_branch"), start=3):
        print(f"{step}/4 training {name}")
        run = runs.train(manifest, name, split=split, X=(X, mask), seed=args.seed, epochs=args.epochs)
        run.save(out / "runs" / name)
        results[name] = run.evaluate(manifest[test], (X[test], mask[test]), progress=False)
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
    parser.add_argument("--verbose", action="store_true",
                        help="show TensorFlow's start-up log lines (hidden by default)")
    sub = parser.add_subparsers(dest="command", required=True)
    names = sorted(corpora.MODULES)

    p = sub.add_parser("twin", help="write a synthetic twin of a corpus")
    p.add_argument("corpus", choices=names)
    p.add_argument("out_dir")
    p.add_argument("--speakers", type=int, default=None,
                   help="number of speakers (default: the corpus's own, 2 for TESS, 10 for IEMOCAP, else 8)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_twin)

    def enrol_options(p, what):
        p.add_argument("--enrol", type=int, default=None, metavar="K", help=what)
        p.add_argument("--enrol-from", choices=["random", "neutral"], default=None,
                       help="draw enrolment clips at random (default) or among the neutral ones")

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
    p.add_argument("--val-size", type=float, default=None,
                   help="share of speakers held out for validation (default 0.2); MELD: share of its train "
                        "split's dialogues (default 0.15)")
    enrol_options(p, "with --scaling speaker: K enrolment clips per validation (and, by default, test) speaker "
                     "give that speaker's statistics and are not scored; 0 = all of the speaker's clips "
                     "(an upper bound)")
    p.add_argument("--enrol-draws", type=int, default=None, metavar="N",
                   help="with --enrol K: normalise each training speaker with N draws of K clips, as test "
                        "speakers are (0: all of their clips; default: the model's own, 8 for best_audio)")
    speaker_options(p)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("crossval", help="k-fold speaker cross-validation of a model (every speaker tested once)")
    p.add_argument("--corpus", required=True, choices=names)
    p.add_argument("--root", required=True)
    p.add_argument("--model", required=True, choices=list(architectures.ARCHITECTURES),
                   metavar="NAME", help="an architecture (list them with `mmser models`)")
    p.add_argument("--out", required=True, help="folder for folds.json, per_fold.csv, predictions.csv, summary.json")
    p.add_argument("--folds", type=int, default=6, help="number of speaker folds (default 6)")
    p.add_argument("--folds-file", help="reuse the folds of an earlier folds.json instead of making new ones")
    p.add_argument("--seed", type=int, default=0, help="shuffles the speakers into folds and seeds training")
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--patience", type=int, default=15, help="epochs without a better validation score")
    p.add_argument("--scaling", choices=["train", "speaker", "none"], default="train")
    p.add_argument("--enrol", type=int, default=None, metavar="K",
                   help="with --scaling speaker: K enrolment clips per validation and test speaker (not scored); "
                        "0 = all of their clips (an upper bound)")
    p.add_argument("--enrol-draws", type=int, default=None, metavar="N",
                   help="with --enrol K: normalise each training speaker with N draws of K clips, as test "
                        "speakers are (0: all of their clips; default: the model's own, 8 for best_audio)")
    speaker_options(p)
    p.set_defaults(func=cmd_crossval)

    p = sub.add_parser("models", help="list the architectures `mmser train --model` accepts")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("evaluate", help="score a saved run on a corpus root")
    p.add_argument("run_dir")
    p.add_argument("--corpus", required=True, choices=names)
    p.add_argument("--root", required=True)
    p.add_argument("--json", help="also write the metrics to this JSON file")
    enrol_options(p, "for a run trained with --scaling speaker: K enrolment clips per speaker give the "
                     "speaker's statistics and are not scored (default: the run's own setting); 0 = all clips, "
                     "scored ones included (an upper bound, labelled as such)")
    p.add_argument("--enrol-seed", type=int, default=0, help="which clips are drawn for enrolment")
    speaker_options(p)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("predict", help="predict the emotion of audio files")
    p.add_argument("run_dir")
    p.add_argument("audio", nargs="+")
    p.add_argument("--text", help="transcript, for runs that read text (default: transcribed with Whisper tiny.en)")
    p.add_argument("--enrol", "--speaker-audio", dest="speaker_audio", nargs="+", metavar="FILE",
                   help="enrolment recordings of the same speaker, for runs trained with --scaling speaker: the "
                        "speaker's statistics come from these only (about 8, several moods)")
    p.add_argument("--window", type=float, help="window length in seconds (default: the run's, 3 s)")
    p.add_argument("--hop", type=float, help="window step in seconds (default: half the window)")
    p.add_argument("--plot", metavar="FILE", help="also draw the probabilities (a timeline for long recordings)")
    p.add_argument("--top", type=int, default=3, help="how many emotions to print (default 3)")
    p.add_argument("--json", action="store_true", help="print JSON (with the timeline) instead of text")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("grade", help="compare a student's figures and metrics.json with the reference")
    p.add_argument("student_dir", help="the student's figures folder: student/ (or a checkout holding one)")
    p.add_argument("--reference", help="reference figures folder (default: this checkout's figures/)")
    p.add_argument("--out", help="report file: .md (default STUDENT_DIR/grade_report.md) or .html")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("demo", help="twin -> train both models -> evaluate on unseen speakers")
    p.add_argument("--out", default="runs/demo")
    p.add_argument("--speakers", type=int, default=12)
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_demo)
    return parser


# The commands that train, load or run a Keras model, and so import TensorFlow.
TENSORFLOW_COMMANDS = {"train", "crossval", "evaluate", "predict", "demo"}


def quiet_start_up() -> None:
    """Keep TensorFlow's and absl's start-up log lines (CUDA factory registrations, warnings) out of the output.

    Must run before TensorFlow is imported: the C++ side reads
    ``TF_CPP_MIN_LOG_LEVEL`` once. ``mmser --verbose`` skips this.
    """
    import logging
    import os
    import warnings

    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"      # C++: errors too (the "Unable to register cuDNN factory" lines)
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="keras")
    warnings.filterwarnings("ignore", module="tensorflow")


def import_tensorflow_quietly() -> None:
    """Import TensorFlow with file descriptor 2 pointed at /dev/null (the commands that train or predict).

    Some builds log at import through absl before TF_CPP_MIN_LOG_LEVEL is consulted (on CPUs with oneDNN:
    "All log messages before absl::InitializeLog() ...", "oneDNN custom operations are on"), straight to
    file descriptor 2. An import that fails still raises, and its Python traceback is printed after the
    descriptor is restored. Commands that never touch TensorFlow (``models``, ``twin``, ``grade``) skip this.
    """
    import os

    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    sys.stderr.flush()
    os.dup2(devnull, 2)
    try:
        import tensorflow  # noqa: F401
    except ImportError:  # another Keras backend, without TensorFlow: nothing to quiet
        pass
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)


def main(argv: list[str] | None = None) -> int:
    from mmser_lib.audio import AudioError

    args = build_parser().parse_args(argv)
    if not args.verbose and "tensorflow" not in sys.modules:
        quiet_start_up()
        if args.command in TENSORFLOW_COMMANDS:
            import_tensorflow_quietly()
    try:
        args.func(args)
    except (corpora.CorpusNotFoundError, AudioError, FileNotFoundError, ValueError) as err:
        print(f"mmser: error: {err}", file=sys.stderr)
        return 2
    return getattr(args, "exit_code", 0)


if __name__ == "__main__":
    sys.exit(main())
