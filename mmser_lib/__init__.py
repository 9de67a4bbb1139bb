"""mmser_lib: the helper library behind the mmser notebooks.

One module per concern: ``corpora`` (loaders and twins), ``audio``,
``features``, ``text``, ``splits``, ``models``, ``training``,
``evaluation``, ``plots``, ``runs`` (train / evaluate / save a run),
``gpu`` (memory growth, seeding, device report) and ``cli`` (``mmser``).
"""

import os

# TensorFlow's C++ start-up chatter hides the output students should read.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
