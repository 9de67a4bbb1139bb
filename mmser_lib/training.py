"""Fitting a Keras model: early stopping on validation, class weights, a progress bar."""

from __future__ import annotations

import keras
import numpy as np
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


def fit(
    model: keras.Model,
    x_train,
    y_train: np.ndarray,
    x_val,
    y_val: np.ndarray,
    epochs: int = 60,
    batch_size: int = 32,
    patience: int = 10,
    class_weight: bool = True,
    progress: bool = True,
) -> dict:
    """Train with Adam (as compiled), early stopping on validation loss, best weights restored.

    Parameters
    ----------
    x_train, x_val : array or dict of arrays (one per named model input).
    y_train, y_val : np.ndarray, shape (n,), integer class ids.
    class_weight : weight classes by inverse training frequency.

    Returns
    -------
    dict: ``history`` (per-epoch loss / accuracy / val_loss / val_accuracy),
    ``best_epoch`` (1-based, chosen on validation loss) and ``epochs_run``.
    """
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=patience, restore_best_weights=True, verbose=0
    )
    callbacks = [stopper]
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
    best_epoch = int(np.argmin(curves["val_loss"])) + 1
    return {"history": curves, "best_epoch": best_epoch, "epochs_run": len(curves["val_loss"])}
