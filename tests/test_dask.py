"""Feature extraction scales out through joblib's Dask backend, cache included.

A ``dask.distributed.LocalCluster`` with process workers computes a twin's
features through :func:`mmser_lib.infra.cache.cached_map`, the arrays are the
same as a local, uncached run, and a second local run reads from the cache
what the workers computed.
"""

import joblib
import numpy as np
import pytest

from mmser_lib import features
from mmser_lib.infra import cache

distributed = pytest.importorskip("distributed")


def test_dask_cluster_gives_the_local_features_and_fills_the_cache(small_manifest, tmp_path, monkeypatch):
    rows = small_manifest.head(cache.MIN_FILES_FOR_PARALLEL + 6)  # enough files to go parallel
    groups = ("spectral", "prosody")
    local = features.extract_features(rows, groups=groups, cache=False, n_jobs=1, progress=False, verbose=False)

    monkeypatch.setenv("MMSER_CACHE_DIR", str(tmp_path / "cache"))  # the workers inherit it
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client, joblib.parallel_config(backend="dask"):
        with distributed.get_task_stream(client) as tasks:
            on_cluster = features.extract_features(rows, groups=groups, n_jobs=2, progress=False, verbose=False)
        worker_pids = set(client.run(lambda: __import__("os").getpid()).values())
    assert len(worker_pids) == 2 and __import__("os").getpid() not in worker_pids
    assert len(tasks.data) > 0, "joblib did not send the work to the Dask workers"
    np.testing.assert_allclose(on_cluster.to_numpy(), local.to_numpy(), rtol=1e-5, atol=1e-6)
    assert list(on_cluster.columns) == list(local.columns)

    again = features.extract_features(rows, groups=groups, n_jobs=1, progress=False, verbose=False)
    assert not again.attrs["report"]["computed_groups"], "the workers' cache entries were not found"
    np.testing.assert_allclose(again.to_numpy(), local.to_numpy(), rtol=1e-5, atol=1e-6)
