"""Train / validation / test splits.

The default everywhere is **speaker-independent**: no speaker has clips on
two sides, so the test score says how the model does on voices it never
heard. A random stratified split is kept for comparison: it lets the model
recognise speakers instead of emotions and inflates the score.

Every function returns a pandas Series of "train" / "val" / "test",
indexed like the manifest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split


def _count(fraction: float, n: int) -> int:
    return 0 if fraction <= 0 else max(1, int(round(fraction * n)))


def speaker_split(
    manifest: pd.DataFrame, val_size: float = 0.2, test_size: float = 0.2, seed: int = 0
) -> pd.Series:
    """Assign whole speakers to train, validation and test.

    Speakers are shuffled within each gender and then taken alternately from
    the genders, so each side gets a similar gender mix.

    Parameters
    ----------
    manifest : needs ``speaker`` and ``gender`` columns.
    val_size, test_size : share of *speakers* (at least one each when > 0).
    seed : which speakers land where.

    Returns
    -------
    pandas.Series of "train" / "val" / "test", indexed like ``manifest``.
    """
    rng = np.random.default_rng(seed)
    by_gender = manifest.groupby("gender")["speaker"].unique()
    queues = [list(rng.permutation(sorted(speakers))) for speakers in by_gender]
    order = []
    while any(queues):
        for queue in queues:
            if queue:
                order.append(queue.pop(0))
    n = len(order)
    n_test, n_val = _count(test_size, n), _count(val_size, n)
    if n - n_test - n_val < 1:
        raise ValueError(
            f"a speaker-independent split needs at least {n_test + n_val + 1} speakers "
            f"({n_test} test, {n_val} validation, 1 train); this manifest has {n}"
        )
    side = {s: "test" for s in order[:n_test]}
    side |= {s: "val" for s in order[n_test:n_test + n_val]}
    side |= {s: "train" for s in order[n_test + n_val:]}
    return manifest["speaker"].map(side).rename("split")


def random_split(
    manifest: pd.DataFrame, val_size: float = 0.2, test_size: float = 0.2, seed: int = 0
) -> pd.Series:
    """Assign clips at random, stratified by emotion. Speakers end up on every side.

    Parameters are shares of *clips*. Returns a Series like :func:`speaker_split`.
    """
    index = manifest.index
    rest, test = train_test_split(index, test_size=test_size, stratify=manifest["emotion"], random_state=seed)
    split = pd.Series("train", index=index, name="split")
    split[test] = "test"
    if val_size > 0:
        _, val = train_test_split(
            rest, test_size=val_size / (1 - test_size), stratify=manifest.loc[rest, "emotion"], random_state=seed
        )
        split[val] = "val"
    return split


def speakers_on_several_sides(manifest: pd.DataFrame, split: pd.Series) -> list[str]:
    """Speakers whose clips fall on more than one side of ``split`` (empty if speaker-independent)."""
    sides = pd.DataFrame({"speaker": manifest["speaker"], "side": split}).groupby("speaker")["side"].nunique()
    return sorted(sides[sides > 1].index)
