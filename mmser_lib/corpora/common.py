"""What every corpus module shares: the manifest, its errors, skip reports."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

MANIFEST_COLUMNS = [
    "path", "corpus", "utterance_id", "speaker", "gender", "emotion",
    "emotion_raw", "text", "sentence_id", "intensity", "split",
]

DATA_README = "data/README.md"

class CorpusNotFoundError(FileNotFoundError):
    """The folder given for a corpus is missing or holds none of its files."""


def require_corpus_root(root: str | Path, corpus: str, layout: str, pattern: str) -> list[Path]:
    """Return the files matching ``pattern`` under ``root``, or raise a clear error.

    Parameters
    ----------
    root : folder the user pointed at.
    corpus : corpus name, for the message.
    layout : the expected layout, in one line, for the message.
    pattern : ``rglob`` pattern of the audio files, e.g. ``"*.wav"``.
    """
    root = Path(root).expanduser()
    hint = (
        f"Expected the {corpus} layout {layout}. See {DATA_README} for how to get the corpus, "
        f"or write a synthetic twin with `mmser twin {corpus} DIR`."
    )
    if not root.is_dir():
        raise CorpusNotFoundError(f"{corpus}: folder {root} does not exist. {hint}")
    files = find_files(root, pattern)
    if not files:
        raise CorpusNotFoundError(f"{corpus}: no {pattern} files under {root}. {hint}")
    return files


def find_files(root: str | Path, pattern: str, directories: bool = False) -> list[Path]:
    """Every file (or folder) under ``root`` whose name matches ``pattern``, in any letter case, sorted.

    Symbolic links to folders are followed (a corpus assembled from links
    to several disks is read whole); a link that leads back into a folder
    already visited is not followed twice, so a loop cannot hang the walk.
    ``*.wav`` also finds ``.WAV`` files, as some copies of the corpora have.
    """
    pattern = pattern.lower()
    found, visited = [], set()
    for folder, subfolders, names in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in visited:
            subfolders[:] = []
            continue
        visited.add(real)
        candidates = subfolders if directories else [n for n in names if os.path.isfile(os.path.join(folder, n))]
        found.extend(Path(folder) / n for n in candidates if fnmatch.fnmatchcase(n.lower(), pattern))
    return sorted(found)


@dataclass
class SkipReport:
    """Files a loader skipped, counted by reason, with a few examples each."""

    corpus: str
    reasons: dict[str, list[str]] = field(default_factory=dict)

    def add(self, reason: str, item: str | Path) -> None:
        self.reasons.setdefault(reason, []).append(str(item))

    @property
    def total(self) -> int:
        return sum(len(items) for items in self.reasons.values())

    def summary(self, n_examples: int = 3) -> str:
        """One line per reason: count and a few examples."""
        lines = []
        for reason, items in self.reasons.items():
            examples = ", ".join(Path(i).name for i in items[:n_examples])
            lines.append(f"{self.corpus}: skipped {len(items)} file(s): {reason} (e.g. {examples})")
        return "\n".join(lines)


def manifest_from_rows(rows: list[dict], skipped: SkipReport, verbose: bool = True) -> pd.DataFrame:
    """Build the manifest DataFrame and report what was skipped.

    The skip report is kept in ``manifest.attrs["skipped"]`` (reason -> files).
    """
    frame = pd.DataFrame(rows, columns=MANIFEST_COLUMNS)
    frame = frame.sort_values("utterance_id", kind="stable").reset_index(drop=True)
    frame.attrs["skipped"] = {reason: list(items) for reason, items in skipped.reasons.items()}
    if skipped.total and verbose:
        print(skipped.summary())
    if frame.empty:
        raise CorpusNotFoundError(
            f"{skipped.corpus}: every file was skipped, so the manifest is empty.\n{skipped.summary()}\n"
            f"See {DATA_README} for the expected layout."
        )
    return frame


def usable_files(files: list[Path], parse_name: Callable[[str], dict], skipped: SkipReport) -> Iterator[tuple]:
    """Yield ``(path, parse_name(path.name))`` for every file a loader can use.

    Files whose names do not parse (``parse_name`` raises ValueError) and
    files whose header is not usable audio are added to ``skipped`` instead.
    """
    from mmser_lib.audio import audio_problem

    for path in files:
        try:
            info = parse_name(path.name)
        except ValueError as err:
            skipped.add(f"file name does not parse: {err}", path)
            continue
        problem = audio_problem(path)
        if problem:
            skipped.add(problem, path)
            continue
        yield path, info
