"""Text features for the text branch: normalisation and TF-IDF.

The vectoriser is fitted on training transcripts only and saved with the
run, so validation and test words never shape the vocabulary.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


def normalise(text: str) -> str:
    """Lower-case, fold curly quotes and accents to ASCII, drop punctuation, squeeze spaces."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9' ]+", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def fit_tfidf(train_texts, max_features: int = 2000) -> TfidfVectorizer:
    """Return a TF-IDF vectoriser (words and word pairs) fitted on ``train_texts`` only."""
    vectoriser = TfidfVectorizer(preprocessor=normalise, ngram_range=(1, 2), max_features=max_features)
    vectoriser.fit(list(train_texts))
    return vectoriser


def tfidf_features(vectoriser: TfidfVectorizer, texts) -> np.ndarray:
    """Return a dense float32 array, shape (n_texts, vocabulary size)."""
    return vectoriser.transform(list(texts)).toarray().astype(np.float32)
