"""Acoustic features: frame sequences for the Conv1D models, utterance statistics."""

from mmser_lib.features.sequences import SequenceParams, extract_sequences, sequence_from_audio
from mmser_lib.features.utterance import extract_statistics, statistics_from_audio

__all__ = [
    "SequenceParams", "extract_sequences", "sequence_from_audio",
    "extract_statistics", "statistics_from_audio",
]
