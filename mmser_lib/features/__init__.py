"""Acoustic features: utterance-level statistics and frame sequences, cached.

>>> from mmser_lib import features
>>> table = features.extract_features(manifest)           # one row per clip
>>> X, mask = features.extract_sequences(manifest)         # (n, 301, 64) log-mel frames

Modules: :mod:`~mmser_lib.features.spectral` (MFCC, chroma, spectral shape),
:mod:`~mmser_lib.features.prosody` (F0, loudness, speaking rate),
:mod:`~mmser_lib.features.voice_quality` (jitter, shimmer, HNR, formants),
:mod:`~mmser_lib.features.egemaps` (openSMILE), :mod:`~mmser_lib.features.sequences`
(frames), :mod:`~mmser_lib.features.ssl` (frozen HuBERT / wav2vec2 embeddings),
:mod:`~mmser_lib.features.whisper_encoder` (every layer of a frozen Whisper encoder, pooled),
:mod:`~mmser_lib.features.extract` (the entry points, cached through
:func:`mmser_lib.infra.cache.cached_map`).
"""

from mmser_lib.features.extract import (
    FLAG_COLUMNS,
    UTTERANCE_GROUPS,
    FeatureParams,
    extract_features,
    extract_sequences,
)
from mmser_lib.features.sequences import SequenceParams, sequence_from_audio
from mmser_lib.features.ssl import ssl_embeddings
from mmser_lib.features.whisper_encoder import whisper_embeddings

__all__ = [
    "FLAG_COLUMNS", "UTTERANCE_GROUPS", "FeatureParams", "SequenceParams",
    "extract_features", "extract_sequences", "sequence_from_audio", "ssl_embeddings", "whisper_embeddings",
]
