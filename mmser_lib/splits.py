"""Train / validation / test splits.

The default everywhere is **speaker-independent**: no speaker has clips on
two sides, so the test score says how the model does on voices it never
heard. A random stratified split is kept for comparison: it lets the model
recognise speakers instead of emotions and inflates the score.

Every function returns a pandas Series of "train" / "val" / "test",
indexed like the manifest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

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


def grouped_split(
    manifest: pd.DataFrame, column: str = "sentence_id", val_size: float = 0.2, test_size: float = 0.2,
    seed: int = 0,
) -> pd.Series:
    """Keep every value of ``column`` (a sentence, a word) on one side of the test boundary.

    Clark et al.'s fix for text leakage: the test clips say sentences the model
    never heard in training. Test groups are drawn with scikit-learn's
    GroupShuffleSplit; validation groups the same way from the rest, or, when
    only one group is left (RAVDESS has two sentences), a stratified share of
    its clips. Speakers still appear on every side.

    Returns a Series like :func:`speaker_split`.
    """
    from sklearn.model_selection import GroupShuffleSplit

    groups = manifest[column].astype(str).to_numpy()
    if len(set(groups)) < 2:
        raise ValueError(f"a split grouped by {column!r} needs at least 2 distinct values; this manifest has "
                         f"{sorted(set(groups))}")
    split = pd.Series("train", index=manifest.index, name="split")
    position = np.arange(len(manifest))
    rest, test = next(GroupShuffleSplit(1, test_size=test_size, random_state=seed).split(position, groups=groups))
    split.iloc[test] = "test"
    if val_size > 0:
        rest_groups = groups[rest]
        if len(set(rest_groups)) >= 2:
            share = val_size / (1 - test_size)
            _, val = next(GroupShuffleSplit(1, test_size=share, random_state=seed).split(rest, groups=rest_groups))
            split.iloc[rest[val]] = "val"
        else:
            _, val = train_test_split(rest, test_size=val_size / (1 - test_size),
                                      stratify=manifest["emotion"].to_numpy()[rest], random_state=seed)
            split.iloc[val] = "val"
    return split


def leave_one_speaker_out(manifest: pd.DataFrame):
    """Leave-one-speaker-out folds (scikit-learn's LeaveOneGroupOut over ``speaker``).

    Each fold tests on one speaker, validates on the next speaker in sorted
    order (for early stopping) and trains on all the others.

    Yields
    ------
    (test_speaker, split) : str and a Series like :func:`speaker_split`.
    """
    from sklearn.model_selection import LeaveOneGroupOut

    speakers = manifest["speaker"].to_numpy()
    order = sorted(set(speakers))
    if len(order) < 3:
        raise ValueError(f"leave-one-speaker-out with validation needs at least 3 speakers; found {order}")
    for _, test in LeaveOneGroupOut().split(speakers, groups=speakers):
        test_speaker = speakers[test[0]]
        val_speaker = order[(order.index(test_speaker) + 1) % len(order)]
        split = pd.Series("train", index=manifest.index, name="split")
        split.iloc[test] = "test"
        split[manifest["speaker"] == val_speaker] = "val"
        yield test_speaker, split


def one_speaker_each(manifest: pd.DataFrame, train_speaker: str, val_size: float = 0.2, seed: int = 0) -> pd.Series:
    """Train on one speaker, test on every other (TESS: OAF vs YAF).

    Validation clips come from the training speaker, grouped by word
    (``sentence_id``) so that validation words are not training words.
    """
    from sklearn.model_selection import GroupShuffleSplit

    if train_speaker not in set(manifest["speaker"]):
        raise ValueError(f"no speaker {train_speaker!r}; speakers here: {sorted(manifest['speaker'].unique())}")
    split = pd.Series("test", index=manifest.index, name="split")
    own = np.flatnonzero((manifest["speaker"] == train_speaker).to_numpy())
    words = manifest["sentence_id"].astype(str).to_numpy()[own]
    train, val = next(GroupShuffleSplit(1, test_size=val_size, random_state=seed).split(own, groups=words))
    split.iloc[own[train]] = "train"
    split.iloc[own[val]] = "val"
    return split


IEMOCAP_SESSIONS = {"train": ("Session1", "Session2", "Session3"), "val": ("Session4",), "test": ("Session5",)}


def meld_split(manifest: pd.DataFrame, val_size: float = 0.15, seed: int = 0) -> pd.Series:
    """MELD as the field trains it: the official train split only, a validation part of it held out by dialogue.

    Rows of MELD's train CSV become "train" or, for a ``val_size`` share of its
    *dialogues* (whole scenes, so no conversation is on both sides), "val";
    rows of the dev and test CSVs become "unused", left for scoring
    (``mmser evaluate``). MELD's main characters speak in every split, so this
    is not speaker-independent; it is the official protocol that published
    MELD numbers use.

    Returns
    -------
    pandas.Series of "train" / "val" / "unused", indexed like ``manifest``.

    Raises
    ------
    ValueError
        No row comes from the official train split.
    """
    from sklearn.model_selection import GroupShuffleSplit

    from mmser_lib.corpora.meld import dialogue_positions

    split = pd.Series("unused", index=manifest.index, name="split")
    train = (manifest["split"].astype(str) == "train").to_numpy()
    if not train.any():
        raise ValueError("no row comes from MELD's train_sent_emo.csv: training on MELD needs the official train "
                         f"split (rows here: {sorted(manifest['split'].astype(str).unique())})")
    dialogues = dialogue_positions(manifest[train])["dialogue"].to_numpy()
    fit_rows, val_rows = next(GroupShuffleSplit(n_splits=1, test_size=val_size, random_state=seed)
                              .split(dialogues, groups=dialogues))
    rows = np.flatnonzero(train)
    split.iloc[rows[fit_rows]] = "train"
    split.iloc[rows[val_rows]] = "val"
    return split


def official_split(manifest: pd.DataFrame, train=("train",), val=("dev",), test=("test",)) -> pd.Series:
    """Map the corpus's own ``split`` column onto train / val / test.

    MELD: train / dev / test (the defaults). IEMOCAP, as in Chen:
    ``official_split(m, **IEMOCAP_SESSIONS)``, sessions 1-3 train, 4
    validation, 5 test (the ``split`` column holds the session), speaker-independent
    because each session has its own two actors. Rows of other values get
    "unused".
    """
    values = manifest["split"].astype(str)
    side = {**{v: "train" for v in train}, **{v: "val" for v in val}, **{v: "test" for v in test}}
    split = values.map(side).fillna("unused").rename("split")
    if not (split == "train").any():
        raise ValueError(f"no row has a split value in {train}; values here: {sorted(values.unique())}")
    return split


@dataclass
class SpeakerFolds:
    """k-fold cross-validation over speakers: every speaker is tested exactly once.

    Fold ``i`` tests on group ``i``, validates (early stopping, thresholds) on
    group ``i + 1`` and trains on the rest. Saved as one JSON file (in the
    spirit of EmoBox's published folds) so that another run, another model or
    another lab scores the very same partitions.

    Attributes
    ----------
    groups : k lists of speakers.
    seed : the shuffle that made them.
    """

    groups: list[list[str]]
    seed: int = 0

    @property
    def k(self) -> int:
        return len(self.groups)

    def sides(self, fold: int) -> dict[str, list[str]]:
        """Speakers of fold ``fold``: {"train": [...], "val": [...], "test": [...]}."""
        test, val = self.groups[fold], self.groups[(fold + 1) % self.k]
        train = sorted(s for i, g in enumerate(self.groups) if i not in (fold, (fold + 1) % self.k) for s in g)
        return {"train": train, "val": list(val), "test": list(test)}

    def split(self, manifest: pd.DataFrame, fold: int) -> pd.Series:
        """The "train" / "val" / "test" side of every row in fold ``fold`` (like :func:`speaker_split`)."""
        side = {s: name for name, speakers in self.sides(fold).items() for s in speakers}
        split = manifest["speaker"].map(side)
        if split.isna().any():
            unknown = sorted(manifest.loc[split.isna(), "speaker"].unique())
            raise ValueError(f"speakers {unknown} are in no fold; make the folds from this manifest")
        return split.rename("split")

    def to_json(self, path) -> Path:
        """Write the folds (and every fold's three sides) to ``path``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        folds = [{"fold": i, **self.sides(i)} for i in range(self.k)]
        path.write_text(json.dumps({"k": self.k, "seed": self.seed, "groups": self.groups, "folds": folds},
                                   indent=2) + "\n")
        return path

    @classmethod
    def from_json(cls, path) -> SpeakerFolds:
        data = json.loads(Path(path).read_text())
        return cls(groups=[list(g) for g in data["groups"]], seed=int(data.get("seed", 0)))


def speaker_folds(manifest: pd.DataFrame, k: int = 6, seed: int = 0) -> SpeakerFolds:
    """Deal the speakers into ``k`` groups of (nearly) equal size and gender mix.

    Speakers are shuffled within each gender, the genders are put one after
    the other, and the speakers are dealt round-robin: 6 women and 6 men in 6
    folds give every fold one of each.

    Parameters
    ----------
    manifest : needs ``speaker`` (and ``gender``, when known) columns.
    k : number of folds, at least 3 (one test, one validation, one training group).

    Returns
    -------
    SpeakerFolds
    """
    speakers = sorted(manifest["speaker"].unique())
    if k < 3:
        raise ValueError(f"k-fold speaker cross-validation with a validation group needs k >= 3, not {k}")
    if len(speakers) < k:
        raise ValueError(f"{k} speaker folds need at least {k} speakers; this manifest has {len(speakers)}")
    rng = np.random.default_rng(seed)
    genders = (manifest.groupby("speaker")["gender"].first().fillna("unknown") if "gender" in manifest.columns
               else pd.Series("unknown", index=speakers))
    order = [str(s) for _, members in sorted(genders.groupby(genders).groups.items())
             for s in rng.permutation(sorted(members))]
    groups = [sorted(order[i::k]) for i in range(k)]
    return SpeakerFolds(groups=groups, seed=seed)


def session_folds(manifest: pd.DataFrame) -> SpeakerFolds:
    """IEMOCAP's official protocol, leave-one-session-out, as :class:`SpeakerFolds`.

    One group per recording session (both of its actors; the session is the
    manifest's ``split`` column, ``Session1`` ... ``Session5``): fold ``i``
    tests session ``i``, stops early on session ``i + 1`` and trains on the
    other three. Report the mean and sd over the five folds, as the
    literature does, rather than one session.

    Returns
    -------
    SpeakerFolds with one group of speakers per session, in session order.
    """
    if "split" not in manifest.columns or not manifest["split"].astype(str).str.match(r"Session\d+$").all():
        raise ValueError("session folds need an IEMOCAP manifest whose 'split' column names the session "
                         "(Session1 ... Session5); see mmser_lib.corpora.iemocap")
    sessions = sorted(manifest["split"].unique(), key=lambda name: int(name.removeprefix("Session")))
    if len(sessions) < 3:
        raise ValueError(f"leave-one-session-out with a validation session needs at least 3 sessions, "
                         f"this manifest has {len(sessions)}: {sessions}")
    groups = [sorted(manifest.loc[manifest["split"] == name, "speaker"].unique()) for name in sessions]
    return SpeakerFolds(groups=groups, seed=0)
