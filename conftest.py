"""Test-wide settings, applied before any test or notebook kernel starts.

Figures and twins go to a temporary folder (so the committed reference
figures are never overwritten), notebooks run in fast mode, and no real
corpus is used even if one is configured on this machine: the tests must
pass on a fresh clone with no data at all.
"""

import os
import tempfile

# One scratch folder for the whole run: pytest-xdist workers inherit it, so notebooks on two workers share
# the twins (written once, under a lock) and the feature cache (atomic writes).
_scratch = os.environ.setdefault("MMSER_TEST_SCRATCH", tempfile.mkdtemp(prefix="mmser-tests-"))
os.environ["MMSER_FIGURES_DIR"] = os.path.join(_scratch, "figures")
os.environ["MMSER_TWIN_DIR"] = os.path.join(_scratch, "twins")
os.environ["MMSER_CACHE_DIR"] = os.path.join(_scratch, "cache")
os.environ["MMSER_FAST"] = "1"
os.environ["MMSER_GRADE_STRICT"] = "1"  # notebooks that check their own run against twin-fast/ must pass
os.environ["MMSER_ALLOW_DOWNLOADS"] = "0"  # the tests never download, whatever the machine allows
# Under pytest-xdist each worker gets its share of the cores for the libraries that spin while they wait for work
# (OpenMP in torch, CTranslate2 and scikit-learn; OpenBLAS): two workers that each start one such thread per core
# slow each other down badly (a t-SNE that takes 5 s alone took 86 s beside another worker). TensorFlow keeps its
# own pools: limiting them too made the notebooks' training slower. Notebook kernels inherit these; a value set by
# the user is kept.
if "PYTEST_XDIST_WORKER_COUNT" in os.environ:
    _threads = str(max(1, (os.cpu_count() or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"])))
    for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_name, _threads)
for _name in list(os.environ):
    if _name.startswith("MMSER_") and _name.endswith("_ROOT"):
        del os.environ[_name]


# `--dist loadscope` hands out whole notebooks and test modules in collection order. Notebooks come first, then
# the longest test modules, so that the last scopes handed out are short and the two workers finish together.
LONG_TEST_MODULES = ("test_architectures.py", "test_twin_lessons.py", "test_cli.py", "test_transcription.py",
                     "test_meld_context.py", "test_feature_set.py", "test_sample_rate_invariance.py")


def pytest_collection_modifyitems(items):
    def rank(item):
        if item.path.suffix == ".ipynb":
            return 0
        return 1 if item.path.name in LONG_TEST_MODULES else 2

    items.sort(key=rank)  # a stable sort: cells and tests keep their order inside a notebook or module

