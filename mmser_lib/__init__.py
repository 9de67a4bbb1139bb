"""mmser_lib: the helper library behind the mmser notebooks.

One module per concern: ``corpora`` (loaders and twins), ``audio``,
``features``, ``text``, ``splits``, ``models``, ``training``,
``evaluation``, ``plots``, ``runs`` (train / evaluate / save a run),
``gpu`` (memory growth, seeding, device report) and ``cli`` (``mmser``).
"""

import os
import sys

# TensorFlow's C++ start-up chatter hides the output students should read.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Known trap (measured here, TF 2.21 + opensmile 2.6): once TensorFlow is loaded, openSMILE's library
# corrupts memory and the process dies ("malloc(): invalid size", or a segfault). Loaded the other
# way round, both work. So load openSMILE now if TensorFlow is not there yet; when it already is,
# features.extract_features computes eGeMAPS in worker processes instead.
if "tensorflow" not in sys.modules:
    try:
        import opensmile  # noqa: F401
    except ImportError:  # pragma: no cover - opensmile is in requirements.txt
        pass

__version__ = "0.1.0"
