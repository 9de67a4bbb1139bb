"""Fetch the public corpora a student may download, when the student asks (never at import, never in the tests).

Only two of the course's corpora are public downloads without a form:

- **RAVDESS** speech (Zenodo record 1188976, ``Audio_Speech_Actors_01-24.zip``,
  208 MB, CC BY-NC-SA 4.0);
- the **MELD CSVs** (labels and transcripts, about 2 MB, from the MELD
  repository; its audio is the 10 GB ``MELD.Raw.tar.gz``, not fetched here).

>>> from mmser_lib import download
>>> root = download.fetch("ravdess", "/content/data")      # doctest: +SKIP
>>> os.environ["MMSER_RAVDESS_ROOT"] = str(root)           # doctest: +SKIP

By fetching you accept each corpus's licence (``data/README.md``).
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from tqdm.auto import tqdm

SOURCES = {
    "ravdess": {
        "files": {"Audio_Speech_Actors_01-24.zip":
                  "https://zenodo.org/records/1188976/files/Audio_Speech_Actors_01-24.zip?download=1"},
        "licence": "CC BY-NC-SA 4.0 (Livingstone & Russo, 2018)",
    },
    "meld": {
        "files": {name: f"https://raw.githubusercontent.com/declare-lab/MELD/master/data/MELD/{name}"
                  for name in ("train_sent_emo.csv", "dev_sent_emo.csv", "test_sent_emo.csv")},
        "licence": "GPL-3.0 (the MELD repository; Poria et al., 2019)",
    },
}


def fetch(corpus: str, dest: str | Path, sources: dict | None = None) -> Path:
    """Download ``corpus`` into ``dest/<corpus>`` (once) and return the folder to use as its root.

    Parameters
    ----------
    corpus : "ravdess" or "meld" (the CSVs only).
    dest : the folder to download into.
    sources : replaces :data:`SOURCES` (the tests fetch from ``file://`` URLs).

    Returns
    -------
    Path, ``dest/<corpus>``: set ``MMSER_<CORPUS>_ROOT`` to it.
    """
    sources = SOURCES if sources is None else sources
    if corpus not in sources:
        raise ValueError(f"only {', '.join(sorted(sources))} can be fetched; for the other corpora see "
                         "data/README.md (CREMA-D is Git LFS, TESS a TSpace download, IEMOCAP on request)")
    root = Path(dest).expanduser() / corpus
    done = root / ".fetched"
    if done.is_file():
        print(f"{corpus}: already in {root}")
        return root
    root.mkdir(parents=True, exist_ok=True)
    print(f"{corpus}: downloading into {root}; licence: {sources[corpus]['licence']}")
    for name, url in sources[corpus]["files"].items():
        target = root / name
        _download(url, target)
        if name.endswith(".zip"):
            with zipfile.ZipFile(target) as archive:
                archive.extractall(root)
            target.unlink()
    done.write_text("\n".join(sources[corpus]["files"].values()) + "\n")
    return root


def _download(url: str, target: Path) -> None:
    """Stream ``url`` to ``target`` with a progress bar; a clear error when there is no network."""
    partial = target.with_name(target.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(partial, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=target.name) as bar:
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        partial.unlink(missing_ok=True)
        raise ConnectionError(f"could not download {url} ({err}): check the network, or download it by hand "
                              "as data/README.md describes") from err
    shutil.move(partial, target)
