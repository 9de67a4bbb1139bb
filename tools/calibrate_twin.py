"""Calibrate a corpus twin: Conv1D UAR under speaker-independent vs random splits.

    python tools/calibrate_twin.py --corpus ravdess --speakers 12 --seed 0

Prints UAR on held-out speakers and on a random split, plus the top
confusions, so the twin's difficulty can be checked against DESIGN.md
("roughly 50-85% UAR on unseen speakers; a random split scores higher").
"""

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from mmser_lib import corpora, features, gpu, runs, splits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="ravdess")
    parser.add_argument("--speakers", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--root", help="use this corpus folder instead of writing a twin")
    args = parser.parse_args()
    gpu.setup(args.seed, verbose=False)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.root) if args.root else corpora.make_twin(args.corpus, Path(tmp) / "twin",
                                                                    speakers=args.speakers, seed=args.seed)
        manifest = corpora.load(args.corpus, root)
        X, _ = features.extract_sequences(manifest, progress=False)
        rows = []
        for name, split in [("speaker", splits.speaker_split(manifest, 0.2, 0.2, args.seed)),
                            ("random", splits.random_split(manifest, 0.2, 0.2, args.seed))]:
            run = runs.train(manifest, "conv1d", split=split, X=X, epochs=args.epochs, progress=False)
            test = (split == "test").to_numpy()
            metrics = run.evaluate(manifest[test], X[test], progress=False)
            rows.append({"split": name, "uar": round(metrics["uar"], 3), "best_epoch": run.config["best_epoch"]})
            cm = np.array(metrics["confusion_matrix"], dtype=float)
            np.fill_diagonal(cm, 0)
            top = np.dstack(np.unravel_index(np.argsort(-cm.ravel())[:4], cm.shape))[0]
            labels = metrics["labels"]
            print(name, "top confusions:", [(labels[i], labels[j], int(cm[i, j])) for i, j in top])
        print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
