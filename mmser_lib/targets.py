"""What a model predicts: a set of emotions, or a detector for one emotion.

A :class:`Target` is the one object that runs, experiments, ``predict`` and
the CLI ask about labels, so no emotion is special-cased anywhere:

>>> Target.emotions(["sad", "neutral", "angry"]).labels
['neutral', 'sad', 'angry']
>>> sad = Target.detector("sad")          # Chen's sad vs non-sad
>>> sad.labels, sad.n_outputs
(['not_sad', 'sad'], 1)

A detector's decision threshold is chosen on validation data
(:func:`mmser_lib.evaluation.best_threshold`) and stored in the target, so
a saved run applies the threshold it was selected with.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd

from mmser_lib import emotions

UNUSABLE = ("unlabelled", "other")  # IEMOCAP rows no detector can be trained or scored on


@dataclass(frozen=True)
class Target:
    """The classes a model outputs.

    labels : the classes in output order: emotions, or ``["not_<e>", "<e>"]`` for a detector.
    detects : the emotion a detector flags; None for a softmax over emotions.
    threshold : a detector says yes when P(detects) >= threshold (chosen on validation).
    """

    labels: tuple[str, ...]
    detects: str | None = None
    threshold: float = 0.5

    @classmethod
    def emotions(cls, present) -> Target:
        """A softmax over the emotions in ``present`` (e.g. the training rows'), in the harmonised order."""
        return cls(tuple(emotions.ordered(present)))

    @classmethod
    def detector(cls, emotion: str, threshold: float = 0.5) -> Target:
        """One sigmoid output: ``emotion`` against every other labelled emotion."""
        return cls((f"not_{emotion}", emotion), emotion, threshold)

    @property
    def is_detector(self) -> bool:
        return self.detects is not None

    @property
    def n_outputs(self) -> int:
        """Units of the model's output layer: 1 for a detector, else one per emotion."""
        return 1 if self.is_detector else len(self.labels)

    @property
    def monitor(self) -> str:
        """The validation score training stops on: F1 of the flagged emotion, or UAR."""
        return "val_f1" if self.is_detector else "val_uar"

    def with_threshold(self, threshold: float) -> Target:
        return replace(self, threshold=float(threshold))

    def usable(self, manifest: pd.DataFrame) -> np.ndarray:
        """Rows this target can be trained or scored on, bool shape (n,): a detector drops rows without a label."""
        if self.is_detector:
            return ~manifest["emotion"].isin(UNUSABLE).to_numpy()
        return np.ones(len(manifest), bool)

    def truth(self, manifest: pd.DataFrame) -> np.ndarray:
        """The true class of every row as a label string, shape (n,) (a detector: ``e`` or ``not_e``)."""
        emotion = manifest["emotion"].to_numpy()
        if self.is_detector:
            return np.where(emotion == self.detects, self.detects, self.labels[0])
        return emotion

    def relabel(self, manifest: pd.DataFrame) -> pd.DataFrame:
        """The usable rows with ``emotion`` replaced by :meth:`truth` (unchanged for an emotion set)."""
        if not self.is_detector:
            return manifest
        usable = manifest[self.usable(manifest)]
        return usable.assign(emotion=self.truth(usable)).reset_index(drop=True)

    def encode(self, truth) -> np.ndarray:
        """Integer targets for training, shape (n,): class index, or 0 / 1 for a detector; -1 for unknown labels."""
        index = {label: i for i, label in enumerate(self.labels)}
        return np.array([index.get(label, -1) for label in np.asarray(truth)], dtype=int)

    def probabilities(self, outputs: np.ndarray) -> np.ndarray:
        """The model's outputs as one probability per label, shape (n, len(labels))."""
        outputs = np.asarray(outputs)
        if self.is_detector:
            return np.column_stack([1 - outputs[:, 0], outputs[:, 0]])
        return outputs

    def decide(self, probabilities: np.ndarray, among: list[str] | None = None) -> np.ndarray:
        """The predicted label of every row, shape (n,).

        probabilities : shape (n, len(labels)), from :meth:`probabilities`.
        among : predict among these labels only (cross-corpus: the emotions both corpora have).
        """
        probabilities = np.atleast_2d(probabilities)
        if self.is_detector:
            return np.where(probabilities[:, 1] >= self.threshold, self.detects, self.labels[0])
        among = list(among) if among is not None else list(self.labels)
        columns = [self.labels.index(label) for label in among]
        return np.asarray(among)[probabilities[:, columns].argmax(axis=1)]

    def describe(self) -> str:
        """One line for a report: the emotions, or the detector with its threshold."""
        if self.is_detector:
            return f"{self.detects} detector (threshold {self.threshold:.2f}, chosen on validation)"
        return f"{len(self.labels)} emotions ({', '.join(self.labels)})"

    def to_dict(self) -> dict:
        return {**asdict(self), "labels": list(self.labels)}

    @classmethod
    def from_dict(cls, data: dict) -> Target:
        return cls(tuple(data["labels"]), data.get("detects"), float(data.get("threshold", 0.5)))
