"""GPU setup, device report, seeding and the distribution strategy.

Call :func:`setup` once at the top of every notebook or script::

    from mmser_lib import gpu
    report = gpu.setup(seed=42)

It never raises on a machine without a GPU.
"""

from __future__ import annotations

import contextlib
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


def _gpus_with_memory_growth(backend: str) -> tuple[list[str], list[str]]:
    """The visible GPUs' names, after asking the backend to take GPU memory only as it needs it."""
    notes: list[str] = []
    if backend == "tensorflow":
        import tensorflow as tf

        devices = tf.config.list_physical_devices("GPU")
        for device in devices:
            try:
                tf.config.experimental.set_memory_growth(device, True)
            except (RuntimeError, ValueError) as err:  # already initialised
                notes.append(f"memory growth not set on {device.name}: {err}")
        return [d.name for d in devices], notes
    if backend == "jax":  # XLA_PYTHON_CLIENT_PREALLOCATE=false, set by setup() before JAX starts its client
        import jax

        if os.environ.get("XLA_PYTHON_CLIENT_PREALLOCATE") != "false":
            notes.append("JAX preallocates GPU memory: set XLA_PYTHON_CLIENT_PREALLOCATE=false before importing it")
        return [str(d) for d in jax.devices() if d.platform == "gpu"], notes
    if backend == "torch":  # PyTorch's caching allocator already grows on demand
        import torch

        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())], notes
    return [], [f"Keras backend {backend!r}: no GPU set-up for it here"]


class _NotRetracing:
    """A logging filter that drops TensorFlow's "triggered tf.function retracing" warning."""

    def filter(self, record) -> bool:
        return "tf.function retracing" not in record.getMessage()


def _quiet_retracing_warnings() -> None:
    """Keep TensorFlow's retracing warning out of notebooks (every other warning is kept).

    The course trains many small models one after another (seeds, folds),
    and each new model traces its own predict function: TensorFlow then warns
    about "excessive" retracing, which is expected here and not something a
    student can act on.
    """
    import logging

    logger = logging.getLogger("tensorflow")
    if not any(isinstance(f, _NotRetracing) for f in logger.filters):
        logger.addFilter(_NotRetracing())


def setup(seed: int = 42, mixed_precision: bool = False, verbose: bool = True, deterministic: bool = True) -> dict:
    """Turn on GPU memory growth, optionally mixed precision, seed, op determinism, and report.

    Works with each Keras 3 backend (``KERAS_BACKEND``): TensorFlow, the
    course's default, and JAX or PyTorch, where memory growth means
    ``XLA_PYTHON_CLIENT_PREALLOCATE=false`` and the caching allocator.

    Parameters
    ----------
    seed : int
        Seed for Python, NumPy and the backend.
    mixed_precision : bool
        Use the ``mixed_float16`` policy (only worth it on a GPU with tensor
        cores; ignored with a note on CPU).
    verbose : bool
        Print the device report.
    deterministic : bool
        Under TensorFlow, ``tf.config.experimental.enable_op_determinism()``:
        the same seed gives the same numbers run after run (on a GPU some ops
        get slower, and an op without a deterministic kernel raises an error
        that names it; pass False to trade reproducibility for speed).

    Returns
    -------
    dict
        ``backend``, ``tensorflow`` (its version, or None under another
        backend), ``keras``, ``python``, ``gpus`` (names), ``colab``,
        ``mixed_precision``, ``seed`` and ``notes`` (problems met, if any).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    import keras

    _quiet_retracing_warnings()

    backend = keras.backend.backend()
    gpus, notes = _gpus_with_memory_growth(backend)

    policy = "float32"
    if mixed_precision:
        if gpus:
            keras.mixed_precision.set_global_policy("mixed_float16")
            policy = "mixed_float16"
        else:
            notes.append("mixed precision asked for but no GPU is visible: staying in float32")
    else:
        keras.mixed_precision.set_global_policy("float32")

    seed_everything(seed)
    tf_version = None
    if backend == "tensorflow":
        import tensorflow as tf

        tf_version = tf.__version__
        if deterministic:
            tf.config.experimental.enable_op_determinism()
    report = {
        "python": platform.python_version(),
        "backend": backend,
        "tensorflow": tf_version,
        "keras": keras.__version__,
        "gpus": gpus,
        "colab": in_colab(),
        "mixed_precision": policy,
        "seed": seed,
        "deterministic": bool(deterministic and backend == "tensorflow"),
        "notes": notes,
    }
    if verbose:
        engine = f"TensorFlow {tf_version}" if tf_version else f"backend {backend}"
        print(f"Python {report['python']} | {engine} | Keras {report['keras']}")
        print(f"GPUs: {', '.join(report['gpus']) or 'none (running on CPU)'}")
        print(f"Colab: {report['colab']} | precision policy: {policy} | seed: {seed}")
        for note in notes:
            print(f"note: {note}")
    return report


class _OneDevice:
    """What ``strategy()`` returns under JAX or PyTorch: a ``scope()`` that changes nothing."""

    def scope(self):
        return contextlib.nullcontext()


def strategy():
    """MirroredStrategy when TensorFlow sees several GPUs, else one device (its default strategy)."""
    import keras

    if keras.backend.backend() != "tensorflow":
        return _OneDevice()
    import tensorflow as tf

    if len(tf.config.list_physical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()
