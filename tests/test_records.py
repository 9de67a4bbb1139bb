"""records.changed_files: what makes a reference's git commit "+dirty" (code), and what does not (its own outputs)."""

import json
import subprocess

from mmser_lib.infra import records


def _git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_outputs_and_figures_do_not_count_as_changes_but_sources_do(tmp_path):
    notebook = {"cells": [{"cell_type": "code", "source": ["x = 1"], "outputs": [], "metadata": {},
                           "execution_count": None}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "figures").mkdir()
    (tmp_path / "notebooks" / "a.ipynb").write_text(json.dumps(notebook))
    (tmp_path / "figures" / "metrics.json").write_text("{}")
    (tmp_path / "lib.py").write_text("A = 1\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    assert records.changed_files(tmp_path) == []

    notebook["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["1\n"]}]
    (tmp_path / "notebooks" / "a.ipynb").write_text(json.dumps(notebook))
    (tmp_path / "figures" / "metrics.json").write_text('{"uar": 0.5}')
    assert records.changed_files(tmp_path) == []  # what the reference tool writes

    notebook["cells"][0]["source"] = ["x = 2"]
    (tmp_path / "notebooks" / "a.ipynb").write_text(json.dumps(notebook))
    (tmp_path / "lib.py").write_text("A = 2\n")
    assert sorted(records.changed_files(tmp_path)) == ["lib.py", "notebooks/a.ipynb"]
