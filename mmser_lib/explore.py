"""Numbers for exploring a feature table before any model: projections and separability."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def pca_2d(table: pd.DataFrame, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Standardise every column, then project on the first two principal components.

    Exploration only: the scaler and PCA see every utterance, so nothing
    learnt here may be used to evaluate a model.

    Returns
    -------
    points : np.ndarray, shape (n_utterances, 2)
    explained : np.ndarray, shape (2,), share of the variance each component explains
    """
    varying = table.loc[:, table.std() > 0]
    pipeline = make_pipeline(StandardScaler(), PCA(n_components=2, random_state=seed))
    points = pipeline.fit_transform(varying.to_numpy())
    return points, pipeline[-1].explained_variance_ratio_


def nearest_neighbour_agreement(table: pd.DataFrame, labels) -> tuple[float, float]:
    """How often a clip's nearest other clip (standardised features, Euclidean) has the same label.

    Compare it for emotion and for speaker: if a clip's nearest neighbour is
    far more often the same speaker than chance, the features encode the
    voice, and a random split (the same speaker on both sides) flatters any
    model that can match voices.

    Returns
    -------
    share : float, fraction of clips whose nearest neighbour has the same label
    chance : float, the same fraction for labels assigned at random
        (sum over labels of n_k / n * (n_k - 1) / (n - 1))
    """
    from sklearn.neighbors import NearestNeighbors

    labels = np.asarray(labels)
    scaled = StandardScaler().fit_transform(table.loc[:, table.std() > 0].to_numpy())
    _, neighbours = NearestNeighbors(n_neighbors=2).fit(scaled).kneighbors(scaled)
    share = float(np.mean(labels[neighbours[:, 1]] == labels))
    n = len(labels)
    counts = pd.Series(labels).value_counts().to_numpy()
    chance = float(np.sum(counts / n * (counts - 1) / max(n - 1, 1)))
    return share, chance
