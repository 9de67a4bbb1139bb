"""Run a per-file feature function over many files, in parallel, with a progress bar.

Parallelism goes through joblib and names no backend, so a user with a
Dask or Ray cluster switches with one setting::

    with joblib.parallel_config(backend="dask"):
        X, mask = extract_sequences(manifest)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import joblib
from tqdm.auto import tqdm

# Below this many files, starting worker processes costs more than it saves.
MIN_FILES_FOR_PARALLEL = 64


def map_paths(
    function: Callable,
    paths: Iterable[str],
    *args,
    n_jobs: int | None = None,
    progress: bool = True,
    desc: str = "features",
    in_workers: bool = False,
) -> list:
    """Return ``[function(path, *args) for path in paths]``, computed in parallel.

    Parameters
    ----------
    function : a module-level function (it is pickled to the workers).
    n_jobs : worker count; None means every CPU core, 1 means in this process.
    in_workers : always run in worker processes, however few the paths
        (for libraries that must not run in this process).
    """
    paths = list(paths)
    n_jobs = joblib.cpu_count() if n_jobs is None else n_jobs
    bar = dict(total=len(paths), desc=desc, disable=not progress)
    if in_workers:
        n_jobs = max(n_jobs, 2)  # joblib runs n_jobs=1 in this process
    elif n_jobs == 1 or len(paths) < MIN_FILES_FOR_PARALLEL:
        return [function(p, *args) for p in tqdm(paths, **bar)]
    calls = (joblib.delayed(function)(p, *args) for p in paths)
    results = joblib.Parallel(n_jobs=n_jobs, return_as="generator", batch_size=8)(calls)
    return list(tqdm(results, **bar))
