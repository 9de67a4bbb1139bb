"""Numbers for exploring a feature table before any model: projections and separability."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
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


def separability(table: pd.DataFrame, labels) -> float:
    """Silhouette score of standardised features grouped by ``labels`` (-1 to 1; 0 = no structure).

    Comparing it for emotion and for speaker shows which one the features
    mostly encode.
    """
    labels = np.asarray(labels)
    if len(set(labels)) < 2:
        return 0.0
    scaled = StandardScaler().fit_transform(table.loc[:, table.std() > 0].to_numpy())
    return float(silhouette_score(scaled, labels))
