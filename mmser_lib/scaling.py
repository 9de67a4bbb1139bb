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
    that speaker's own mean and standard deviation. No labels are used, so
    it is legitimate for a test speaker too, provided you have several of
    their recordings (their emotions need not be known). It removes the
    speaker's voice (pitch level, loudness habit) and leaves how the voice
    *changes*, which is what emotion is.
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


def speaker_standardise(X: np.ndarray, speakers, mask: np.ndarray | None = None,
                        min_std: float = 1e-6) -> np.ndarray:
    """z-score each speaker's rows with that speaker's own statistics.

    Parameters
    ----------
    X : shape (n, n_features) utterance features, or (n, n_frames, n_features) frames.
    speakers : shape (n,), the speaker of each row.
    mask : for frames, shape (n, n_frames), True where the frame holds audio; the
        statistics are taken over real frames only and padding stays 0.
    min_std : features that do not vary within a speaker are only centred.

    Returns
    -------
    np.ndarray, same shape as ``X``, float32.
    """
    X = np.asarray(X, dtype=np.float32)
    speakers = np.asarray(speakers)
    out = np.zeros_like(X)
    for speaker in pd.unique(speakers):
        rows = speakers == speaker
        block = X[rows].astype(np.float64)  # statistics in double precision: offsets can be large (Hz)
        if block.ndim == 3:
            real = np.ones(block.shape[:2], bool) if mask is None else np.asarray(mask)[rows]
            values = block[real]  # (n_real_frames, n_features)
            mean, std = values.mean(axis=0), values.std(axis=0)
            scaled = (block - mean) / np.where(std > min_std, std, 1.0)
            out[rows] = np.where(real[..., None], scaled, 0.0)
        else:
            mean, std = block.mean(axis=0), block.std(axis=0)
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
