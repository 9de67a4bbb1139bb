"""Every exercise has a solution, and every solution's code is valid Python that calls what exists.

Running the solutions needs each notebook's kernel state (``tools/run_solutions.py`` does that by hand);
here each block is compiled and every ``module.attribute`` it uses from ``mmser_lib`` is looked up.
"""

import ast
import importlib

import pytest

from mmser_lib.infra import solutions

NOTEBOOKS = sorted(p.stem for p in (solutions.REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_exercise_has_a_solution(notebook):
    count = solutions.exercise_count(notebook)
    assert count > 0, f"{notebook} has no exercises"
    assert solutions.solutions_file(notebook).is_file(), f"no solutions file for {notebook}"
    assert solutions.solved_exercises(notebook) == list(range(1, count + 1)), notebook


def mmser_names(tree: ast.AST) -> set[tuple[str, str]]:
    """(module, attribute) for ``module.attribute`` where module was imported from mmser_lib."""
    modules = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mmser_lib"):
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                try:
                    importlib.import_module(target)
                except ImportError:
                    continue  # a function or class, not a module
                modules[alias.asname or alias.name] = target
    return {(modules[n.value.id], n.attr) for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in modules}


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_solution_code_compiles_and_calls_what_exists(notebook):
    for exercise, code in solutions.code_blocks(notebook):
        tree = ast.parse(code, f"{notebook} exercise {exercise}")
        for module, attribute in mmser_names(tree):
            assert hasattr(importlib.import_module(module), attribute), \
                f"{notebook} exercise {exercise}: {module}.{attribute} does not exist"


def test_a_missing_solution_is_caught(tmp_path, monkeypatch):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "notebooks").symlink_to(solutions.REPO / "notebooks")
    (tmp_path / "solutions" / "02_baseline_vs_two_branch.md").write_text("## Exercise 1: x\n## Exercise 3: y\n")
    monkeypatch.setattr(solutions, "REPO", tmp_path)
    assert solutions.solved_exercises("02_baseline_vs_two_branch") == [1, 3]
    assert solutions.exercise_count("02_baseline_vs_two_branch") == 4


def test_an_attribute_that_does_not_exist_is_caught():
    tree = ast.parse("from mmser_lib import splits\nsplits.no_such_split(m)\n")
    assert ("mmser_lib.splits", "no_such_split") in mmser_names(tree)
    assert not hasattr(importlib.import_module("mmser_lib.splits"), "no_such_split")
