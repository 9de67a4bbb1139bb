"""Feature scaling: fitted on training data, per speaker, or (to show the mistake) per split.

Three honest choices and one that is not:

``"none"``
    raw values: Hz next to dB next to ratios, so the largest-valued
    features dominate every distance and every initial gradient.
``"train"``
    z-scores with a StandardScaler fitted on the *training* rows only and
    applied unchanged to validation and test (the default).
``"speaker"``
    per-speaker normalisation: every speaker's features are z-scored with
    that speaker's own mean and standard deviation. It removes the
    speaker's voice (pitch level, loudness habit) and leaves how the voice
    *changes*, which is what emotion is. For a *test* speaker the statistics
    must come from **enrolment clips that are not scored**
    (:func:`enrolment_rows`: K clips per speaker, drawn at random or
    neutral ones), as a deployed system would ask a new user for a few
    recordings first. Taking them from all of the speaker's test clips
    (``enrol=0``) lets every scored clip shape its own normalisation, and
    in an emotion-balanced corpus such as RAVDESS the speaker's mean is the
    mean over all emotions: the same property the per-split scaler below
    exploits. It is kept only as a labelled upper bound.
``"per_split"`` (Clark et al., wrong)
    a scaler fitted on the training rows *and another fitted on the test
    rows*. The test scaler uses the test set's statistics, so every test
    prediction depends on the other test clips: the score is not that of a
    model you could deploy on one new clip.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler

SCALINGS = ("none", "train", "speaker", "per_split")


ENROL_FROM = ("random", "neutral")


def enrolment_rows(manifest: pd.DataFrame, k: int, seed: int = 0, source: str = "random") -> np.ndarray:
    """Choose ``k`` enrolment clips per speaker: their statistics normalise the speaker, and they are not scored.

    Parameters
    ----------
    manifest : needs ``speaker`` (and ``emotion`` for ``source="neutral"``).
    k : clips per speaker.
    seed : which clips are drawn.
    source : "random" (any of the speaker's clips, emotions unknown: what a deployed system
        gets) or "neutral" (only clips labelled neutral, as when a new user is asked to read
        a few sentences calmly; a speaker with fewer neutral clips gives what they have).

    Returns
    -------
    np.ndarray of bool, shape (n_rows,): True for enrolment clips.

    Raises
    ------
    ValueError
        A speaker would have no clip left to score, or (``neutral``) no neutral clip.
    """
    if source not in ENROL_FROM:
        raise ValueError(f"enrolment clips come from {ENROL_FROM}, not {source!r}")
    if k < 1:
        raise ValueError(f"enrolment needs at least one clip per speaker, not {k}")
    rng = np.random.default_rng(seed)
    speakers = manifest["speaker"].to_numpy()
    chosen = np.zeros(len(manifest), dtype=bool)
    too_few, no_neutral = [], []
    for speaker in sorted(pd.unique(speakers)):
        rows = np.flatnonzero(speakers == speaker)
        pool = rows
        if source == "neutral":
            pool = rows[manifest["emotion"].to_numpy()[rows] == "neutral"]
            if len(pool) == 0:
                no_neutral.append(speaker)
                continue
        if len(rows) - min(k, len(pool)) < 1:
            too_few.append(f"{speaker} ({len(rows)} clips)")
            continue
        chosen[rng.choice(pool, size=min(k, len(pool)), replace=False)] = True
    if no_neutral:
        raise ValueError(f"neutral enrolment: speakers {no_neutral} have no clip labelled neutral; "
                         "use random enrolment")
    if too_few:
        raise ValueError(f"enrolment of {k} clips leaves nothing to score for {', '.join(too_few)}; "
                         "use a smaller --enrol")
    return chosen


def speaker_standardise(X: np.ndarray, speakers, mask: np.ndarray | None = None,
                        min_std: float = 1e-6, reference: np.ndarray | None = None) -> np.ndarray:
    """z-score each speaker's rows with that speaker's own statistics.

    Parameters
    ----------
    X : shape (n, n_features) utterance features, or (n, n_frames, n_features) frames.
    speakers : shape (n,), the speaker of each row.
    mask : for frames, shape (n, n_frames), True where the frame holds audio; the
        statistics are taken over real frames only and padding stays 0.
    min_std : features that do not vary within a speaker are only centred.
    reference : shape (n,) bool, optional: take each speaker's statistics from these
        rows only (their enrolment clips, :func:`enrolment_rows`) and apply them to all
        of the speaker's rows. Default: all of the speaker's rows.

    Returns
    -------
    np.ndarray, same shape as ``X``, float32.
    """
    X = np.asarray(X, dtype=np.float32)
    speakers = np.asarray(speakers)
    reference = np.ones(len(X), dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
    out = np.zeros_like(X)
    for speaker in pd.unique(speakers):
        rows = speakers == speaker
        if not (rows & reference).any():
            raise ValueError(f"speaker {speaker} has no enrolment clip to take statistics from")
        block = X[rows].astype(np.float64)  # statistics in double precision: offsets can be large (Hz)
        enrolled = reference[rows]
        if block.ndim == 3:
            real = np.ones(block.shape[:2], bool) if mask is None else np.asarray(mask)[rows]
            values = block[enrolled][real[enrolled]]  # (n_real_frames of the enrolment clips, n_features)
            mean, std = values.mean(axis=0), values.std(axis=0)
            scaled = (block - mean) / np.where(std > min_std, std, 1.0)
            out[rows] = np.where(real[..., None], scaled, 0.0)
        else:
            mean, std = block[enrolled].mean(axis=0), block[enrolled].std(axis=0)
            out[rows] = (block - mean) / np.where(std > min_std, std, 1.0)
    return out


def scale_features(X: np.ndarray, split: pd.Series | np.ndarray, how: str = "train",
                   speakers=None) -> np.ndarray:
    """Scale utterance features for every row, the way ``how`` says (see the module docstring).

    Parameters
    ----------
    X : shape (n, n_features).
    split : "train" / "val" / "test" per row.
    how : one of :data:`SCALINGS`.
    speakers : shape (n,), needed for ``how="speaker"``.

    Returns
    -------
    np.ndarray, shape (n, n_features), float32.
    """
    X = np.asarray(X, dtype=np.float32)
    split = np.asarray(split)
    if how == "none":
        return X.copy()
    if how == "train":
        return StandardScaler().fit(X[split == "train"]).transform(X).astype(np.float32)
    if how == "speaker":
        if speakers is None:
            raise ValueError("per-speaker scaling needs the speaker of every row")
        return speaker_standardise(X, speakers)
    if how == "per_split":
        out = np.empty_like(X)
        for side in np.unique(split):
            rows = split == side
            out[rows] = StandardScaler().fit_transform(X[rows])
        return out
    raise ValueError(f"unknown scaling {how!r}; choose from {SCALINGS}")
