"""The models the notebooks build layer by layer are the networks `mmser train` builds.

Notebooks 02, 09, 12, 13 and 14 teach each architecture in Keras, in cells
tagged ``mmser-builder`` that define ``build_<architecture>(shapes,
n_classes, ...)``. This test runs exactly those cells and compares every
builder with the library's (:mod:`mmser_lib.architectures`): the same
layers (type and name, in order), the same output shape of every layer, the
same parameter counts, the same inputs and output.
"""

from pathlib import Path

import nbformat
import numpy as np
import pytest

from mmser_lib import architectures

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
TAUGHT = {  # notebook -> architectures it builds in Keras
    "02_baseline_vs_two_branch": ["conv1d", "two_branch"],
    "09_crema_d_and_meld": ["conv1d_enhanced", "two_branch_enhanced"],
    "12_sadness_iemocap": ["attention_fusion"],
    "13_late_fusion": ["mel_cnn", "prosody_mlp", "late_fusion"],
    "14_cross_attention": ["cross_attention_fusion"],
}
SHAPES = {"frames": (101, 64), "tfidf": (37,), "sentence": (384,), "tokens": (32, 384), "contours": (901,)}


def builder_cells(notebook: str) -> dict:
    """The names the notebook's ``mmser-builder`` cells define, after running only those cells."""
    cells = nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4).cells
    tagged = [c.source for c in cells if "mmser-builder" in c.metadata.get("tags", [])]
    assert tagged, f"{notebook} has no cell tagged mmser-builder"
    namespace: dict = {}
    for source in tagged:
        exec(compile(source, f"{notebook}:mmser-builder", "exec"), namespace)  # noqa: S102
    return namespace


def output_shapes(layer) -> list[tuple]:
    outputs = layer.output if isinstance(layer.output, (list, tuple)) else [layer.output]
    return [tuple(t.shape) for t in outputs]


def signature(model) -> list[tuple]:
    """(class, name, output shapes, parameters) of every layer, in order."""
    return [(type(layer).__name__, layer.name, output_shapes(layer), layer.count_params()) for layer in model.layers]


def build_both(namespace: dict, name: str, n_classes: int, parts: dict):
    arch = architectures.get(name)
    shapes = {k: SHAPES[k] for k in arch.inputs}
    stats = (np.zeros(64, "float32"), np.ones(64, "float32"))
    library = arch.build(shapes, n_classes, stats, parts)
    build = namespace[f"build_{name}"]
    if arch.needs:
        notebook = build(shapes, n_classes, *(parts[p] for p in arch.needs))
    elif "frames" in arch.inputs:
        notebook = build(shapes, n_classes, *stats)
    else:
        notebook = build(shapes, n_classes)
    return notebook, library


@pytest.mark.parametrize("notebook", list(TAUGHT))
def test_notebook_builders_match_the_library(notebook):
    namespace = builder_cells(notebook)
    parts = {}
    for name in TAUGHT[notebook]:
        n_classes = 1 if architectures.get(name).detects else 4
        ours, theirs = build_both(namespace, name, n_classes, parts)
        assert signature(ours) == signature(theirs), name
        assert ours.count_params() == theirs.count_params() > 0
        assert sorted(i.name for i in ours.inputs) == sorted(i.name for i in theirs.inputs)
        assert ours.output_shape == theirs.output_shape == (None, n_classes)
        parts[name] = theirs  # late fusion reuses the trained parts


def test_a_changed_layer_is_caught():
    """The comparison fails when one layer differs (here: a wider dense layer)."""
    namespace = builder_cells("02_baseline_vs_two_branch")
    ours, theirs = build_both(namespace, "conv1d", 4, {})
    from mmser_lib import models

    wider = models.conv1d_baseline({"frames": SHAPES["frames"]}, 4, np.zeros(64), np.ones(64), dense_units=65)
    assert signature(ours) == signature(theirs) != signature(wider)
