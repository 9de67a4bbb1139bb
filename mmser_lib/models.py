"""Keras model builders, one function per architecture (Keras 3 functional API).

Every builder takes the statistics of the *training* frames (``audio_mean``,
``audio_variance``) and bakes them into a ``Normalization`` layer, so the
saved model carries its own fitted scaler.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers


def _audio_branch(audio: keras.KerasTensor, audio_mean, audio_variance, dropout: float) -> keras.KerasTensor:
    """Seed 000's audio branch: two Conv1D layers, max pooling, dropout, global average pooling."""
    x = layers.Normalization(axis=-1, mean=audio_mean, variance=audio_variance, name="audio_scaler")(audio)
    x = layers.Conv1D(64, 5, padding="same", activation="relu", name="conv1")(x)
    x = layers.Conv1D(128, 5, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling1D(2, name="pool")(x)
    x = layers.Dropout(dropout, name="audio_dropout")(x)
    return layers.GlobalAveragePooling1D(name="audio_gap")(x)


def _compile(model: keras.Model, learning_rate: float) -> keras.Model:
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def conv1d_baseline(
    input_shape: tuple[int, int],
    n_classes: int,
    audio_mean: np.ndarray,
    audio_variance: np.ndarray,
    dropout: float = 0.3,
    dense_units: int = 64,
    learning_rate: float = 1e-3,
) -> keras.Model:
    """The audio-only Conv1D baseline of seed 000.

    Parameters
    ----------
    input_shape : (n_frames, n_features) of the frame sequences.
    n_classes : number of emotions.
    audio_mean, audio_variance : np.ndarray, shape (n_features,), from training frames.

    Returns
    -------
    keras.Model, input "audio" (batch, n_frames, n_features), output (batch, n_classes) softmax.
    """
    audio = keras.Input(shape=input_shape, name="audio")
    x = _audio_branch(audio, audio_mean, audio_variance, dropout)
    x = layers.Dense(dense_units, activation="relu", name="dense")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="emotion")(x)
    return _compile(keras.Model(audio, outputs, name="conv1d"), learning_rate)


def two_branch(
    input_shape: tuple[int, int],
    text_dim: int,
    n_classes: int,
    audio_mean: np.ndarray,
    audio_variance: np.ndarray,
    dropout: float = 0.3,
    dense_units: int = 64,
    learning_rate: float = 1e-3,
) -> keras.Model:
    """Seed 000's multimodal model: the audio branch plus a two-layer text branch, concatenated.

    Parameters
    ----------
    input_shape : (n_frames, n_features) of the frame sequences.
    text_dim : length of the TF-IDF vectors.

    Returns
    -------
    keras.Model with inputs "audio" (batch, n_frames, n_features) and
    "text" (batch, text_dim), output (batch, n_classes) softmax.
    """
    audio = keras.Input(shape=input_shape, name="audio")
    text = keras.Input(shape=(text_dim,), name="text")
    a = _audio_branch(audio, audio_mean, audio_variance, dropout)
    t = layers.Dense(64, activation="relu", name="text_dense1")(text)
    t = layers.Dense(32, activation="relu", name="text_dense2")(t)
    x = layers.Concatenate(name="fusion")([a, t])
    x = layers.Dense(dense_units, activation="relu", name="dense")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="emotion")(x)
    return _compile(keras.Model({"audio": audio, "text": text}, outputs, name="two_branch"), learning_rate)


MODELS = {"conv1d": conv1d_baseline, "two_branch": two_branch}
NEEDS_TEXT = {"conv1d": False, "two_branch": True}
