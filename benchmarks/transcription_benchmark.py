"""Whisper engines side by side, and the cost of each text feature, printed as a table.

    python benchmarks/transcription_benchmark.py --root ../shared/data/ravdess-actors-01-12 --limit 48
    python benchmarks/transcription_benchmark.py            # on a small RAVDESS twin

Part 1 transcribes the same clips with every configuration in one run (no cache), and prints the
real-time factor (seconds of audio per second of wall time, higher is faster) and the tokens decoded:

* faster-whisper tiny.en (the shipped CTranslate2 model), int8 and float32, batch 1 and 8;
* openai-whisper tiny.en: the *same* weights, converted back from the CTranslate2 model;
* openai-whisper with randomly initialised weights of tiny.en's size, made to decode exactly as many
  tokens per clip as the real model did: the stand-in the issue asked for where real weights cannot
  be had. Its row next to the converted model's shows how good a stand-in it is.

Greedy decoding (beam 1) makes every engine decode the same kind of search; beam-5 rows follow.

Part 2 times each text feature per utterance on MELD's dev utterances (``--meld`` folder with
dev_sent_emo.csv) or, without it, on twin sentences: TF-IDF, Keras TextVectorization, MiniLM, and a
randomly initialised BERT of BERT-base's size (its cost is real, its vectors are not).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import mmser_lib  # noqa: F401  (before TensorFlow: see mmser_lib/__init__.py)
from mmser_lib import corpora, text, transcription
from mmser_lib.audio import load_audio
from mmser_lib.infra import pretrained, random_models
from mmser_lib.transcription import WhisperOptions


def time_engine(model, clips, batch_size: int, forced_tokens: list[int] | None = None) -> tuple[float, list]:
    """Wall seconds to decode ``clips`` in batches, and the token ids of each clip."""
    if forced_tokens is None:
        model.decode_batch(clips[:1])  # warm-up
    tokens = []
    started = time.perf_counter()
    for start in range(0, len(clips), batch_size):
        batch = clips[start:start + batch_size]
        if forced_tokens is None:
            tokens += model.decode_batch(batch)
        else:  # decode as many tokens as the real model did for each clip
            for clip, n in zip(batch, forced_tokens[start:start + batch_size]):
                tokens += model.decode_batch([clip], max_new_tokens=max(n, 1), suppress_end=True)
    return time.perf_counter() - started, tokens


def whisper_part(manifest: pd.DataFrame, threads: int, workdir: Path) -> pd.DataFrame:
    import torch

    torch.set_num_threads(threads)
    clips = [load_audio(p, 16_000) for p in manifest["path"]]
    seconds = sum(len(c) for c in clips) / 16_000
    print(f"{len(clips)} clips, {seconds:.0f} s of audio ({seconds / len(clips):.1f} s per clip), "
          f"{threads} threads\n")
    converted = pretrained.openai_whisper_from_ctranslate2(pretrained.faster_whisper_path("tiny.en"),
                                                           workdir / "tiny.en.pt")
    random_checkpoint = random_models.openai_whisper_checkpoint(workdir / "random-tiny.en.pt",
                                                                random_models.TINY_EN_DIMS)
    rows, reference_tokens = [], None
    configs = [
        ("faster-whisper", "tiny.en", "int8", 1, 1), ("faster-whisper", "tiny.en", "int8", 1, 8),
        ("faster-whisper", "tiny.en", "float32", 1, 8),
        ("openai-whisper", str(converted), "float32", 1, 1), ("openai-whisper", str(converted), "float32", 1, 8),
        ("openai-whisper (random weights)", str(random_checkpoint), "float32", 1, 1),
        ("faster-whisper", "tiny.en", "int8", 5, 8), ("openai-whisper", str(converted), "float32", 5, 8),
    ]
    for backend, model_path, compute_type, beam, batch in configs:
        options = WhisperOptions(beam_size=beam, batch_size=batch, compute_type=compute_type, cpu_threads=threads)
        random_weights = backend.endswith("(random weights)")
        engine = transcription.whisper_model(backend.split(" ")[0], model_path, options)
        forced = [len(t) for t in reference_tokens] if random_weights else None
        wall, tokens = time_engine(engine, clips, batch, forced)
        texts = [engine.text(t) for t in tokens]
        if backend == "faster-whisper" and beam == 1 and batch == 1:
            reference_tokens = tokens
        wer = np.nan if random_weights else transcription.error_rates(manifest["text"], texts).loc["all", "wer"]
        rows.append({"engine": backend, "weights": "random, tiny.en size" if random_weights else "tiny.en",
                     "precision": compute_type, "beam": beam, "batch": batch,
                     "tokens/clip": np.mean([len(t) for t in tokens]), "wall s": wall,
                     "x real time": seconds / wall, "WER": wer})
        print(f"  {backend:32s} {compute_type:8s} beam {beam} batch {batch}: {seconds / wall:5.1f}x real time")
    table = pd.DataFrame(rows)
    base = table[(table["engine"] == "faster-whisper") & (table["precision"] == "int8") & (table["beam"] == 1)
                 & (table["batch"] == 8)]["x real time"].iloc[0]
    table["vs faster-whisper int8"] = table["x real time"] / base
    return table


def text_part(sentences: list[str], workdir: Path) -> pd.DataFrame:
    rows = []

    def timed(name, function):
        function(sentences[:8])  # warm-up (model load, graph build)
        started = time.perf_counter()
        out = function(sentences)
        wall = time.perf_counter() - started
        rows.append({"feature": name, "dims": np.asarray(out).shape[1], "ms/utterance": 1000 * wall / len(sentences)})

    vectoriser = text.fit_tfidf(sentences)
    timed("TF-IDF (transform)", lambda s: text.tfidf_features(vectoriser, s))
    layer = text.fit_text_vectorizer(sentences)
    timed("Keras TextVectorization ids", lambda s: text.token_ids(layer, s))
    timed("MiniLM-L6 (shipped)", lambda s: text.sentence_embeddings(s, progress=False, device="cpu"))
    bert = random_models.bert_folder(workdir / "bert-base-random", random_models.BERT_BASE)
    timed("BERT-base size (random weights), [CLS]",
          lambda s: text.transformer_embeddings(s, str(bert), progress=False, device="cpu"))
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", help="a RAVDESS folder (default: a small twin)")
    parser.add_argument("--limit", type=int, default=48, help="clips to transcribe (spread over speakers)")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--meld", help="a folder with MELD's dev_sent_emo.csv (default: twin sentences)")
    parser.add_argument("--sentences", type=int, default=500, help="utterances for the text features")
    args = parser.parse_args()

    root = Path(args.root) if args.root else corpora.corpus_root("ravdess", speakers=4, repetitions=1)[0]
    manifest = corpora.load("ravdess", root, verbose=False)
    manifest = manifest.sample(frac=1.0, random_state=0).groupby("speaker").head(
        max(1, args.limit // manifest["speaker"].nunique())).head(args.limit)
    with tempfile.TemporaryDirectory() as workdir:
        workdir = Path(workdir)
        print("== Whisper engines on the same clips (no cache) ==")
        table = whisper_part(manifest, args.threads, workdir)
        with pd.option_context("display.width", 160, "display.max_columns", 20):
            print(table.round(3).to_string(index=False))
        if args.meld:
            from mmser_lib.corpora import meld

            sentences = meld.read_csv(Path(args.meld) / "dev_sent_emo.csv")["Utterance"].tolist()
        else:
            sentences = manifest["text"].tolist()
        sentences = (sentences * (args.sentences // max(len(sentences), 1) + 1))[: args.sentences]
        print(f"\n== Text features, {len(sentences)} utterances ==")
        print(text_part(sentences, workdir).round(3).to_string(index=False))


if __name__ == "__main__":
    main()
