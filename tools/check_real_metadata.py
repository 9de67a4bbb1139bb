"""Check the loaders against the real corpus metadata in ../shared/data (not part of a user's clone).

* CREMA-D: every file name in ``crema-d-metadata/AudioWAV_sizes.tsv`` (7,442)
  must parse to the actor, sentence, emotion and level its four parts
  spell; the real ``VideoDemographics.csv`` must give every actor a sex. Then
  a tree of tiny wav files with exactly those names is written beside
  the real demographics file and read through ``crema_d.load`` itself.
* MELD: the real ``train_sent_emo.csv`` and ``dev_sent_emo.csv`` must load
  through ``meld.read_csv`` with the right row counts and known labels,
  and ``meld.load`` must report every row as missing its media (there is none
  here) instead of crashing.

    python tools/check_real_metadata.py [--data ../shared/data]

Exits with status 1 and says what failed when a check fails. ``.ci/run``
runs it when ../shared/data is present.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mmser_lib.corpora import crema_d, meld  # noqa: E402

FAILURES: list[str] = []


def check(condition: bool, message: str) -> None:
    print(("ok    " if condition else "FAIL  ") + message)
    if not condition:
        FAILURES.append(message)


def check_crema_d(folder: Path) -> None:
    sizes = pd.read_csv(folder / "AudioWAV_sizes.tsv", sep="\t")
    check(len(sizes) == 7442, f"CREMA-D: {len(sizes)} file names listed (expected 7,442)")
    wrong = []
    for name in sizes["filename"]:
        actor, sentence, emotion, level = name[:-4].split("_")
        parsed = crema_d.parse_name(name)
        if (parsed["actor"], parsed["sentence"], parsed["emotion_raw"], parsed["level"]) != (
                int(actor), sentence, emotion, level):
            wrong.append(name)
    check(not wrong, f"CREMA-D: every name parses to its actor, sentence, emotion and level ({len(wrong)} wrong)")
    parsed = pd.DataFrame([crema_d.parse_name(n) for n in sizes["filename"]])
    check(parsed["actor"].nunique() == 91 and parsed["actor"].between(1001, 1091).all(),
          "CREMA-D: 91 actors, 1001-1091")
    check(set(parsed["sentence"]) == set(crema_d.SENTENCES), "CREMA-D: all 12 sentence codes occur")
    check(set(parsed["emotion_raw"]) == set(crema_d.EMOTIONS), "CREMA-D: all 6 emotion codes occur")
    levels = parsed.groupby("sentence")["level"].agg(set)
    check(levels.drop("IEO").map(lambda s: s == {"XX"}).all() and levels["IEO"] >= {"LO", "MD", "HI"},
          "CREMA-D: only IEO is spoken at levels LO / MD / HI")
    genders = crema_d.read_demographics(folder)
    check(set(genders) == set(parsed["actor"]) and set(genders.values()) == {"female", "male"},
          f"CREMA-D: VideoDemographics.csv gives a sex for all 91 actors ({sum(g == 'male' for g in genders.values())}"
          f" male)")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "AudioWAV").mkdir()
        shutil.copy(folder / crema_d.DEMOGRAPHICS, root / crema_d.DEMOGRAPHICS)
        silence = np.zeros(160, dtype=np.float32)
        for name in sizes["filename"]:
            sf.write(root / "AudioWAV" / name, silence, 16_000, subtype="PCM_16")
        manifest = crema_d.load(root, verbose=False)
        check(len(manifest) == 7442 and manifest["utterance_id"].is_unique,
              f"CREMA-D: load() reads a tree with the 7,442 real names into {len(manifest)} rows")
        check((manifest["gender"] != "unknown").all(), "CREMA-D: load() gives every row a gender")


def check_meld(folder: Path) -> None:
    expected = {"train": 9989, "dev": 1109}
    for split, rows in expected.items():
        table = meld.read_csv(folder / meld.SPLITS[split][0])
        check(len(table) == rows, f"MELD {split}: {len(table)} rows (expected {rows:,})")
        check(set(table["Emotion"]) == set(meld.EMOTIONS), f"MELD {split}: the 7 emotions, no others")
        left = table["Utterance"].str.contains("[\u0080-\u009f]|â€", regex=True).sum()
        check(left == 0, f"MELD {split}: no mojibake left after repair ({left} rows)")
        check(table["Utterance"].str.contains("\u2019").any(), f"MELD {split}: curly apostrophes kept")
    manifest_error = None
    try:
        meld.load(folder, verbose=False)
    except Exception as err:  # every row lacks media, so the manifest is empty: a clear error is expected
        manifest_error = err
    check(manifest_error is not None and "media file missing" in str(manifest_error),
          "MELD: load() without media reports every row as missing its .mp4 instead of crashing")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    args = parser.parse_args()
    data = Path(args.data)
    if not data.is_dir():
        print(f"no real metadata at {data}; nothing to check")
        return
    check_crema_d(data / "crema-d-metadata")
    check_meld(data / "meld")
    if FAILURES:
        print(f"\n{len(FAILURES)} check(s) failed")
        sys.exit(1)
    print("\nall real-metadata checks passed")


if __name__ == "__main__":
    main()
