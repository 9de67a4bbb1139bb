"""Write the five per-corpus notebooks (03-07) from one outline, so they stay alike.

Each corpus gets the same walk (find, load, count, listen, look, extract,
cache, explore) plus cells of its own (CREMA-D levels, TESS's two speakers,
MELD's text and splits, IEMOCAP's labels and subsets, RAVDESS intensities).
Edit this file, not the notebooks, then run::

    python tools/make_corpus_notebooks.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
BADGE = ('<a href="https://colab.research.google.com/github/mmser/mmser/blob/main/notebooks/{name}.ipynb" '
         'target="_parent"><img src="https://colab.research.google.com/assets/colab-badge.svg" '
         'alt="Open In Colab"/></a>')
SETUP = '''# Setup: on Colab, fetch the repository and install mmser_lib (TensorFlow is already there).
# Elsewhere this cell does nothing: run `make setup` once instead (see README).
import sys

if "google.colab" in sys.modules:
    !git clone --depth 1 https://github.com/mmser/mmser.git /content/mmser
    %cd /content/mmser/notebooks
    !pip install -q -e ..'''

CORPORA = {
    "crema_d": dict(
        number="03", title="CREMA-D", twin="speakers=8 if FAST else 16, sentences=4 if FAST else 12",
        intro=(
            "CREMA-D (Cao et al., 2014) is the largest of the acted corpora in this course: **91 actors** "
            "(48 male, 43 female, aged 20-74, of several ethnicities) each say **12 fixed sentences** in six "
            "emotions, 7,442 clips at 16 kHz. The sentence *It's eleven o'clock* (code IEO) is also spoken at "
            "three intensity levels (LO, MD, HI); every other clip has level XX. Labels live in the file name, "
            "`AudioWAV/1001_DFA_ANG_XX.wav`, and sex and age in `VideoDemographics.csv`."),
        columns="sentence_id",
        column_note=("Every actor says every sentence in every emotion, so the **words carry no emotion**: a "
                     "text-only model can only be at chance here."),
    ),
    "ravdess": dict(
        number="04", title="RAVDESS", twin="speakers=8 if FAST else 12, repetitions=1 if FAST else 2",
        intro=(
            "RAVDESS (Livingstone & Russo, 2018) has **24 actors** (odd ids male) saying two sentences, "
            "*Kids are talking by the door* and *Dogs are sitting by the door*, in eight emotions at two "
            "intensities, twice each: 1,440 speech clips at 48 kHz. Notebook 01 introduced its file names; here "
            "we extract and explore the full feature set."),
        columns="intensity",
        column_note=("Neutral has no *strong* take, so it has half as many clips as the other emotions: "
                     "report UAR (the mean recall per class) next to accuracy."),
    ),
    "tess": dict(
        number="05", title="TESS", twin="words=10 if FAST else 40",
        intro=(
            "TESS, the Toronto emotional speech set (Dupuis & Pichora-Fuller, 2010), has only **two speakers**, "
            "both women: OAF (aged 64) and YAF (aged 26). Each says *Say the word ___* with 200 target words in "
            "seven emotions, 2,800 clips at 24,414 Hz. Pleasant surprise is `ps` in file names, and its folders "
            "are spelled three ways; some copies nest everything one folder deeper. The loader reads the emotion "
            "from the file name, so none of that matters."),
        columns="sentence_id",
        column_note=("With two speakers, a random split puts the same voice in training and test. The only "
                     "honest speaker-independent test is **train on one speaker, test on the other**; models that "
                     "report 99% on TESS almost always used a random split."),
    ),
    "meld": dict(
        number="06", title="MELD", twin="speakers=8, dialogues=(12, 3, 3) if FAST else (40, 8, 10)",
        intro=(
            "MELD (Poria et al., 2019) is *not* acted in a studio: 13,708 utterances from the TV series "
            "*Friends*, in dialogues, with seven emotions, heavily imbalanced (neutral is about 47%). Labels and "
            "text are in three CSVs; the audio is the sound track of `dia{D}_utt{U}.mp4` video files, which the "
            "loader decodes with PyAV. The text has curly quotes and, in some copies, mojibake (`\\x92` for an "
            "apostrophe), which the loader repairs. MELD comes with an **official train / dev / test split** by "
            "dialogue; speakers (the six main characters) appear in all three."),
        columns="split",
        column_note=("Use the official split for MELD so that numbers compare with the literature, and report "
                     "**weighted F1**, as the MELD papers do. The words *do* carry emotion here."),
    ),
    "iemocap": dict(
        number="07", title="IEMOCAP", twin="dialogs=2 if FAST else 6",
        intro=(
            "IEMOCAP (Busso et al., 2008) holds about 12 hours of dyadic sessions: **five sessions**, each with "
            "one actress and one actor, improvising or performing scripts. Each utterance has a majority label "
            "from several annotators, in `EmoEvaluation` files, and a transcript. About a quarter have **no "
            "majority** (`xxx`), which the loader skips and counts. The usual protocol is **leave one session "
            "out**, and the usual label set is 4 classes: neutral, happy (with *excited* merged in), sad, angry. "
            "IEMOCAP is licence-restricted, so only its twin ships with this course."),
        columns="split",
        column_note=("The session is the `split`: train on four sessions and test on the fifth, and no speaker "
                     "is ever on both sides."),
    ),
}

SPECIFIC = {
    "crema_d": [
        ("md", "### Intensity levels\n\nOnly IEO is spoken at three levels. Does *high* intensity really sound "
               "louder and higher than *low*? Look at the IEO clips alone:"),
        ("code", '''ieo = manifest["sentence_id"].eq("IEO") & manifest["intensity"].isin(["LO", "MD", "HI"])
ieo_table = table.loc[ieo[ieo].index]
levels = manifest.loc[ieo_table.index, "intensity"]
ieo_table.groupby(levels)[["loudness_mean", "f0_mean", "f0_range_st"]].mean().loc[["LO", "MD", "HI"]].round(1)'''),
    ],
    "ravdess": [
        ("md", "### Normal vs strong intensity\n\nStrong takes should move prosody further from neutral:"),
        ("code", '''strength = manifest.loc[table.index, "intensity"].map({"01": "normal", "02": "strong"})
table.groupby([manifest.loc[table.index, "emotion"], strength])["f0_mean"].mean().unstack().round(1)'''),
    ],
    "tess": [
        ("md", "### Two speakers, two clouds\n\nWith only two voices, how far apart are they? Compare the median "
               "F0 of each speaker with the spread between emotions within a speaker:"),
        ("code", '''f0_by_speaker = table.groupby(manifest.loc[table.index, "speaker"])["f0_median"]
print(f0_by_speaker.median().round(1))
table.groupby([manifest.loc[table.index, "speaker"], manifest.loc[table.index, "emotion"]])["f0_median"] \\
    .median().unstack(0).round(1)'''),
    ],
    "meld": [
        ("md", "### The text, repaired\n\nSome MELD copies store an apostrophe as the byte `\\x92` or as `â€™`. "
               "`meld.repair_mojibake` undoes both; the manifest already holds the repaired text:"),
        ("code", '''from mmser_lib.corpora import meld

for broken in ["I\\x92m fine", "You\\u00e2\\u20ac\\u2122re late"]:
    print(repr(broken), "->", meld.repair_mojibake(broken))
manifest[["speaker", "emotion", "text"]].head(8)'''),
        ("md", "### Class imbalance per split\n\nMELD's official split keeps the imbalance in every part:"),
        ("code", '''pd.crosstab(manifest["emotion"], manifest["split"], normalize="columns").round(2)'''),
    ],
    "iemocap": [
        ("md", "### Labels, skips and the standard subsets\n\nThe loader skipped the `xxx` and `oth` utterances "
               "and said so. `keep_unlabelled=True` keeps them, labelled `unlabelled` / `other`. The 4-class "
               "protocol merges *excited* into *happy*; seed 001's task is *sad vs not sad*:"),
        ("code", '''from mmser_lib.corpora import subsets

everything = corpora.load(CORPUS, root, verbose=False, keep_unlabelled=True)
print("all utterances:", len(everything), "| with a majority label:", len(manifest))
print("4-class:", subsets.four_class(manifest)["emotion"].value_counts().to_dict())
print("binary:", subsets.binary_sad(manifest)["emotion"].value_counts().to_dict())'''),
    ],
}

SHOW_FEATURES = '''{
    "f0_mean": "mean F0 (Hz)",
    "f0_range_st": "F0 range (semitones)",
    "loudness_mean": "mean intensity (dB)",
    "syllables_per_s": "speaking rate (syllables/s)",
    "hnr_mean_db": "HNR (dB)",
    "jitter_local": "jitter (local, fraction)",
}'''


def write_notebook(cells: list[tuple[str, str]], path: Path) -> None:
    """Write ``("md" | "code", text)`` cells as a Python 3 notebook at ``path``."""
    notebook = new_notebook()
    notebook.cells = [new_markdown_cell(text) if kind == "md" else new_code_cell(text) for kind, text in cells]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    print("wrote", path)


def build(corpus: str, spec: dict) -> nbformat.NotebookNode:
    name = f"{spec['number']}_{corpus}"
    title = spec["title"]
    cells = [
        new_markdown_cell(
            f"# {spec['number']} · {title}: load, listen, extract and explore\n\n{BADGE.format(name=name)}\n\n"
            f"{spec['intro']}\n\n**You will learn**\n\n"
            f"* how the {title} loader turns the release into the shared manifest, and what it skips and why;\n"
            "* how emotions, speakers and sentences are distributed, and what that means for a fair split;\n"
            "* how to extract the full feature set (spectral, prosody with Praat, voice quality, eGeMAPS, "
            "frame sequences) in parallel, and why the second run costs almost nothing;\n"
            "* what the features show before any model: which emotions differ, and how much of the variation "
            "is the **speaker** rather than the emotion."),
        new_code_cell(SETUP),
        new_markdown_cell(
            f"## 1. Find the corpus\n\nWith the environment variable `MMSER_{corpus.upper()}_ROOT` pointing at the "
            f"real release (see `data/README.md`), this notebook reads it. Without it, `corpus_root` writes a "
            f"synthetic **twin** once: same layout, same file names, same quirks, speech from the eSpeak NG "
            f"synthesiser with emotional prosody. Numbers on a twin teach the method, not facts about "
            f"{title}."),
        new_code_cell(
            f'''import numpy as np
{"import pandas as pd" + chr(10) if corpus == "meld" else ""}from IPython.display import Audio, display

from mmser_lib import config, corpora, explore, features, plots

NOTEBOOK = "{name}"
CORPUS = "{corpus}"
FAST = config.fast_mode()  # CI sets MMSER_FAST=1: a smaller twin
root, is_twin = corpora.corpus_root(CORPUS, {spec['twin']})
print("using", "a synthetic twin" if is_twin else "the real corpus", "in", root)'''),
        new_markdown_cell(
            "## 2. The manifest\n\n`corpora.load` returns one row per utterance with the same columns for every "
            "corpus. Anything it cannot use (an unparseable name, an undefined label code, a missing or unreadable "
            "file) is **counted and reported**, never silently dropped."),
        new_code_cell('''manifest = corpora.load(CORPUS, root)
print(len(manifest), "utterances,", manifest["speaker"].nunique(), "speakers")
print("skipped:", {reason: len(files) for reason, files in manifest.attrs["skipped"].items()})
manifest.head()'''),
        new_markdown_cell(
            "## 3. Who says what\n\nBefore any model, count. Class balance decides which metric is honest "
            "(UAR rather than accuracy when classes are unequal); speakers decide how to split."),
        new_code_cell('''fig = plots.plot_counts(manifest, "emotion", title=f"{CORPUS}: utterances per emotion")
plots.save_figure(fig, NOTEBOOK, "emotions")'''),
        new_code_cell('''fig = plots.plot_counts(manifest, "speaker", hue="emotion", top=30,
                       title=f"{CORPUS}: utterances per speaker and emotion")
plots.save_figure(fig, NOTEBOOK, "speakers")'''),
        new_markdown_cell(f"{spec['column_note']}"),
        new_code_cell(f'''column = "{spec['columns']}"
fig = plots.plot_counts(manifest, column, hue="emotion", top=25, title=f"{{CORPUS}}: utterances per {{column}}")
plots.save_figure(fig, NOTEBOOK, "by_{spec['columns']}")'''),
        new_markdown_cell(
            "## 4. Listen and look\n\nOne clip per emotion from the first speaker. Listen for pitch, loudness "
            "and tempo; then look at one clip's waveform, spectrogram and F0 contour (the pitch track Praat "
            "computes, which the prosody features summarise)."),
        new_code_cell('''from mmser_lib.audio import load_audio

first_speaker = manifest["speaker"].iloc[0]
examples = manifest[manifest["speaker"] == first_speaker].groupby("emotion").head(1)
for _, row in examples.iterrows():
    print(f"{row.emotion:>10}: {row.text}")
    display(Audio(load_audio(row.path), rate=16_000))'''),
        new_code_cell('''import parselmouth

from mmser_lib.features.prosody import f0_contour, pitch_track

row = examples.iloc[0]
y = load_audio(row.path)
times, f0 = f0_contour(pitch_track(parselmouth.Sound(y.astype(np.float64), 16_000)))
fig = plots.plot_clip(y, 16_000, times, f0, title=f"{row.utterance_id} ({row.emotion}): \\"{row.text}\\"")
plots.save_figure(fig, NOTEBOOK, "clip")'''),
        new_markdown_cell(
            "## 5. Extract the full feature set\n\n`features.extract_features` loads each clip once, trims its "
            "silence, and computes\n\n"
            "* **spectral** statistics from one shared STFT: 40 MFCCs and their deltas, chroma, centroid, "
            "bandwidth, rolloff, contrast, zero-crossing rate, RMS;\n"
            "* **prosody** with Praat: F0 statistics, voiced fraction, loudness, speaking rate (syllable "
            "nuclei);\n"
            "* **voice quality** with Praat: jitter, shimmer, harmonics-to-noise ratio, formants F1-F3;\n"
            "* **eGeMAPS**: the 88 openSMILE functionals the field uses as its standard;\n\n"
            "plus three `flag_*` columns (silent, too short, unvoiced): a value a clip cannot define is 0 *and* "
            "flagged, never NaN. Work is spread over every CPU core, and each result is written to a cache "
            "keyed by the audio file's content and the parameters."),
        new_code_cell('''import time

started = time.perf_counter()
table = features.extract_features(manifest)
first_run = time.perf_counter() - started
print(f"{table.shape[1]} features for {len(table)} clips in {first_run:.1f} s")'''),
        new_markdown_cell(
            "Run it again: every entry is now read from the cache. Change a parameter (say "
            "`features.FeatureParams(pitch_floor=60)`) and only the groups that use it are recomputed."),
        new_code_cell('''started = time.perf_counter()
table = features.extract_features(manifest)
print(f"second run: {time.perf_counter() - started:.2f} s (first: {first_run:.1f} s)")
print("flagged clips:", table[features.FLAG_COLUMNS].sum().to_dict())'''),
        new_markdown_cell(
            "The Conv1D models read **frame sequences** instead: log-mel (or MFCC) frames every 10 ms, cut or "
            "padded to 3 s, with a mask saying which frames hold audio. They are cached the same way."),
        new_code_cell('''X, mask = features.extract_sequences(manifest.loc[table.index])
print("log-mel frames:", X.shape, "| share of frames holding audio:", round(float(mask.mean()), 2))'''),
        new_markdown_cell(
            "## 6. What the features show\n\nA few interpretable features per emotion. In acted speech, anger "
            "and happiness are usually louder, higher and more varied in pitch; sadness lower, quieter and "
            "slower."),
        new_code_cell(f'''emotions = manifest.loc[table.index, "emotion"]
fig = plots.plot_features_by_emotion(table, emotions, {SHOW_FEATURES}, title=f"{{CORPUS}}: features by emotion")
plots.save_figure(fig, NOTEBOOK, "features_by_emotion")'''),
        new_markdown_cell(
            "Now all features at once, squeezed into two dimensions with PCA after standardising each column. "
            "The same points are coloured twice: by emotion and by speaker. Two dimensions hide a lot, so we "
            "also ask the full feature space a simple question: **is a clip's nearest neighbour the same "
            "speaker? The same emotion?** and compare each answer with chance."),
        new_code_cell('''speakers = manifest.loc[table.index, "speaker"]
points, explained = explore.pca_2d(table)
same_emotion, emotion_chance = explore.nearest_neighbour_agreement(table, emotions)
same_speaker, speaker_chance = explore.nearest_neighbour_agreement(table, speakers)
print(f"nearest neighbour has the same emotion: {same_emotion:.0%} (chance {emotion_chance:.0%})")
print(f"nearest neighbour has the same speaker: {same_speaker:.0%} (chance {speaker_chance:.0%})")
fig = plots.plot_projection(points, {"emotion": emotions, "speaker": speakers},
                            title=f"{CORPUS}: PCA of {table.shape[1]} standardised features",
                            axis_labels=(f"PC 1 ({explained[0]:.0%} of variance)",
                                         f"PC 2 ({explained[1]:.0%} of variance)"))
plots.save_figure(fig, NOTEBOOK, "projection")'''),
        new_markdown_cell(
            "Divide each share by its chance level. When the speaker ratio is the larger one, the features know "
            "*who* speaks better than *how they feel*. That is why a random split, with each speaker on both "
            "sides, flatters a model: it can match the voice. Notebook 02 and the splits notebook measure how "
            "much."),
    ]
    for kind, text in SPECIFIC.get(corpus, []):
        cells.append(new_markdown_cell(text) if kind == "md" else new_code_cell(text))
    cells += [
        new_markdown_cell("## 7. Save the numbers\n\n`metrics.json` beside the figures lets an instructor "
                          "compare a student's run with the reference."),
        new_code_cell('''plots.write_metrics(
    NOTEBOOK,
    {
        "utterances": len(manifest),
        "speakers": int(manifest["speaker"].nunique()),
        "emotion_counts": manifest["emotion"].value_counts().to_dict(),
        "skipped": {reason: len(files) for reason, files in manifest.attrs["skipped"].items()},
        "n_features": int(table.shape[1]),
        "flagged": table[features.FLAG_COLUMNS].sum().astype(int).to_dict(),
        "nn_same_emotion": round(same_emotion, 3),
        "nn_same_emotion_chance": round(emotion_chance, 3),
        "nn_same_speaker": round(same_speaker, 3),
        "nn_same_speaker_chance": round(speaker_chance, 3),
        "pca_explained": [round(float(v), 3) for v in explained],
        "mean_f0_by_emotion_hz": table.groupby(emotions)["f0_mean"].mean().round(1).to_dict(),
    },
    {"corpus": CORPUS, "twin": is_twin, "root": str(root) if not is_twin else "twin", "fast": FAST},
)'''),
        new_markdown_cell(
            "## Takeaways\n\n"
            f"* The loader reads the real {title} layout and reports everything it skips; the twin has the same "
            "layout, so every cell runs without the corpus.\n"
            "* Count before you model: class balance picks the metric, speakers pick the split.\n"
            "* Praat pitch and voice quality, one shared STFT and parallel workers make the full feature set "
            "cheap; the cache makes the second run nearly free.\n"
            "* Features encode the speaker as much as the emotion, so evaluate on unseen speakers.\n\n"
            "## Exercises\n\n"
            "1. Re-run section 5 with `features.FeatureParams(pitch_floor=60, pitch_ceiling=400)`. Which groups "
            "were recomputed (`table.attrs['report']['computed_groups']`)? Which values changed most?\n"
            "2. Replace PCA with `sklearn.manifold.TSNE` in section 6. Do the clusters follow emotion or "
            "speaker?\n"
            "3. Standardise the features *per speaker* (subtract each speaker's mean, divide by their standard "
            "deviation) and recompute both nearest-neighbour shares. What happens, and why?\n"
            "4. Pick the emotion pair that overlaps most in section 6 and listen to a few clips of each. What "
            "would a model need to tell them apart?"),
    ]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def main() -> None:
    for corpus, spec in CORPORA.items():
        path = NOTEBOOKS / f"{spec['number']}_{corpus}.ipynb"
        nbformat.write(build(corpus, spec), path)
        print("wrote", path)


if __name__ == "__main__":
    main()
