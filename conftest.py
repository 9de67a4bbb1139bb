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
os.environ["MMSER_ALLOW_DOWNLOADS"] = "0"  # the tests never download, whatever the machine allows
for _name in list(os.environ):
    if _name.startswith("MMSER_") and _name.endswith("_ROOT"):
        del os.environ[_name]
