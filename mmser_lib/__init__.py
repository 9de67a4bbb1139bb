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

# Known trap (measured here, TF 2.21 + opensmile 2.6): once TensorFlow is loaded, openSMILE's native
# library corrupts memory when it is loaded ("malloc(): invalid size", or a segfault). Loaded the other
# way round, both work. So load that library now (about 2 ms: the shared object only, not the Python
# package) if TensorFlow is not there yet; when it already is, features.extract_features computes
# eGeMAPS in worker processes instead.
OPENSMILE_PRELOADED = False


def _preload_opensmile() -> bool:
    import ctypes
    import glob
    import importlib.util

    spec = importlib.util.find_spec("opensmile")
    if spec is None or spec.origin is None:
        return False
    libraries = glob.glob(os.path.join(os.path.dirname(spec.origin), "core", "bin", "*", "libSMILEapi.so"))
    if not libraries:
        return False
    ctypes.CDLL(libraries[0])
    return True


if "tensorflow" not in sys.modules:
    OPENSMILE_PRELOADED = _preload_opensmile()

__version__ = "0.1.0"
