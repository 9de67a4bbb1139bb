"""`mmser grade`: a student's figures against the committed reference, under declared tolerances."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from mmser_lib import cli, config
from mmser_lib.infra import grading

REFERENCE = Path(__file__).resolve().parents[1] / "figures"
GRADED = sorted(p.parent.name for p in REFERENCE.glob("*/metrics.json"))  # notebooks with a main reference
NOTEBOOKS = sorted(p.name for p in REFERENCE.iterdir() if p.is_dir())  # with any reference (main or twin-fast/)


@pytest.fixture
def student(tmp_path):
    """A student's checkout whose notebooks wrote student/: a copy of each notebook's main reference (twin-fast/
    where there is no main one), as a run on the same data would."""
    (tmp_path / "mmser_lib").mkdir()
    shutil.copytree(REFERENCE, tmp_path / "figures")  # the checkout's own reference, never graded
    copy = tmp_path / "student"
    for name in NOTEBOOKS:
        made = REFERENCE / name if (REFERENCE / name / "metrics.json").is_file() else REFERENCE / name / "twin-fast"
        (copy / name).mkdir(parents=True)
        for path in made.iterdir():
            if path.is_file() and path.name != grading.TOLERANCES:
                shutil.copy2(path, copy / name / path.name)
    return copy


def _edit_metrics(folder: Path, change) -> None:
    path = folder / "metrics.json"
    payload = json.loads(path.read_text())
    change(payload)
    path.write_text(json.dumps(payload))


def test_every_reference_declares_its_tolerances_and_says_why():
    assert len(GRADED) >= 8
    for name in GRADED:
        tolerances = json.loads((REFERENCE / name / grading.TOLERANCES).read_text())
        assert tolerances["rules"] and all(rule.get("why") for rule in tolerances["rules"]), name
        metrics = grading.flatten(json.loads((REFERENCE / name / "metrics.json").read_text())["metrics"])
        graded = [m for m in metrics if not grading.tolerance_for(m, tolerances).get("ignore")]
        assert graded, f"{name}: every metric is ignored"


def test_a_copy_of_the_reference_passes(student, tmp_path, capsys):
    out = tmp_path / "report.md"
    checkout = student.parent
    assert cli.main(["grade", str(checkout), "--reference", str(REFERENCE), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"{len(NOTEBOOKS)} of {len(NOTEBOOKS)} notebooks pass" in printed
    report = out.read_text()
    assert "| 10_scaling | **pass** |" in report
    # figures side by side, linked relative to the report so the folder can be moved as a whole
    assert "](/" not in report
    assert "](student/10_scaling/scaling_by_model.png)" in report  # relative to the report, from student/


def test_a_metric_outside_its_tolerance_and_a_missing_figure_are_flagged(student, tmp_path, capsys):
    tolerances = json.loads((REFERENCE / "10_scaling" / grading.TOLERANCES).read_text())
    name = "uar.per speaker, 8 enrolment clips.mlp_four_branch.mean"
    allowed = grading.tolerance_for(name, tolerances)["abs"]

    def move(payload):
        payload["metrics"]["uar"]["per speaker, 8 enrolment clips"]["mlp_four_branch"]["mean"] += allowed + 0.01

    _edit_metrics(student / "10_scaling", move)
    (student / "11_splits_and_leakage" / "protocols.png").unlink()
    out = tmp_path / "report.md"
    assert cli.main(["grade", str(student), "--reference", str(REFERENCE), "--out", str(out)]) == 1
    grades = {g.notebook: g for g in grading.grade(student, REFERENCE)}
    assert grades["10_scaling"].verdict == "check"
    assert [c.name for c in grades["10_scaling"].failed] == [name]
    assert grades["11_splits_and_leakage"].verdict == "check"
    assert grades["11_splits_and_leakage"].missing_figures == ["protocols.png"]
    assert all(g.verdict == "pass" for n, g in grades.items() if n not in ("10_scaling", "11_splits_and_leakage"))
    report = out.read_text()
    assert name in report and "protocols.png" in report and "**missing**" in report
    printed = capsys.readouterr().out
    assert f"{len(NOTEBOOKS) - 2} of {len(NOTEBOOKS)} notebooks pass" in printed


def test_a_move_inside_the_tolerance_still_passes(student):
    def move(payload):
        scores = payload["metrics"]["uar"]["per speaker, 8 enrolment clips"]["mlp_four_branch"]
        scores["mean"] += 0.05  # allowed: 0.06
        scores["sd"] = 0.4  # spreads are not graded

    _edit_metrics(student / "10_scaling", move)
    grades = {g.notebook: g for g in grading.grade(student, REFERENCE)}
    assert grades["10_scaling"].verdict == "pass"


def test_numbers_from_other_data_are_not_compared_silently(student):
    def to_twin(payload):
        payload["data"]["twin"] = True

    _edit_metrics(student / "02_baseline_vs_two_branch", to_twin)
    grade = {g.notebook: g for g in grading.grade(student, REFERENCE)}["02_baseline_vs_two_branch"]
    assert grade.verdict == "check" and "made on other data: data.twin" in grade.reasons[0]


def test_html_report_embeds_both_figures(student, tmp_path):
    (student / "02_baseline_vs_two_branch" / "scores.png").unlink()
    (student / "99_my_extra").mkdir()
    grades = grading.grade(student, REFERENCE)
    out = grading.write_report(grades, student, REFERENCE, tmp_path / "report.html")
    page = out.read_text()
    n_figures = sum(len(list((REFERENCE / n).glob("*.png"))) for n in GRADED)  # main references
    n_figures += sum(len(list((REFERENCE / n / "twin-fast").glob("*.png"))) for n in set(NOTEBOOKS) - set(GRADED))
    assert page.count("data:image/png;base64,") == 2 * n_figures - 1  # the removed one is shown as missing
    assert "<b>missing</b>" in page and "99_my_extra" in page and "no reference" in page


def test_rules_first_match_relative_ignore_and_text():
    tolerances = {"default": {"abs": 0.05}, "rules": [{"pattern": "a.n", "abs": 0}, {"pattern": "a.*", "rel": 0.1},
                                                      {"pattern": "b", "ignore": True}]}
    assert grading.tolerance_for("a.n", tolerances) == {"pattern": "a.n", "abs": 0}
    assert grading.compare_metric("a.x", 200.0, 215.0, grading.tolerance_for("a.x", tolerances)).ok
    assert not grading.compare_metric("a.x", 200.0, 225.0, grading.tolerance_for("a.x", tolerances)).ok
    assert grading.compare_metric("b", 1, 99, grading.tolerance_for("b", tolerances)) is None
    assert not grading.compare_metric("c", 0.5, float("nan"), tolerances["default"]).ok
    assert not grading.compare_metric("c", "conv1d", "two_branch", tolerances["default"]).ok
    assert not grading.compare_metric("c", 0.5, None, tolerances["default"]).ok


def test_a_missing_student_folder_is_one_clear_line(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path / "nothing"), "--reference", str(REFERENCE)]) == 2
    err = capsys.readouterr().err
    assert "student folder" in err and "Traceback" not in err


def test_a_checkout_is_graded_on_its_student_folder_never_on_its_reference(student, capsys):
    checkout = student.parent
    _edit_metrics(checkout / "figures" / "10_scaling", lambda p: p["metrics"].clear())  # fails if graded
    assert grading.figures_folder(checkout) == student
    assert all(g.verdict == "pass" for g in grading.grade(checkout, REFERENCE))
    shutil.rmtree(student)
    with pytest.raises(FileNotFoundError, match="without student/"):
        grading.figures_folder(checkout)


def test_notebooks_write_to_the_git_ignored_student_folder_by_default(monkeypatch):
    monkeypatch.delenv("MMSER_FIGURES_DIR", raising=False)
    root = REFERENCE.parent
    assert config.figures_dir() == root / "student"
    if (root / ".git").exists():
        ignored = subprocess.run(["git", "check-ignore", "-q", "student/10_scaling/x.png"], cwd=root)
        assert ignored.returncode == 0, "student/ must be git-ignored"



def _record(folder: Path, uar: float, twin: bool, fast: bool, speakers: list[str]) -> None:
    folder.mkdir(parents=True)
    (folder / "scores.png").write_bytes(b"png")
    payload = {"notebook": "99_x", "data": {"corpus": "ravdess", "twin": twin}, "fast_mode": fast,
               "corpora": {"ravdess": {"twin": twin, "speakers": speakers, "sample_rates_hz": [16000]}},
               "metrics": {"uar": uar}}
    (folder / "metrics.json").write_text(json.dumps(payload))
    (folder / grading.TOLERANCES).write_text(json.dumps({"default": {"abs": 0.01}, "rules": []}))


def test_the_reference_made_on_the_same_data_is_chosen_and_named(tmp_path):
    real = [f"ravdess:{n:02d}" for n in range(1, 13)]
    _record(tmp_path / "ref" / "99_x", 0.60, twin=False, fast=False, speakers=real)
    _record(tmp_path / "ref" / "99_x" / "twin-fast", 0.30, twin=True, fast=True, speakers=["ravdess:01"])
    _record(tmp_path / "mine" / "99_x", 0.305, twin=True, fast=True, speakers=["ravdess:01"])
    [grade] = grading.grade(tmp_path / "mine", tmp_path / "ref")
    assert grade.verdict == "pass", grade.reasons
    assert grade.reference == tmp_path / "ref" / "99_x" / "twin-fast" and "twin-fast" in grade.reference_why

    # real data on other speakers than the main reference's: no reference matches, the main one is used and why
    shutil.rmtree(tmp_path / "mine")
    _record(tmp_path / "mine" / "99_x", 0.60, twin=False, fast=False, speakers=real + ["ravdess:13"])
    [grade] = grading.grade(tmp_path / "mine", tmp_path / "ref")
    assert grade.verdict == "check" and grade.reference == tmp_path / "ref" / "99_x"
    assert "no reference" in grade.reference_why
    assert any("corpora.ravdess.speakers is '13 speakers" in reason for reason in grade.reasons), grade.reasons


def test_a_notebook_checks_its_own_run_and_fails_only_when_strict(tmp_path, monkeypatch, capsys):
    """grading.check_run, the last cell of notebooks 02-07: against twin-fast/ for a fast twin run."""
    name = "02_baseline_vs_two_branch"
    reference = REFERENCE / name / "twin-fast"
    mine = tmp_path / name
    shutil.copytree(reference, mine)
    monkeypatch.setenv("MMSER_FIGURES_DIR", str(tmp_path))
    grade = grading.check_run(name, strict=True)
    assert grade.verdict == "pass" and grade.reference == reference
    assert "twin-fast reference: made on the same data" in capsys.readouterr().out

    allowed = grading.tolerance_for("conv1d.uar", json.loads((reference / grading.TOLERANCES).read_text()))["abs"]
    _edit_metrics(mine, lambda payload: payload["metrics"]["conv1d"].update(
        uar=payload["metrics"]["conv1d"]["uar"] + allowed + 0.01))
    assert grading.check_run(name, strict=False).verdict == "check"  # a student sees why, nothing raises
    assert "conv1d.uar" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="does not reproduce"):
        grading.check_run(name, strict=True)


def test_another_sample_rate_is_a_note_not_a_reason(tmp_path):
    speakers = [f"ravdess:{n:02d}" for n in range(1, 13)]
    _record(tmp_path / "ref" / "99_x", 0.60, twin=False, fast=False, speakers=speakers)
    _record(tmp_path / "mine" / "99_x", 0.60, twin=False, fast=False, speakers=speakers)
    _edit_metrics(tmp_path / "mine" / "99_x",
                  lambda payload: payload["corpora"]["ravdess"].update(sample_rates_hz=[48000]))
    [grade] = grading.grade(tmp_path / "mine", tmp_path / "ref")
    assert grade.verdict == "pass" and grade.reference == tmp_path / "ref" / "99_x"
    assert grade.notes and "sample_rates_hz is '48000' here, '16000' in the reference" in grade.notes[0]


def test_a_notebook_whose_only_reference_is_made_on_other_data_is_not_passed_vacuously(tmp_path):
    """A notebook with only a twin-fast/ reference, and a student run in full settings: nothing to compare."""
    _record(tmp_path / "ref" / "99_x" / "twin-fast", 0.30, twin=True, fast=True, speakers=["ravdess:01"])
    _record(tmp_path / "mine" / "99_x", 0.30, twin=True, fast=False, speakers=["ravdess:01"])
    [grade] = grading.grade(tmp_path / "mine", tmp_path / "ref")
    assert grade.verdict != "pass" and grade.reasons
