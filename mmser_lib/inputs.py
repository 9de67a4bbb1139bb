"""What a model reads: named *input kinds*, computed for a manifest and scaled by a pipeline fitted on training rows.

Every architecture (see :mod:`mmser_lib.architectures`) names the kinds it
takes, and its Keras inputs carry the same names:

============  ======================================================  ====================
kind          what                                                    shape per utterance
============  ======================================================  ====================
frames        log-mel frames (:func:`features.extract_sequences`)     (301, 64)
tfidf         TF-IDF of the transcript (fitted on training text)      (vocabulary,)
sentence      all-MiniLM-L6-v2 sentence embedding of the transcript   (384,)
tokens        MiniLM vectors of each word piece, zero-padded          (32, 384)
spectral      208 MFCC / chroma / spectral statistics                 (208,)
egemaps       88 openSMILE eGeMAPS functionals                        (88,)
prosody       Praat prosody (19) and voice quality (12)               (31,)
contours      pitch, voicing and loudness contours plus speaking rate (901,)
whisper_base  Whisper base encoder, each of its 7 layers' frames      (7168,) = 7 x 1024
              mean and sd pooled (:mod:`features.whisper_encoder`)
context       the sentence embeddings of an utterance and of the 5    (6, 386)
              before it in its MELD dialogue, with same-speaker and
              this-utterance flags (:func:`text.dialogue_context`)
============  ======================================================  ====================

:class:`InputPipeline` is fitted on the training rows only (scalers,
vectoriser) and saved with a run, so ``mmser evaluate`` and ``mmser
predict`` transform new audio exactly as the training audio was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler

from mmser_lib import scaling, text
from mmser_lib.features import FeatureParams, SequenceParams, extract_features, extract_sequences
from mmser_lib.features.whisper_encoder import whisper_embeddings

KINDS = ("frames", "tfidf", "sentence", "tokens", "context", "spectral", "egemaps", "prosody", "contours",
         "whisper_base")
FEATURE_GROUPS = {"spectral": ("spectral",), "egemaps": ("egemaps",), "prosody": ("prosody", "voice_quality"),
                  "contours": ("contours",)}
TEXT_KINDS = ("tfidf", "sentence", "tokens", "context")
SPEAKER_SCALED = ("frames", "spectral", "egemaps", "prosody", "contours", "whisper_base")
#: input kind -> the Whisper model whose pooled encoder layers it holds, flattened to one row per clip
WHISPER_KINDS = {"whisper_base": "base"}  # what "speaker" scaling applies to
MAX_TOKENS = 32
CONTEXT_TURNS = 5  # preceding utterances of the dialogue in the "context" kind


def raw_inputs(manifest: pd.DataFrame, kinds, sequence_params: SequenceParams | None = None,
               progress: bool = True, cache: bool = True) -> dict[str, np.ndarray]:
    """Every requested kind for every row, before any fitted scaling (TF-IDF raw text stays text).

    ``cache=False`` neither reads nor writes the feature cache (one-off recordings).

    Returns
    -------
    dict kind -> np.ndarray with one row per manifest row; ``frames`` comes
    with ``frames_mask`` (n, n_frames) and ``tokens`` with ``tokens_mask``.
    ``tfidf`` holds the normalised transcripts (the vectoriser is fitted later).

    Raises
    ------
    ValueError
        A text kind is asked for and every transcript is empty, or a kind is unknown.
    """
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown input kind(s) {unknown}; choose from {KINDS}")
    if any(k in TEXT_KINDS for k in kinds):
        if "text" not in manifest or not manifest["text"].fillna("").str.strip().any():
            raise ValueError("this model reads transcripts, but every utterance's text is empty: use a corpus "
                             "with transcripts, or transcribe first (mmser_lib.transcription.transcribe)")
    out: dict[str, np.ndarray] = {}
    if "frames" in kinds:
        out["frames"], out["frames_mask"] = extract_sequences(manifest, sequence_params, cache=cache,
                                                              progress=progress)
    groups = sorted({g for k in kinds if k in FEATURE_GROUPS for g in FEATURE_GROUPS[k]})
    if groups:
        table = extract_features(manifest, groups=tuple(groups), params=FeatureParams(), cache=cache,
                                 progress=progress, verbose=False)
        missing = manifest.index.difference(table.index)
        if len(missing):
            bad = manifest.loc[missing, "path"].head(3).tolist()
            raise ValueError(f"{len(missing)} file(s) could not be read, e.g. {bad}; drop them from the manifest")
        columns = table.attrs["group_columns"]
        for kind in kinds:
            if kind in FEATURE_GROUPS:
                out[kind] = table[[c for g in FEATURE_GROUPS[kind] for c in columns[g]]].to_numpy(np.float32)
    for kind, model in WHISPER_KINDS.items():
        if kind in kinds:
            X, report = whisper_embeddings(manifest, model, use_cache=cache, progress=progress, verbose=False)
            if report.failed:
                bad = list(report.failed)[:3]
                raise ValueError(f"{len(report.failed)} file(s) could not be read, e.g. {bad}; drop them from the "
                                 "manifest")
            out[kind] = X.reshape(len(X), -1)
    texts = manifest["text"].fillna("").astype(str).tolist() if "text" in manifest else []
    if "tfidf" in kinds:
        out["tfidf"] = np.array(texts, dtype=object)
    if "sentence" in kinds:
        out["sentence"] = text.sentence_embeddings(texts, progress=False)
    if "tokens" in kinds:
        out["tokens"], out["tokens_mask"] = text.token_embeddings(texts, max_tokens=MAX_TOKENS, progress=False)
    if "context" in kinds:
        from mmser_lib.corpora.meld import dialogue_positions

        where = dialogue_positions(manifest)  # a clear error for corpora without dialogues
        vectors = out["sentence"] if "sentence" in out else text.sentence_embeddings(texts, progress=False)
        out["context"] = text.dialogue_context(vectors, where["dialogue"], where["turn"], manifest["speaker"],
                                               turns=CONTEXT_TURNS)
    return out


def take_rows(raw: dict[str, np.ndarray], rows) -> dict[str, np.ndarray]:
    """The same raw inputs for a subset of rows (a boolean mask or integer indices)."""
    return {k: v[rows] for k, v in raw.items()}


@dataclass
class InputPipeline:
    """Scaling and text vectorising fitted on training rows, applied to any rows.

    Parameters
    ----------
    kinds : the input kinds of the model.
    scaling : "train" (StandardScaler fitted on training rows), "speaker"
        (each speaker z-scored with their own statistics: audio kinds; text
        kinds as "train") or "none" (raw values).
    """

    kinds: tuple[str, ...]
    scaling: str = "train"
    sequence_params: dict = field(default_factory=lambda: SequenceParams().to_dict())
    scalers: dict = field(default_factory=dict)
    vectoriser: object | None = None

    def __post_init__(self):
        if self.scaling not in ("train", "speaker", "none"):
            raise ValueError(f"scaling must be 'train', 'speaker' or 'none', not {self.scaling!r}")

    @property
    def params(self) -> SequenceParams:
        return SequenceParams(**self.sequence_params)

    def raw(self, manifest: pd.DataFrame, progress: bool = True, cache: bool = True) -> dict[str, np.ndarray]:
        return raw_inputs(manifest, self.kinds, self.params, progress, cache)

    def fit(self, manifest: pd.DataFrame, raw: dict[str, np.ndarray]) -> InputPipeline:
        """Fit the vectoriser and scalers on these (training) rows."""
        for kind in self.kinds:
            if kind == "tfidf":
                self.vectoriser = text.fit_tfidf(raw["tfidf"])
            elif kind in ("frames", "tokens", "context"):
                continue  # frames: scaled by a Normalization layer inside the model; text vectors: as the encoder gives
            elif self.scaling == "train" or (self.scaling == "speaker" and kind not in SPEAKER_SCALED):
                self.scalers[kind] = StandardScaler().fit(raw[kind])
        return self

    def transform(self, manifest: pd.DataFrame, raw: dict[str, np.ndarray],
                  reference: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """The model's inputs for these rows, dict kind -> np.ndarray (float32).

        Models over frames also get ``frames_mask`` (n, n_frames), 1 on real frames.

        ``reference`` : with per-speaker scaling, the rows (bool, shape (n_rows,)) whose
        statistics normalise their speaker: the enrolment clips. Default: all rows.
        """
        out = {}
        for kind in self.kinds:
            if kind == "tfidf":
                out[kind] = text.tfidf_features(self.vectoriser, raw["tfidf"])
            elif self.scaling == "speaker" and kind in SPEAKER_SCALED:
                out[kind] = scaling.speaker_standardise(raw[kind], manifest["speaker"].to_numpy(),
                                                        mask=raw.get(f"{kind}_mask"), reference=reference)
            elif kind in self.scalers:
                out[kind] = self.scalers[kind].transform(raw[kind]).astype(np.float32)
            else:
                out[kind] = np.asarray(raw[kind], dtype=np.float32)
        if "frames" in self.kinds:  # frame models also read which frames are real (see mmser_lib.models)
            out["frames_mask"] = np.asarray(raw["frames_mask"], dtype=np.float32)
        return out

    def shapes(self, inputs: dict[str, np.ndarray]) -> dict[str, tuple[int, ...]]:
        """Shape of one row of each input (what the model builders take)."""
        if "tfidf" in self.kinds and self.vectoriser is not None:
            return {k: (len(self.vectoriser.vocabulary_),) if k == "tfidf" else tuple(v.shape[1:])
                    for k, v in inputs.items()}
        return {k: tuple(v.shape[1:]) for k, v in inputs.items()}
