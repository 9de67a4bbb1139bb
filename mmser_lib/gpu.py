"""GPU setup, device report, seeding and the distribution strategy.

Call :func:`setup` once at the top of every notebook or script::

    from mmser_lib import gpu
    report = gpu.setup(seed=42)

It never raises on a machine without a GPU.
"""

from __future__ import annotations

import os
import platform
import random
import sys

import numpy as np


def in_colab() -> bool:
    """True when running inside Google Colab."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow / Keras with one number."""
    import keras

    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)  # seeds python, numpy and the backend


def setup(seed: int = 42, mixed_precision: bool = False, verbose: bool = True) -> dict:
    """Turn on GPU memory growth, optionally mixed precision, seed, and report.

    Parameters
    ----------
    seed : int
        Seed for Python, NumPy and TensorFlow.
    mixed_precision : bool
        Use the ``mixed_float16`` policy (only worth it on a GPU with tensor
        cores; ignored with a warning on CPU).
    verbose : bool
        Print the device report.

    Returns
    -------
    dict
        ``tensorflow``, ``keras``, ``python``, ``gpus`` (names), ``colab``,
        ``mixed_precision``, ``seed`` and ``notes`` (problems met, if any).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    notes = []
    gpus = tf.config.list_physical_devices("GPU")
    for device in gpus:
        try:
            tf.config.experimental.set_memory_growth(device, True)
        except (RuntimeError, ValueError) as err:  # already initialised
            notes.append(f"memory growth not set on {device.name}: {err}")

    policy = "float32"
    if mixed_precision:
        if gpus:
            keras.mixed_precision.set_global_policy("mixed_float16")
            policy = "mixed_float16"
        else:
            notes.append("mixed precision asked for but no GPU is visible: staying in float32")

    seed_everything(seed)
    report = {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "gpus": [d.name for d in gpus],
        "colab": in_colab(),
        "mixed_precision": policy,
        "seed": seed,
        "notes": notes,
    }
    if verbose:
        print(f"Python {report['python']} | TensorFlow {report['tensorflow']} | Keras {report['keras']}")
        print(f"GPUs: {', '.join(report['gpus']) or 'none (running on CPU)'}")
        print(f"Colab: {report['colab']} | precision policy: {policy} | seed: {seed}")
        for note in notes:
            print(f"note: {note}")
    return report


def strategy():
    """Return MirroredStrategy when several GPUs are visible, else the default strategy."""
    import tensorflow as tf

    if len(tf.config.list_physical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()
