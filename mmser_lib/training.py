"""Fitting a Keras model: early stopping on a validation score, class weights, oversampling, a progress bar.

Why stop on UAR (or, for a binary detector, F1) and not on the validation
loss? Cross-entropy on unseen speakers often rises (the model grows
over-confident on the training voices) while the share of correctly
recognised emotions still improves, so stopping on the loss keeps an
under-trained model. We stop on the number we report, measured on
validation data only.
"""

from __future__ import annotations

import keras
import numpy as np
from sklearn.metrics import f1_score
from sklearn.utils.class_weight import compute_class_weight
from tqdm.keras import TqdmCallback


def balanced_class_weights(y: np.ndarray, n_classes: int) -> dict[int, float]:
    """Weights inversely proportional to class frequency in ``y`` (scikit-learn's "balanced").

    Classes absent from ``y`` get weight 1.
    """
    present = np.unique(y)
    weights = compute_class_weight("balanced", classes=present, y=y)
    out = {c: 1.0 for c in range(max(n_classes, 2))}
    out.update({int(c): float(w) for c, w in zip(present, weights)})
    return out


def oversample(y: np.ndarray, seed: int = 0) -> np.ndarray:
    """Row indices that repeat minority-class rows until every class is as large as the largest.

    imbalanced-learn's RandomOverSampler on row indices, so it works for any
    input (frames, text, dicts of arrays). Use it on the *training* rows only:
    validation and test keep their real class shares.

    Parameters
    ----------
    y : shape (n,), the training labels.

    Returns
    -------
    np.ndarray of int, shape (n_resampled,), indices into the training rows, shuffled.
    """
    from imblearn.over_sampling import RandomOverSampler

    y = np.asarray(y)
    index = np.arange(len(y)).reshape(-1, 1)
    resampled, _ = RandomOverSampler(random_state=seed).fit_resample(index, y)
    return np.random.default_rng(seed).permutation(resampled.ravel())


def take(x, index: np.ndarray):
    """Rows ``index`` of an array or of every array of a dict of model inputs."""
    if isinstance(x, dict):
        return {k: v[index] for k, v in x.items()}
    return x[index]


def is_binary(model: keras.Model) -> bool:
    """True for a one-unit sigmoid output (a detector such as sad vs non-sad)."""
    return model.output_shape[-1] == 1


def validation_score(model: keras.Model, y_true: np.ndarray, probabilities: np.ndarray) -> float:
    """UAR for a softmax model; for a binary detector, F1 at the best threshold on these same rows.

    Both are measured on validation data: choosing the threshold there is part
    of model selection, as choosing the epoch is.
    """
    if is_binary(model):
        from mmser_lib.evaluation import best_threshold

        return best_threshold(y_true, probabilities)[1]
    from mmser_lib.evaluation import uar

    return uar(y_true, probabilities.argmax(axis=1))


def predict_in_chunks(model: keras.Model, x, batch_size: int = 256) -> np.ndarray:
    """The model's outputs for every row, batch by batch (much lighter than ``model.predict`` on small sets)."""
    n = len(next(iter(x.values()))) if isinstance(x, dict) else len(x)
    parts = [np.asarray(model.predict_on_batch(take(x, slice(i, i + batch_size)))) for i in range(0, n, batch_size)]
    return np.concatenate(parts) if parts else np.zeros((0, model.output_shape[-1]), np.float32)


class ValidationScore(keras.callbacks.Callback):
    """Log ``val_loss``, ``val_accuracy`` and ``val_uar`` (or ``val_f1`` for a detector) after every epoch.

    A softmax model also gets ``val_weighted_f1`` (MELD's metric).

    One forward pass over the validation rows gives all three, so ``fit`` is
    called without ``validation_data`` (which would run a second pass).
    """

    def __init__(self, x_val, y_val: np.ndarray, batch_size: int = 256):
        super().__init__()
        self.x_val, self.y_val, self.batch_size = x_val, np.asarray(y_val), batch_size

    def on_epoch_end(self, epoch, logs=None):
        probabilities = predict_in_chunks(self.model, self.x_val, self.batch_size)
        binary = is_binary(self.model)
        loss = self.model.compute_loss(x=None, y=self.y_val.reshape(-1, 1) if binary else self.y_val,
                                       y_pred=probabilities, training=False)
        logs["val_loss"] = float(keras.ops.convert_to_numpy(loss))
        predicted = (probabilities[:, 0] >= 0.5).astype(int) if binary else probabilities.argmax(axis=1)
        logs["val_accuracy"] = float(np.mean(predicted == self.y_val))
        logs["val_f1" if binary else "val_uar"] = validation_score(self.model, self.y_val, probabilities)
        if not binary:  # MELD is scored with weighted F1, so a model may also stop on it
            logs["val_weighted_f1"] = float(f1_score(self.y_val, predicted, average="weighted"))


ValidationUAR = ValidationScore  # the name notebook 02 teaches


class EpochPredictions(keras.callbacks.Callback):
    """Keep every epoch's predictions on named inputs (for curves, or to *show* test-set selection).

    ``predictions[name]`` becomes a list with one array per epoch, shape
    (n_rows, n_outputs). Recording test predictions is harmless; *choosing*
    an epoch with them is the mistake Chen made.
    """

    def __init__(self, inputs: dict, batch_size: int = 256):
        super().__init__()
        self.inputs, self.batch_size = inputs, batch_size
        self.predictions = {name: [] for name in inputs}

    def on_epoch_end(self, epoch, logs=None):
        for name, x in self.inputs.items():
            self.predictions[name].append(predict_in_chunks(self.model, x, self.batch_size))


def summarise_history(history, monitor: str = "val_uar") -> dict:
    """A Keras ``History`` (what ``model.fit`` returns) as the dict :func:`fit` returns.

    Returns
    -------
    dict: ``history`` (per-epoch curves), ``monitor``, ``best_epoch`` (1-based,
    the epoch with the highest ``monitor``) and ``epochs_run``.
    """
    if isinstance(history, dict):
        return history
    curves = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    if monitor not in curves:  # a detector logs val_f1 instead of val_uar
        monitor = next(m for m in ("val_uar", "val_f1", "val_loss") if m in curves)
    return {"history": curves, "monitor": monitor, "best_epoch": int(np.argmax(curves[monitor])) + 1,
            "epochs_run": len(curves[monitor])}


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
    oversample_train: bool = False,
    reduce_lr_patience: int | None = None,
    extra_callbacks: list | None = None,
    seed: int = 0,
    progress: bool = True,
    monitor: str | None = None,
) -> dict:
    """Train with the compiled optimiser, early stopping on validation, best weights restored.

    Parameters
    ----------
    x_train, x_val : array or dict of arrays (one per named model input).
    y_train, y_val : np.ndarray, shape (n,), integer class ids (0 / 1 for a detector).
    class_weight : weight classes by inverse training frequency.
    oversample_train : repeat minority-class training rows (:func:`oversample`) instead
        of weighting them (Chen); class weights are then off.
    reduce_lr_patience : halve the learning rate after this many epochs without a
        better validation score (Keras ReduceLROnPlateau; Clark et al. used 5).
    extra_callbacks : appended after the validation score, e.g. :class:`EpochPredictions`.
    monitor : the validation score that stops training and picks the epoch: default
        ``val_uar`` (``val_f1`` for a detector); ``val_weighted_f1`` where a corpus is
        scored that way (MELD) and the class shares of validation are the real ones.

    Returns
    -------
    dict: ``history`` (per-epoch loss / accuracy / val_loss / val_accuracy and
    ``val_uar`` or ``val_f1``), ``monitor`` (which), ``best_epoch`` (1-based,
    chosen on validation) and ``epochs_run``.
    """
    monitor = monitor or ("val_f1" if is_binary(model) else "val_uar")
    if monitor not in ("val_uar", "val_f1", "val_weighted_f1", "val_accuracy"):
        raise ValueError(f"monitor must be val_uar, val_f1, val_weighted_f1 or val_accuracy, not {monitor!r}")
    if oversample_train:
        index = oversample(y_train, seed=seed)
        x_train, y_train = take(x_train, index), np.asarray(y_train)[index]
        class_weight = False
    stopper = keras.callbacks.EarlyStopping(
        monitor=monitor, mode="max", patience=patience, restore_best_weights=True, verbose=0
    )
    callbacks = [ValidationScore(x_val, y_val)]  # the score must be logged before the others read it
    if reduce_lr_patience:
        callbacks.append(keras.callbacks.ReduceLROnPlateau(monitor=monitor, mode="max", factor=0.5,
                                                           patience=reduce_lr_patience, min_lr=1e-6, verbose=0))
    callbacks += [*(extra_callbacks or []), stopper]
    if progress:
        callbacks.append(TqdmCallback(verbose=0, desc=model.name))
    n_classes = model.output_shape[-1]
    history = model.fit(
        x_train, y_train,
        epochs=epochs,
        batch_size=batch_size,
        class_weight=balanced_class_weights(y_train, n_classes) if class_weight else None,
        callbacks=callbacks,
        shuffle=True,
        verbose=0,
    )
    return summarise_history(history, monitor)
