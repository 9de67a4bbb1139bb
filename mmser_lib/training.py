"""Fitting a Keras model: early stopping on validation UAR, class weights, a progress bar.

Why UAR and not the validation loss? Cross-entropy on unseen speakers
often rises (the model grows over-confident on the training voices) while
the share of correctly recognised emotions is still improving, so stopping
on the loss keeps an under-trained model. We stop on the number we report.
"""

from __future__ import annotations

import keras
import numpy as np
from sklearn.metrics import balanced_accuracy_score
from sklearn.utils.class_weight import compute_class_weight
from tqdm.keras import TqdmCallback


def balanced_class_weights(y: np.ndarray, n_classes: int) -> dict[int, float]:
    """Weights inversely proportional to class frequency in ``y`` (scikit-learn's "balanced").

    Classes absent from ``y`` get weight 1.
    """
    present = np.unique(y)
    weights = compute_class_weight("balanced", classes=present, y=y)
    out = {c: 1.0 for c in range(n_classes)}
    out.update({int(c): float(w) for c, w in zip(present, weights)})
    return out


class ValidationUAR(keras.callbacks.Callback):
    """Add ``val_uar`` (balanced accuracy on the validation set) to the logs after every epoch."""

    def __init__(self, x_val, y_val: np.ndarray, batch_size: int = 64):
        super().__init__()
        self.x_val, self.y_val, self.batch_size = x_val, y_val, batch_size

    def on_epoch_end(self, epoch, logs=None):
        predicted = self.model.predict(self.x_val, batch_size=self.batch_size, verbose=0).argmax(axis=1)
        logs["val_uar"] = float(balanced_accuracy_score(self.y_val, predicted))


def fit(
    model: keras.Model,
    x_train,
    y_train: np.ndarray,
    x_val,
    y_val: np.ndarray,
    epochs: int = 60,
    batch_size: int = 32,
    patience: int = 15,
    class_weight: bool = True,
    progress: bool = True,
) -> dict:
    """Train with Adam (as compiled), early stopping on validation UAR, best weights restored.

    Parameters
    ----------
    x_train, x_val : array or dict of arrays (one per named model input).
    y_train, y_val : np.ndarray, shape (n,), integer class ids.
    class_weight : weight classes by inverse training frequency.

    Returns
    -------
    dict: ``history`` (per-epoch loss / accuracy / val_loss / val_accuracy /
    val_uar), ``best_epoch`` (1-based, chosen on validation UAR) and ``epochs_run``.
    """
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_uar", mode="max", patience=patience, restore_best_weights=True, verbose=0
    )
    callbacks = [ValidationUAR(x_val, y_val), stopper]  # val_uar must be logged before the stopper reads it
    if progress:
        callbacks.append(TqdmCallback(verbose=0, desc=model.name))
    n_classes = model.output_shape[-1]
    history = model.fit(
        x_train, y_train,
        validation_data=(x_val, y_val),
        epochs=epochs,
        batch_size=batch_size,
        class_weight=balanced_class_weights(y_train, n_classes) if class_weight else None,
        callbacks=callbacks,
        verbose=0,
    )
    curves = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    best_epoch = int(np.argmax(curves["val_uar"])) + 1
    return {"history": curves, "best_epoch": best_epoch, "epochs_run": len(curves["val_loss"])}
