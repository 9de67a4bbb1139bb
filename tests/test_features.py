import numpy as np
import pandas as pd

from mmser_lib import features
from mmser_lib.features import SequenceParams


def test_sequences_have_a_fixed_shape_and_a_mask(small_manifest, small_frames):
    X, mask = small_frames
    params = SequenceParams()
    assert X.shape == (len(small_manifest), params.n_frames, params.n_mels) == (120, 301, 64)
    assert mask.shape == X.shape[:2] and mask.dtype == bool
    assert np.isfinite(X).all()
    # twin clips last 1.5-3 s once trimmed: some padding at the end, never at the start
    assert mask[:, 0].all() and not mask[:, -1].all()


def test_mfcc_sequences_and_truncation():
    params = SequenceParams(kind="mfcc", max_seconds=1.0)
    rng = np.random.default_rng(0)
    frames, mask = features.sequence_from_audio(rng.normal(0, 0.1, 16000 * 4).astype(np.float32), params)
    assert frames.shape == (params.n_frames, 40)
    assert mask.all()  # 4 s of noise truncated to 1 s: every frame is real audio


def test_silent_and_tiny_clips_give_finite_sequences():
    params = SequenceParams()
    for y in (np.zeros(16000, np.float32), np.zeros(10, np.float32), np.full(800, 0.1, np.float32)):
        frames, mask = features.sequence_from_audio(y, params)
        assert np.isfinite(frames).all() and mask.any()


def test_parallel_and_serial_extraction_agree(small_manifest):
    subset = small_manifest.head(70)  # above the threshold at which workers are used
    serial, _ = features.extract_sequences(subset, n_jobs=1, progress=False, cache=False)
    parallel, _ = features.extract_sequences(subset, n_jobs=2, progress=False, cache=False)
    np.testing.assert_allclose(serial, parallel, rtol=1e-5, atol=1e-5)  # float32 sums in another order


def test_cached_map_can_batch_clips_of_similar_length_without_changing_any_value():
    from mmser_lib.infra import cache

    rng = np.random.default_rng(0)
    lengths = [900, 100, 500, 300, 800, 200, 700, 400]
    manifest = pd.DataFrame({"path": [f"clip{i}.wav" for i in range(8)], "corpus": "other",
                             "audio": [rng.normal(size=n).astype(np.float32) for n in lengths]})
    seen = []

    def padded_batch(jobs):  # records what each batch pads to, and returns each clip's own mean
        seen.append([len(job.source) for job in jobs])
        return [cache.Computed(values={"g": np.array([job.source.mean()], np.float32)}) for job in jobs]

    plain = cache.cached_map(manifest, {"g": {}}, padded_batch, batch_size=2, progress=False)
    plain_batches, seen[:] = list(seen), []
    grouped = cache.cached_map(manifest, {"g": {}}, padded_batch, batch_size=2, progress=False, similar_lengths=True)
    assert plain_batches[0] == [900, 100]
    assert seen == [[100, 200], [300, 400], [500, 700], [800, 900]]
    padded = {name: sum(len(b) * max(b) for b in batches) for name, batches in (("plain", plain_batches),
                                                                                 ("grouped", seen))}
    assert padded["grouped"] < padded["plain"]
    for a, b in zip(plain.values, grouped.values):  # each row keeps its own value
        np.testing.assert_array_equal(a["g"], b["g"])
