"""Write notebook 15 (cross-corpus transfer, and your own voice). Edit this file, not the notebook::

    cd tools && python make_notebook_15.py
"""

from __future__ import annotations

from pathlib import Path

from make_corpus_notebooks import BADGE, SETUP, write_notebook

NAME = "15_cross_corpus_and_your_voice"
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / f"{NAME}.ipynb"

CELLS = [
    ("md", f"""# 15 · Does it work on another corpus? Does it work on my voice?

{BADGE.format(name=NAME)}

Every number so far came from test speakers of the corpus the model was trained on: same studio, same
microphones, same kind of actors, same sentences. Users ask two other questions: *does a model trained on
one corpus work on another?* and *does it work on my voice?* Your microphone is one more corpus nobody
trained on, so the two questions are one.

**You will learn**

* to score a model on another corpus through the **harmonised labels**, on the emotions both have;
* to read a **train-corpus by test-corpus matrix** of UAR, and why the diagonal wins;
* that a linear classifier can tell the corpora apart from the same features almost perfectly;
* what **per-speaker normalisation** and **pooling corpora** do for unseen corpora;
* to run a model on a recording of any format and length, **window by window**, with `mmser predict`."""),
    ("code", SETUP),
    ("md", "## 1. Setup: five corpora"),
    ("code", '''import mmser_lib  # noqa: F401  (first: it loads openSMILE and triton before TensorFlow)
from pathlib import Path

import numpy as np
import pandas as pd

from mmser_lib import config, corpora, cross_corpus, gpu, inputs, plots, predict

NOTEBOOK = "15_cross_corpus_and_your_voice"
FAST = config.fast_mode()  # CI sets MMSER_FAST=1: the small twins of notebooks 03-07, few epochs
EPOCHS, PATIENCE = (6, 3) if FAST else (100, 15)
gpu.setup(seed=0, verbose=False)'''),
    ("md", """Each corpus is the real one when its `MMSER_<CORPUS>_ROOT` is set (see `data/README.md`), and otherwise
the twin notebooks 03-07 wrote (the same settings, so nothing is synthesised twice). IEMOCAP goes through
its usual 4-class protocol (excited merged into happy)."""),
    ("code", '''TWINS = {
    "crema_d": dict(speakers=8 if FAST else 16, sentences=4 if FAST else 12),
    "ravdess": dict(speakers=8 if FAST else 12, repetitions=1 if FAST else 2),
    "tess": dict(words=10 if FAST else 40),
    "meld": dict(speakers=8, dialogues=(12, 3, 3) if FAST else (40, 8, 10)),
    "iemocap": dict(dialogs=2 if FAST else 6),
}
manifests, is_twin = {}, {}
for corpus, options in TWINS.items():
    root, is_twin[corpus] = corpora.corpus_root(corpus, **options)
    manifest = corpora.load(corpus, root, verbose=False)
    manifests[corpus] = corpora.subsets.four_class(manifest) if corpus == "iemocap" else manifest
pd.DataFrame({c: m["emotion"].value_counts() for c, m in manifests.items()}).fillna(0).astype(int)'''),
    ("md", """## 2. The shared emotions

The loaders already map every corpus's codes to the same names (CREMA-D's `ANG`, RAVDESS's `05`, MELD's
`anger` are all `angry`). A cross-corpus model can only be asked about emotions that **every** corpus has:
CREMA-D has no calm or surprise, and IEMOCAP has almost no fear or disgust. We keep those with at least 10
clips in every corpus."""),
    ("code", '''emotions = cross_corpus.shared_emotions(manifests, min_clips=10)
chance = 1 / len(emotions)
print("shared emotions:", emotions, f"| chance UAR {chance:.2f}")'''),
    ("md", """## 3. The matrix

`cross_corpus_matrix` cuts every corpus by speaker once (TESS: train on one speaker, test on the other),
trains one model per corpus on its training speakers (epochs chosen on its validation speakers), and scores
each model on the **test speakers of every corpus**. Every column is the same clips, so a column compares
training corpora fairly; the diagonal is the usual within-corpus, speaker-independent score. A last row
trains one model on all corpora together.

The model is seed 002's one-branch MLP over the 208 spectral statistics: it reads audio only, because text
differs from corpus to corpus (fixed sentences in three of them)."""),
    ("code", '''raw = {c: inputs.raw_inputs(m, ("spectral",), progress=False) for c, m in manifests.items()}
matrix = cross_corpus.cross_corpus_matrix(manifests, "mlp_audio", emotions=emotions, scaling="train",
                                          epochs=EPOCHS, patience=PATIENCE, raw=raw, keep_runs=True)
print("test speakers:", {c: len(s) for c, s in matrix.test_speakers.items()})
matrix.uar.round(3)'''),
    ("code", '''gap = matrix.diagonal_gap()
print(f"same corpus (diagonal): {gap['same_corpus']:.3f}   other corpus: {gap['other_corpus']:.3f}   "
      f"gap: {gap['gap']:+.3f}   (chance {chance:.2f})")'''),
    ("md", """## 4. Why the diagonal wins

A model learns whatever separates the emotions **in its training data**, and much of that is specific to the
corpus:

* **the channel**: microphone, room, sample rate, loudness level and background noise shift every spectral
  statistic;
* **the speakers and the acting**: RAVDESS actors exaggerate, MELD's *Friends* cast talk over a laugh track,
  IEMOCAP is improvised dialogue; how loud "angry" is differs by corpus;
* **the text and the length**: TESS says "Say the word ___" (under 2 s), CREMA-D twelve sentences, MELD
  whole conversational turns;
* **the labels**: annotators of different corpora draw the line between neutral and sad, or happy and
  excited, in different places, and class priors differ (MELD is half neutral).

One cell shows how strong these fingerprints are: a linear classifier that is asked *which corpus* a clip
comes from, from the very features the emotion model reads."""),
    ("code", '''keep = {c: m["emotion"].isin(emotions).to_numpy() for c, m in manifests.items()}
identity = cross_corpus.corpus_identity_accuracy({c: raw[c]["spectral"][keep[c]] for c in manifests})
print(f"which corpus is this clip from? balanced accuracy {identity:.3f} (chance {1 / len(manifests):.2f})")'''),
    ("md", """On twins, all five corpora are spoken by the same synthesiser with the same emotion profiles, so transfer
is *easier* than between real corpora: what still separates them is sample rate, text, pauses, noise and
each twin's speakers. On real corpora the published cross-corpus drops are larger (often 20-30 UAR points).
When one corpus is real and the others are twins (the committed reference figures use the real RAVDESS actors
01-12), read its row and its column: a model trained on synthetic speech and tested on real actors, or the other
way round, is the largest corpus mismatch in the table.

## 5. Per-speaker normalisation across corpora

Per-speaker normalisation z-scores every speaker with their own mean and spread, at training and at test
time. That removes each speaker's (and each recording channel's) offsets, which are exactly the
fingerprints above. Same matrix, `scaling="speaker"`:"""),
    ("code", '''speaker_matrix = cross_corpus.cross_corpus_matrix(manifests, "mlp_audio", emotions=emotions,
                                                  scaling="speaker", epochs=EPOCHS, patience=PATIENCE, raw=raw,
                                                  keep_runs=True)
speaker_gap = speaker_matrix.diagonal_gap()
print(f"per speaker: same corpus {speaker_gap['same_corpus']:.3f}, other corpus {speaker_gap['other_corpus']:.3f}, "
      f"gap {speaker_gap['gap']:+.3f}")
speaker_matrix.uar.round(3)'''),
    ("code", '''fig = plots.plot_cross_corpus({"scaled on the training corpus": matrix.uar,
                               "per-speaker normalisation": speaker_matrix.uar}, chance=chance,
                              title=f"UAR on each corpus's unseen test speakers ({', '.join(emotions)})")
plots.save_figure(fig, NOTEBOOK, "cross_corpus_uar")'''),
    ("code", '''change = {k: speaker_gap[k] - gap[k] for k in gap}
pooled_rows = pd.DataFrame({"scaled on training corpus": matrix.uar.loc[cross_corpus.POOLED],
                            "per speaker": speaker_matrix.uar.loc[cross_corpus.POOLED]})
print(f"per-speaker normalisation moved the diagonal by {change['same_corpus']:+.3f}, the other-corpus cells by "
      f"{change['other_corpus']:+.3f}, the gap by {change['gap']:+.3f}")
pooled_rows.T.round(3)'''),
    ("md", """Read the heatmaps by column: each column is one test set. The outlined cell is the model trained on that
corpus; the last row is the **pooled** model, which saw several channels, speakers and acting styles. The cell
above says whether per-speaker normalisation lifted the other-corpus cells more than the diagonal (the gap
narrows) or everything alike (the gap stays). With one or two test speakers per corpus a single cell moves
by several points with the seed, so compare rows and the averages, not single cells.

## 6. Try your own voice

`mmser predict RUN_DIR AUDIO...` reads wav, flac, mp3, m4a (any sample rate, mono or stereo), and cuts a
recording longer than the model's window (3 s) into overlapping windows: every 1.5 s it predicts the 3 s
around, marks windows that hold little speech, and averages the others. We save the pooled model as a run
folder, the same thing `mmser train` writes."""),
    ("code", '''run_dir = Path("runs") / "pooled_mlp_audio"
matrix.runs[cross_corpus.POOLED].save(run_dir)
speaker_run_dir = Path("runs") / "pooled_mlp_audio_per_speaker"
speaker_matrix.runs[cross_corpus.POOLED].save(speaker_run_dir)
sorted(p.name for p in run_dir.iterdir())'''),
    ("md", """On Colab, upload a recording of yourself (a phone's voice memo is fine: m4a works). Anywhere else, and
in CI, the cell writes a stand-in: a 44.1 kHz stereo "recording" of one synthetic voice saying three
sentences neutrally, then three happily, three sadly and three angrily, with pauses, about 40 seconds."""),
    ("code", '''import sys

if "google.colab" in sys.modules:
    from google.colab import files

    uploaded = files.upload()  # pick a wav / mp3 / m4a of your voice
    recording, parts = Path(next(iter(uploaded))), None
else:
    recording = Path("runs") / "my_voice_stand_in.wav"
    parts = corpora.twin.write_monologue(recording, emotions=("neutral", "happy", "sad", "angry"),
                                         sentences_per_emotion=3, sample_rate=44_100, channels=2)
    print(pd.DataFrame(parts).to_string(index=False))'''),
    ("code", '''run = matrix.runs[cross_corpus.POOLED]
[voice] = predict.predict_recordings(run, [recording])
print(f"{voice.seconds:.1f} s, {len(voice.windows)} windows; overall:",
      "  ".join(f"{e} {p:.2f}" for e, p in voice.top(4)))
print(predict.timeline_text(voice))'''),
    ("code", '''fig = plots.plot_emotion_timeline([voice], "pooled MLP (scaled on the training corpora)", parts=parts)
plots.save_figure(fig, NOTEBOOK, "your_voice_timeline")'''),
    ("md", """With the stand-in we know what was said when, so we can count how many windows agree. A window that
straddles two parts is scored by the part holding its centre."""),
    ("code", '''def window_agreement(prediction, parts):
    if not parts:
        return None
    rows = prediction.windows[prediction.windows["speech"]]
    centres = (rows["start"] + rows["end"]) / 2
    spoken = [next(p["emotion"] for p in parts if p["start"] <= c < p["end"] or p is parts[-1]) for c in centres]
    return float(np.mean(rows["predicted"].to_numpy() == np.array(spoken)))


agreement = window_agreement(voice, parts)
print("windows whose top emotion is the one spoken:", None if agreement is None else f"{agreement:.2f}",
      f"(chance {chance:.2f})")'''),
    ("md", """### Your voice and per-speaker normalisation

The per-speaker run subtracts *your* mean. With one 3-second clip that mean is the clip itself, so every
feature becomes 0 and the model says the same thing whatever you felt. A long recording gives many windows
to estimate your statistics from; for short clips, `mmser predict --speaker-audio a.wav b.wav ...` adds more
recordings of the same voice (several moods, ideally) to estimate them."""),
    ("code", '''speaker_run = speaker_matrix.runs[cross_corpus.POOLED]
[voice_speaker] = predict.predict_recordings(speaker_run, [recording])
print(voice_speaker.notes[0])
speaker_agreement = window_agreement(voice_speaker, parts)
print("windows that agree, per-speaker run:", None if speaker_agreement is None else f"{speaker_agreement:.2f}")'''),
    ("md", """The same from a terminal (any format; `--plot` draws the timeline, `--json` prints it):

```
mmser predict runs/pooled_mlp_audio my_voice.m4a --plot timeline.png
mmser predict runs/pooled_mlp_audio_per_speaker hello.wav --speaker-audio me1.wav me2.wav me3.wav
```"""),
    ("code", '''mmser = f"TF_CPP_MIN_LOG_LEVEL=3 {sys.executable} -m mmser_lib.cli"  # `mmser`, run by this kernel
!{mmser} predict runs/pooled_mlp_audio {recording} --top 2 | head -6'''),
    ("md", "## 7. Save the numbers"),
    ("code", '''metrics = {
    "emotions": emotions,
    "uar_train_scaling": matrix.uar.round(4).to_dict(orient="index"),
    "uar_per_speaker": speaker_matrix.uar.round(4).to_dict(orient="index"),
    "diagonal_gap": {k: round(v, 4) for k, v in gap.items()},
    "diagonal_gap_per_speaker": {k: round(v, 4) for k, v in speaker_gap.items()},
    "corpus_identity_balanced_accuracy": round(identity, 4),
    "your_voice_stand_in": None if parts is None else {"windows": len(voice.windows),
                                                       "agreement": round(agreement, 4),
                                                       "agreement_per_speaker": round(speaker_agreement, 4)},
}
data = {"corpora": {c: {"corpus": c, "twin": is_twin[c]} for c in manifests}, "model": "mlp_audio",
        "split": "by speaker per corpus (60/20/20; TESS one speaker each), seed 0", "seed": 0,
        "epochs_max": EPOCHS, "fast_mode": FAST}
print("wrote", plots.write_metrics(NOTEBOOK, metrics, data))'''),
    ("md", """## Takeaways

* Cross-corpus scores go through the harmonised labels and only the emotions every corpus has.
* Score every cell of a column on the same test speakers; then the diagonal is the within-corpus,
  speaker-independent number and the rest of the column is what another corpus buys you.
* The diagonal wins because features carry the corpus (channel, speakers, acting, text, label habits): a
  linear classifier recognises the corpus from them almost perfectly.
* Per-speaker normalisation and pooling corpora are the two standard remedies; measure both.
* A recording of your voice is an unseen corpus with one speaker: predict it window by window, and give a
  per-speaker model a few more recordings of you.

## Exercises

1. Replace `mlp_audio` by `mlp_four_branch`-style audio inputs (eGeMAPS is designed to travel across
   corpora): write a one-branch model over `egemaps` and redo the matrix.
2. Drop the pooled row's own corpus from its training data (leave-one-corpus-out) for each column.
   How far is it from the diagonal?
3. Record yourself (or a friend) saying the same sentence in four emotions, and predict each clip with and
   without `--speaker-audio`.
4. Which emotion transfers worst between corpora? Look at `matrix.results[("ravdess", "crema_d")]`'s confusion
   matrix."""),
]


def main() -> None:
    write_notebook(CELLS, NOTEBOOK)


if __name__ == "__main__":
    main()
