import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mmser_lib import corpora, features


@pytest.fixture(scope="session")
def small_twin():
    """A 4-speaker RAVDESS twin, one take per sentence: 4 x 30 = 120 clips at 48 kHz.

    Written once per test run in the run's scratch folder (see the root conftest.py) and shared by the
    pytest-xdist workers; tests only read it (those that change files copy it first).
    """
    root = Path(os.environ["MMSER_TEST_SCRATCH"]) / "small_twin" / "ravdess"
    return corpora.twin_at("ravdess", root, speakers=4, seed=1, repetitions=1, progress=False)


@pytest.fixture(scope="session")
def small_manifest(small_twin):
    return corpora.load("ravdess", small_twin, verbose=False)


@pytest.fixture(scope="session")
def small_frames(small_manifest):
    X, mask = features.extract_sequences(small_manifest, progress=False, n_jobs=1)
    return X, mask


def write_tone(path, seconds=1.0, sr=16000, channels=1, subtype="PCM_16"):
    t = np.arange(int(seconds * sr)) / sr
    y = 0.3 * np.sin(2 * np.pi * 220 * t)
    sf.write(path, np.stack([y] * channels, axis=1) if channels > 1 else y, sr, subtype=subtype)
    return path
