"""mmser_lib: the helper library behind the mmser notebooks.

One module per lesson-sized concern: ``corpora`` (loaders and twins),
``audio``, ``features``, ``transcription`` (Whisper), ``text``, ``emotions``,
``targets`` (what a model predicts), ``splits``, ``scaling``, ``inputs``,
``models`` (the Keras builders), ``architectures``, ``training``,
``evaluation``, ``experiments``, ``plots``, ``runs`` (train / evaluate / save
a run), ``predict``, ``cross_corpus``, ``gpu`` (memory growth, seeding,
device report) and ``cli`` (``mmser``). The plumbing (cache, offline models,
random test models, eSpeak, records, grading, optional extras) is in
:mod:`mmser_lib.infra`.
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


# The same trap with triton (installed with openai-whisper and torch): TensorFlow and triton's
# libtriton.so each carry LLVM, and loading triton after TensorFlow aborts the process ("LLVM ERROR:
# inconsistency in registered CommandLine options"). transformers imports triton, so BERT, MiniLM and
# HuBERT would crash a notebook that trained a Keras model first. Loading libtriton.so first (30 ms)
# avoids it; see infra.pretrained.check_import_order for the case where TensorFlow came first.
TRITON_PRELOADED = False


def _preload_shared_library(package: str, pattern: str) -> bool:
    import ctypes
    import glob
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return False
    libraries = glob.glob(os.path.join(os.path.dirname(spec.origin), pattern))
    if not libraries:
        return False
    ctypes.CDLL(libraries[0])
    return True


if "tensorflow" not in sys.modules:
    OPENSMILE_PRELOADED = _preload_shared_library("opensmile", os.path.join("core", "bin", "*", "libSMILEapi.so"))
    TRITON_PRELOADED = _preload_shared_library("triton", os.path.join("_C", "libtriton.so"))

__version__ = "0.1.0"
