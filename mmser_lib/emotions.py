"""Emotions in one place: the harmonised order, one colour per emotion, and the standard emotion sets.

Every table, confusion matrix and figure of the course lists emotions in
:data:`ORDER` and draws each one in its :data:`COLOURS` entry, so "sad" is
the same blue in every notebook.
"""

from __future__ import annotations

import pandas as pd

# Harmonised labels in the order tables and confusion matrices use; corpus extras (IEMOCAP) after the eight.
ORDER = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised",
         "excited", "frustrated", "other", "unlabelled"]

# One colour per emotion (colour-blind-safe Okabe-Ito hues first, then neutral greys).
COLOURS = {
    "neutral": "#999999", "calm": "#56B4E9", "happy": "#E69F00", "sad": "#0072B2", "angry": "#D55E00",
    "fearful": "#CC79A7", "disgust": "#009E73", "surprised": "#F0E442", "excited": "#E6C200",
    "frustrated": "#8C2D04", "other": "#BBBBBB", "unlabelled": "#DDDDDD",
}
_SPARE = ["#4D4D4D", "#7F3C8D", "#11A579", "#3969AC", "#F2B701", "#E73F74"]

# IEMOCAP's usual 4-class protocol (excited merged into happy); also the emotions all five corpora share.
FOUR_CLASSES = ["neutral", "happy", "sad", "angry"]


def ordered(emotions) -> list[str]:
    """The distinct emotions of ``emotions`` in :data:`ORDER` (unknown labels alphabetically after)."""
    present = set(emotions)
    return [e for e in ORDER if e in present] + sorted(present - set(ORDER))


def colours(emotions) -> list[str]:
    """The colour of each emotion, in the order given (labels outside :data:`COLOURS` get spare colours)."""
    spare = iter(_SPARE * 4)
    return [COLOURS.get(e) or next(spare) for e in emotions]


def four_class(manifest: pd.DataFrame) -> pd.DataFrame:
    """The usual IEMOCAP 4-class protocol: neutral, happy (with excited merged in), sad, angry.

    Returns
    -------
    A copy holding only those four emotions; merged rows keep
    ``emotion_raw`` (``exc``), so the merge stays visible.
    """
    merged = manifest.assign(emotion=manifest["emotion"].replace({"excited": "happy"}))
    return merged[merged["emotion"].isin(FOUR_CLASSES)].reset_index(drop=True)


def shared(*manifests: pd.DataFrame) -> list[str]:
    """The harmonised emotions every given manifest has, in :data:`ORDER`."""
    return ordered(set.intersection(*(set(m["emotion"]) for m in manifests)))
