"""Grading reproduced figures: a student's ``figures/`` against the committed reference.

Every notebook writes ``figures/<notebook>/*.png`` and a ``metrics.json``.
The reference folder holds the same, plus a ``tolerances.json`` per notebook
that says how far each number may move on other hardware or another seed:

.. code-block:: json

    {"default": {"abs": 0.05},
     "rules": [
       {"pattern": "*.n", "abs": 0, "why": "test-set sizes are fixed by the split"},
       {"pattern": "*.sd", "ignore": true, "why": "a spread over 3 seeds is itself noisy"},
       {"pattern": "*uar*", "abs": 0.08, "why": "seed-to-seed sd is about 0.04"}
     ]}

A metric is a leaf of ``metrics.json["metrics"]`` named by its dotted path
(``uar.unscaled.mlp_audio.mean``); the first rule whose ``pattern``
(shell-style, :mod:`fnmatch`) matches decides: ``abs`` (|student - reference|
at most this), ``rel`` (at most this fraction of |reference|) or ``ignore``.
Numbers without a rule get ``default``; text and flags must be equal.

Each notebook may have several references: ``figures/<notebook>/`` (the
data its README section reports, the real corpus where there is one) and
``twin/`` / ``twin-fast/`` subfolders made on twins in full and fast
settings. The grade compares a student's run with the one made on the same
data (corpus, twin or real, speakers, sample rate, fast or full) and says
which it used and why.

A notebook **passes** when every reference metric is present and within
tolerance, every reference figure exists, and the run used the same kind of
data. Anything else is
**check**: the report says what to look at, with both figures side by side.
"""

from __future__ import annotations

import base64
import fnmatch
import html
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

TOLERANCES = "tolerances.json"
METRICS = "metrics.json"
DEFAULT_TOLERANCE = {"abs": 0.05}


def flatten(value, prefix: str = "") -> dict[str, object]:
    """Leaves of nested dicts and lists as ``{"a.b.0": leaf}``."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return {prefix: value}
    out = {}
    for key, child in items:
        out.update(flatten(child, f"{prefix}.{key}" if prefix else str(key)))
    return out


def provenance(record: dict) -> dict[str, object]:
    """What must match for numbers to be comparable, from a whole ``metrics.json``.

    The corpus names and every flag (twin, fast) of ``data``; ``fast_mode``;
    and for each corpus the run loaded (``corpora``): twin or real, which
    speakers and at what sample rates.
    """
    out = {f"data.{k}": v for k, v in flatten(record.get("data", {})).items()
           if isinstance(v, bool) or k.split(".")[-1] == "corpus"}
    if "fast_mode" in record:
        out["fast_mode"] = record["fast_mode"]
    for corpus, loaded in (record.get("corpora") or {}).items():
        out[f"corpora.{corpus}.twin"] = loaded.get("twin")
        speakers = loaded.get("speakers") or []
        out[f"corpora.{corpus}.speakers"] = (f"{len(speakers)} speakers: {_span(speakers)}" if speakers else None)
        out[f"corpora.{corpus}.sample_rates_hz"] = ", ".join(map(str, loaded.get("sample_rates_hz") or [])) or None
    return out


def _span(speakers: list[str]) -> str:
    """``ravdess:01 ... ravdess:12`` for a long list, all of them for a short one."""
    return ", ".join(speakers) if len(speakers) <= 4 else f"{speakers[0]} ... {speakers[-1]}"


# Provenance that is reported but does not make numbers incomparable: the features and models read every clip at
# 16 kHz and are tested to agree across sample rates (tests/test_sample_rate_invariance.py).
NOTE_ONLY = ("sample_rates_hz",)


def provenance_differences(reference: dict, student: dict, notes: bool = False) -> list[str]:
    """One sentence per provenance item of ``reference`` that ``student`` does not share.

    ``notes=False`` lists what makes the numbers incomparable; ``notes=True``
    what is only worth knowing (:data:`NOTE_ONLY`, e.g. the files' sample rate).
    """
    ours = provenance(student)
    return [f"{key} is {ours.get(key)!r} here, {theirs!r} in the reference"
            for key, theirs in provenance(reference).items()
            if ours.get(key) != theirs and (key.split(".")[-1] in NOTE_ONLY) == notes]


def reference_folders(reference: Path) -> list[Path]:
    """The references of one notebook: ``figures/<notebook>/`` first, then its subfolders with a metrics.json.

    ``figures/<notebook>/`` is made on the data the notebook's README section
    reports (the real corpus where there is one); ``twin/`` and ``twin-fast/``
    are made on twins in full and in fast (CI) settings, so anyone can match one.
    """
    extra = sorted(p for p in reference.iterdir() if p.is_dir() and (p / METRICS).is_file()) \
        if reference.is_dir() else []
    return [reference, *extra]


def choose_reference(reference: Path, student: Path) -> tuple[Path, str]:
    """The reference folder made on the same kind of data as the student's run, and why it was chosen."""
    candidates = reference_folders(reference)
    if not (student / METRICS).is_file():
        return reference, "the student's folder has no metrics.json, so the main reference is used"
    mine = _read_json(student / METRICS)
    for folder in candidates:
        if (folder / METRICS).is_file() and not provenance_differences(_read_json(folder / METRICS), mine):
            label = "the main reference" if folder == reference else f"the {folder.name} reference"
            made = ", ".join(f"{k}={v}" for k, v in provenance(_read_json(folder / METRICS)).items())
            return folder, f"{label}: made on the same data as the student's run ({made})"
    names = ", ".join(f.name if f != reference else "main" for f in candidates)
    return reference, (f"no reference ({names}) was made on the same data as the student's run, so the main "
                       "reference is used and its numbers may not be comparable")


def tolerance_for(name: str, tolerances: dict) -> dict:
    """The rule that applies to metric ``name``: the first matching rule, else the default."""
    for rule in tolerances.get("rules", []):
        if fnmatch.fnmatchcase(name, rule["pattern"]):
            return rule
    return tolerances.get("default", DEFAULT_TOLERANCE)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass
class MetricCheck:
    """One metric compared: ``ok`` False means outside tolerance or missing."""

    name: str
    reference: object
    student: object
    allowed: str
    ok: bool

    def describe(self) -> str:
        if self.student is None:
            return f"{self.name}: missing (reference {_fmt(self.reference)})"
        return f"{self.name}: {_fmt(self.student)} vs reference {_fmt(self.reference)} (allowed {self.allowed})"


def _fmt(value) -> str:
    return f"{value:.4g}" if _is_number(value) else repr(value)


def compare_metric(name: str, reference, student, rule: dict) -> MetricCheck | None:
    """Compare one leaf under ``rule``; None when the rule says to ignore it."""
    if rule.get("ignore"):
        return None
    if student is None:
        return MetricCheck(name, reference, None, "present", False)
    if _is_number(reference) and _is_number(student):
        difference = abs(float(student) - float(reference))
        if "rel" in rule:
            limit = rule["rel"] * abs(float(reference))
            allowed = f"±{rule['rel']:.0%}"
        else:
            limit = rule.get("abs", DEFAULT_TOLERANCE["abs"])
            allowed = f"±{limit:g}"
        ok = math.isfinite(float(student)) and difference <= limit + 1e-12
        return MetricCheck(name, reference, student, allowed, ok)
    return MetricCheck(name, reference, student, "equal", reference == student)


@dataclass
class NotebookGrade:
    """The verdict on one notebook's folder."""

    notebook: str
    verdict: str  # "pass", "check" or "no reference"
    checks: list[MetricCheck] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    missing_figures: list[str] = field(default_factory=list)
    extra_figures: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)  # present in both
    reference: Path | None = None  # the reference folder compared with
    reference_why: str = ""  # why that one
    notes: list[str] = field(default_factory=list)  # differences worth knowing that do not change the verdict

    @property
    def failed(self) -> list[MetricCheck]:
        return [c for c in self.checks if not c.ok]


def _figures(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*.png")} if folder.is_dir() else set()


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not valid JSON ({err})") from err


def grade_notebook(reference: Path, student: Path) -> NotebookGrade:
    """Compare ``student/<notebook>`` with the reference of ``<notebook>`` made on the same data.

    ``reference`` is ``figures/<notebook>``; :func:`choose_reference` picks it
    or one of its ``twin/``, ``twin-fast/`` subfolders by provenance, and the
    grade says which and why.
    """
    name = reference.name
    chosen, why = choose_reference(reference, student)
    grade = NotebookGrade(name, "pass", reference=chosen, reference_why=why)
    ref_figures, student_figures = _figures(chosen), _figures(student)
    grade.missing_figures = sorted(ref_figures - student_figures)
    grade.extra_figures = sorted(student_figures - ref_figures)
    grade.figures = sorted(ref_figures & student_figures)
    if not student.is_dir():
        grade.reasons.append(f"no folder {student.name}/: the notebook was not run (or its figures not handed in)")
    if grade.missing_figures:
        grade.reasons.append(f"{len(grade.missing_figures)} reference figure(s) missing: "
                             + ", ".join(grade.missing_figures))

    ref_metrics = _read_json(chosen / METRICS) if (chosen / METRICS).is_file() else None
    tolerances = _read_json(chosen / TOLERANCES) if (chosen / TOLERANCES).is_file() else {}
    if ref_metrics is None and not ref_figures:
        made = [f.name for f in reference_folders(reference) if f != reference]
        grade.verdict = "no reference"
        grade.reasons.append(f"no reference made on the data of this run: {reference.name} has only "
                             f"{', '.join(made) or 'nothing'}; nothing was compared")
        return grade
    if ref_metrics is not None:
        if not (student / METRICS).is_file():
            grade.reasons.append("no metrics.json")
        else:
            mine = _read_json(student / METRICS)
            for difference in provenance_differences(ref_metrics, mine):
                grade.reasons.append(f"made on other data: {difference}, so the numbers are not comparable")
            grade.notes += [f"{difference} (the features read every clip at 16 kHz, so this alone should not "
                            "move the numbers)" for difference in provenance_differences(ref_metrics, mine, True)]
            student_flat = flatten(mine.get("metrics", {}))
            for metric, value in flatten(ref_metrics.get("metrics", {})).items():
                check = compare_metric(metric, value, student_flat.get(metric),
                                       tolerance_for(metric, tolerances))
                if check is not None:
                    grade.checks.append(check)
            if grade.failed:
                grade.reasons.append(f"{len(grade.failed)} of {len(grade.checks)} metric(s) outside tolerance "
                                     "or missing")
    if grade.reasons:
        grade.verdict = "check"
    return grade


def figures_folder(student_dir: Path) -> Path:
    """The folder of notebook folders: ``student_dir`` itself, or its ``student/`` when it is a checkout.

    A checkout's ``figures/`` is the committed reference, never the student's work.
    """
    student_dir = Path(student_dir)
    if (student_dir / "mmser_lib").is_dir():
        if not (student_dir / "student").is_dir():
            raise FileNotFoundError(f"{student_dir} is a checkout without student/: run the notebooks there first "
                                    "(they write student/<notebook>/), or give the folder that holds their figures")
        return student_dir / "student"
    return student_dir


def grade(student_dir: str | Path, reference_dir: str | Path) -> list[NotebookGrade]:
    """Grade every notebook folder of the reference (and list the student's extra folders).

    Parameters
    ----------
    student_dir : a student's figures folder (``<notebook>/`` subfolders, ``student/``
        by default), or a checkout holding ``student/``.
    reference_dir : the reference figures folder (the repository's ``figures/``).

    Returns
    -------
    list of :class:`NotebookGrade`, reference notebooks in order, then the
    student's notebooks that have no reference ("no reference").
    """
    student_dir, reference_dir = Path(student_dir), Path(reference_dir)
    for label, folder in (("student", student_dir), ("reference", reference_dir)):
        if not folder.is_dir():
            raise FileNotFoundError(f"{label} folder {folder} does not exist: give the folder of figures "
                                    "that the notebooks wrote (student/ in a checkout)")
    student_dir = figures_folder(student_dir)
    notebooks = sorted(p.name for p in reference_dir.iterdir() if p.is_dir())
    if not notebooks:
        raise ValueError(f"{reference_dir} holds no notebook folders: is it the reference figures/ folder?")
    grades = [grade_notebook(reference_dir / name, student_dir / name) for name in notebooks]
    for extra in sorted(p.name for p in student_dir.iterdir() if p.is_dir() and p.name not in notebooks):
        grades.append(NotebookGrade(extra, "no reference", figures=sorted(_figures(student_dir / extra))))
    return grades


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def markdown_report(grades: list[NotebookGrade], student_dir: Path, reference_dir: Path, out: Path) -> str:
    """The report as Markdown; figures are linked relative to ``out``, reference left, student right."""
    student_dir = figures_folder(student_dir)
    passed = sum(g.verdict == "pass" for g in grades)
    lines = ["# mmser grade report", "",
             f"Student: `{student_dir}`  ", f"Reference: `{reference_dir}`", "",
             f"**{passed} of {len(grades)} notebooks pass.** "
             "A *check* verdict is not a fail: it lists what to look at.", "",
             "| notebook | verdict | metrics within tolerance | figures | why |", "|---|---|---|---|---|"]
    for g in grades:
        within = f"{len(g.checks) - len(g.failed)} / {len(g.checks)}" if g.checks else "-"
        figures = f"{len(g.figures)} / {len(g.figures) + len(g.missing_figures)}"
        why = "; ".join(g.reasons).replace("|", "/") or "-"
        lines.append(f"| {g.notebook} | **{g.verdict}** | {within} | {figures} | {why} |")
    for g in grades:
        lines += ["", f"## {g.notebook}: {g.verdict}", ""]
        if g.reference is not None:
            lines += [f"Reference: `{g.reference}`, {g.reference_why}", ""]
        lines += [f"- {reason}" for reason in g.reasons]
        lines += [f"- note: {note}" for note in g.notes]
        if g.failed:
            lines += ["", "Metrics to check:", ""] + [f"- `{c.describe()}`" for c in g.failed]
        if g.extra_figures:
            lines += ["", "Extra figures (not in the reference): " + ", ".join(g.extra_figures)]
        if g.verdict == "no reference":
            continue
        lines += ["", "| reference | student |", "|---|---|"]
        for name in g.figures + g.missing_figures:
            ref = f"![{name}]({_relative((g.reference or reference_dir / g.notebook) / name, out.parent)})"
            mine = (f"![{name}]({_relative(student_dir / g.notebook / name, out.parent)})"
                    if name in g.figures else "**missing**")
            lines.append(f"| {ref} | {mine} |")
    return "\n".join(lines) + "\n"


def _image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(path.name)}">'


def html_report(grades: list[NotebookGrade], student_dir: Path, reference_dir: Path) -> str:
    """The report as one self-contained HTML page (figures embedded), reference left, student right."""
    student_dir = figures_folder(student_dir)
    passed = sum(g.verdict == "pass" for g in grades)
    e = html.escape
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>mmser grade report</title><style>",
             "body{font-family:sans-serif;margin:2em;max-width:1400px} td,th{border:1px solid #ccc;padding:4px;"
             "vertical-align:top} table{border-collapse:collapse} img{max-width:640px} .pass{color:#18794e}"
             " .check{color:#b54708} code{font-size:90%}</style></head><body>",
             "<h1>mmser grade report</h1>",
             f"<p>Student: <code>{e(str(student_dir))}</code><br>Reference: <code>{e(str(reference_dir))}</code></p>",
             f"<p><b>{passed} of {len(grades)} notebooks pass.</b> A <i>check</i> verdict is not a fail: it lists "
             "what to look at.</p>",
             "<table><tr><th>notebook</th><th>verdict</th><th>metrics within tolerance</th><th>why</th></tr>"]
    for g in grades:
        within = f"{len(g.checks) - len(g.failed)} / {len(g.checks)}" if g.checks else "-"
        verdict_class = "pass" if g.verdict == "pass" else "check"
        parts.append(f"<tr><td><a href='#{e(g.notebook)}'>{e(g.notebook)}</a></td>"
                     f"<td class='{verdict_class}'><b>{e(g.verdict)}</b></td><td>{within}</td>"
                     f"<td>{e('; '.join(g.reasons) or '-')}</td></tr>")
    parts.append("</table>")
    for g in grades:
        parts.append(f"<h2 id='{e(g.notebook)}'>{e(g.notebook)}: {e(g.verdict)}</h2>")
        if g.reference is not None:
            parts.append(f"<p>Reference: <code>{e(str(g.reference))}</code>, {e(g.reference_why)}</p>")
        if g.notes:
            parts.append("<p>Notes: " + e("; ".join(g.notes)) + "</p>")
        if g.reasons:
            parts.append("<ul>" + "".join(f"<li>{e(r)}</li>" for r in g.reasons) + "</ul>")
        if g.failed:
            parts.append("<p>Metrics to check:</p><ul>"
                         + "".join(f"<li><code>{e(c.describe())}</code></li>" for c in g.failed) + "</ul>")
        if g.extra_figures:
            parts.append(f"<p>Extra figures (not in the reference): {e(', '.join(g.extra_figures))}</p>")
        if g.verdict == "no reference":
            continue
        parts.append("<table><tr><th>reference</th><th>student</th></tr>")
        for name in g.figures + g.missing_figures:
            mine = _image(student_dir / g.notebook / name) if name in g.figures else "<b>missing</b>"
            theirs = _image((g.reference or reference_dir / g.notebook) / name)
            parts.append(f"<tr><td>{e(name)}<br>{theirs}</td><td>{e(name)}<br>{mine}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(grades: list[NotebookGrade], student_dir: str | Path, reference_dir: str | Path,
                 out: str | Path) -> Path:
    """Write the report to ``out``: HTML when it ends in .html, else Markdown."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() in (".html", ".htm"):
        out.write_text(html_report(grades, Path(student_dir), Path(reference_dir)))
    else:
        out.write_text(markdown_report(grades, Path(student_dir), Path(reference_dir), out))
    return out


def check_run(notebook: str, strict: bool | None = None) -> NotebookGrade | None:
    """Grade this run of ``notebook`` (its folder under :func:`mmser_lib.config.figures_dir`) and print the verdict.

    The reference is the checkout's ``figures/<notebook>`` or the subfolder
    made on the same data (:func:`choose_reference`). With ``strict`` (default:
    ``MMSER_GRADE_STRICT``, which the tests set) a verdict other than pass
    raises AssertionError. Returns None, with a line saying why, when
    mmser_lib is not imported from a checkout (no reference to compare with),
    or when the run is itself being recorded as a reference
    (``MMSER_MAKING_REFERENCE``, set by ``tools/make_reference_figures.py``).
    """
    from mmser_lib import config

    strict = config.grade_strict() if strict is None else strict
    if os.environ.get("MMSER_MAKING_REFERENCE"):
        print(f"This run is recorded as the reference {os.environ['MMSER_MAKING_REFERENCE']} "
              "(tools/make_reference_figures.py). Your run of this cell compares with it.")
        return None
    repo = config.repository_root() or config.repository_root(Path(__file__).parent)
    if repo is None or not (repo / "figures" / notebook).is_dir():
        print(f"no reference figures/{notebook} here: run from a checkout of the course to compare")
        return None
    grade = grade_notebook(repo / "figures" / notebook, config.figures_dir() / notebook)
    print(f"{notebook}: {grade.verdict.upper()}, {len(grade.checks) - len(grade.failed)} of {len(grade.checks)} "
          f"numbers within tolerance, {len(grade.figures)} of {len(grade.figures) + len(grade.missing_figures)} "
          "figures present")
    print(f"compared with {grade.reference.relative_to(repo)}: {grade.reference_why}")
    for reason in grade.reasons:
        print(" -", reason)
    for note in grade.notes:
        print(" - note:", note)
    for check in grade.failed:
        print("   ", check.describe())
    if strict and grade.verdict != "pass":
        raise AssertionError(f"{notebook} does not reproduce {grade.reference}: " + "; ".join(grade.reasons))
    return grade
