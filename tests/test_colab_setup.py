"""The Colab setup cell: one cell in every notebook, and it installs and imports mmser_lib in one kernel."""

import os
import re
import subprocess
import sysconfig
import tomllib
import venv
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def setup_cell(path: Path) -> str:
    cells = [c.source for c in nbformat.read(path, as_version=4).cells
             if c.cell_type == "code" and c.source.startswith("# Setup: on Colab")]
    assert len(cells) == 1, f"{path.name}: {len(cells)} setup cells"
    return cells[0]


def test_every_notebook_has_the_same_setup_cell_and_a_badge_for_the_one_repository():
    repository = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
    cells = {path.name: setup_cell(path) for path in NOTEBOOKS}
    assert len(cells) >= 17 and len(set(cells.values())) == 1
    assert f'REPOSITORY = "{repository}"' in next(iter(cells.values()))
    owner_and_name = repository.split("github.com/")[1]
    for path in NOTEBOOKS:
        first = nbformat.read(path, as_version=4).cells[0].source
        badge = f"https://colab.research.google.com/github/{owner_and_name}/blob/main/notebooks/{path.name}"
        assert badge in first, path.name


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="the cell clones the course with git; this copy has no .git")
def test_the_setup_cell_installs_and_imports_mmser_lib_in_one_fresh_kernel(tmp_path):
    # An environment without mmser_lib: a new venv that sees this one's packages through a plain path in a
    # .pth file (so the .pth files there, mmser's editable install among them, are not read).
    env = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    env_site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
    Path(env_site, "course_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    environ = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    before = subprocess.run([python, "-c", "import mmser_lib"], capture_output=True, text=True, env=environ,
                            cwd=tmp_path)  # a Colab kernel starts in /content, not in a checkout
    assert before.returncode != 0 and "No module named 'mmser_lib'" in before.stderr

    # The notebook's cell as Colab runs it, cloning this checkout into a scratch folder instead of /content.
    course = tmp_path / "content" / "mmser"
    cell = setup_cell(ROOT / "notebooks" / "02_baseline_vs_two_branch.ipynb")
    cell, n_repository = re.subn(r'^REPOSITORY = .*$', f"REPOSITORY = {str(ROOT)!r}", cell, flags=re.M)
    cell, n_course = re.subn(r'^COURSE = .*$', f"COURSE = Path({str(course)!r})", cell, flags=re.M)
    assert (n_repository, n_course) == (1, 1)
    kernel = "\n".join([
        "import sys, types",
        "sys.modules['google.colab'] = types.ModuleType('google.colab')  # what a Colab kernel has loaded",
        cell,
        "import mmser_lib",
        "print(mmser_lib.__file__)",
        "print(os.getcwd())",
    ])
    # offline: pip finds every requirement of mmser[all] among the packages it sees, and builds with their setuptools
    environ.update(PIP_NO_INDEX="1", PIP_NO_BUILD_ISOLATION="0", PIP_DISABLE_PIP_VERSION_CHECK="1")
    result = subprocess.run([python, "-c", kernel], capture_output=True, text=True, env=environ, cwd=tmp_path,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    module, cwd = result.stdout.strip().splitlines()[-2:]
    assert Path(module) == course / "mmser_lib" / "__init__.py"
    assert Path(cwd) == course / "notebooks"
