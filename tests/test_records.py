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


def test_committed_outputs_lose_tensorflow_machine_noise_and_nothing_else():
    import importlib.util
    from pathlib import Path

    import nbformat

    tool = Path(__file__).resolve().parents[1] / "tools" / "make_reference_figures.py"
    spec = importlib.util.spec_from_file_location("make_reference_figures", tool)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    noisy = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
             "I0000 00:00:17.1 18987 port.cc:153] oneDNN custom operations are on. You may see ...\n"
             "run.wav: neutral 0.43\n")
    outputs = [nbformat.v4.new_output("stream", name="stdout", text=noisy),
               nbformat.v4.new_output("stream", name="stderr", text="E0000 1 util.cc:131] oneDNN supports DT_BOOL "
                                                                    "only on platforms with AVX-512. Falling back\n"),
               nbformat.v4.new_output("stream", name="stdout", text="\n"),
               nbformat.v4.new_output("stream", name="stderr", text="UserWarning: a real warning\n")]
    kept = module.without_noise(outputs)
    assert [o["text"] for o in kept] == ["run.wav: neutral 0.43\n", "\n", "UserWarning: a real warning\n"]


def test_committed_outputs_show_the_reference_folder_not_the_runs_temporary_one():
    import importlib.util
    from pathlib import Path

    import nbformat

    tool = Path(__file__).resolve().parents[1] / "tools" / "make_reference_figures.py"
    spec = importlib.util.spec_from_file_location("make_reference_figures", tool)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    scratch = "/tmp/tmpab12/10_scaling"
    outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": f"PosixPath('{scratch}/a.png')"}),
               nbformat.v4.new_output("stream", name="stdout", text=f"wrote {scratch}/metrics.json\n"),
               nbformat.v4.new_output("stream", name="stdout", text="UAR 0.5\n")]
    shown = module.with_path_shown(outputs, scratch, "figures/10_scaling")
    assert shown[0]["data"]["text/plain"] == "PosixPath('figures/10_scaling/a.png')"
    assert [o["text"] for o in shown[1:]] == ["wrote figures/10_scaling/metrics.json\n", "UAR 0.5\n"]
