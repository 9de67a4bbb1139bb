"""Corpus-standard subsets of a manifest: IEMOCAP 4-class, sad vs non-sad, shared labels."""

from __future__ import annotations

import pandas as pd

FOUR_CLASSES = ["neutral", "happy", "sad", "angry"]


def four_class(manifest: pd.DataFrame) -> pd.DataFrame:
    """The usual IEMOCAP 4-class protocol: neutral, happy (with excited merged in), sad, angry.

    Returns
    -------
    A copy holding only those four emotions; merged rows keep
    ``emotion_raw`` (``exc``), so the merge stays visible.
    """
    merged = manifest.assign(emotion=manifest["emotion"].replace({"excited": "happy"}))
    return merged[merged["emotion"].isin(FOUR_CLASSES)].reset_index(drop=True)


def binary_sad(manifest: pd.DataFrame) -> pd.DataFrame:
    """Sad vs non-sad (seed 001): ``emotion`` becomes ``"sad"`` or ``"not_sad"``.

    Rows without a usable label (IEMOCAP ``unlabelled`` / ``other``) are dropped.
    """
    usable = manifest[~manifest["emotion"].isin(["unlabelled", "other"])]
    labels = usable["emotion"].where(usable["emotion"] == "sad", "not_sad")
    return usable.assign(emotion=labels).reset_index(drop=True)


def shared_emotions(*manifests: pd.DataFrame) -> list[str]:
    """The harmonised emotions every given manifest has, in a stable order."""
    common = set.intersection(*(set(m["emotion"]) for m in manifests))
    return sorted(common)
