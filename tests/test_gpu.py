from mmser_lib import gpu


def test_setup_never_raises_without_a_gpu_and_reports(capsys):
    report = gpu.setup(seed=3, mixed_precision=True)
    printed = capsys.readouterr().out
    assert report["backend"] == "tensorflow" and report["tensorflow"] and report["seed"] == 3
    assert "TensorFlow" in printed and "GPUs:" in printed
    if not report["gpus"]:
        assert report["mixed_precision"] == "float32"
        assert any("no GPU" in note for note in report["notes"])


def test_seeding_makes_numpy_and_tensorflow_repeatable():
    import numpy as np
    import tensorflow as tf

    gpu.seed_everything(7)
    a = (np.random.rand(3), tf.random.uniform((3,)).numpy())
    gpu.seed_everything(7)
    b = (np.random.rand(3), tf.random.uniform((3,)).numpy())
    assert (a[0] == b[0]).all() and (a[1] == b[1]).all()


def test_strategy_is_the_default_one_on_a_single_device():
    import tensorflow as tf

    assert isinstance(gpu.strategy(), tf.distribute.Strategy)


def test_setup_resets_the_precision_policy_when_not_asked_for_mixed():
    import keras

    keras.mixed_precision.set_global_policy("mixed_float16")
    report = gpu.setup(seed=0, verbose=False)
    assert report["mixed_precision"] == "float32" == keras.mixed_precision.global_policy().name


def test_setup_makes_training_reproducible():
    """Op determinism on and one seed: the same tiny model trained twice ends with the same weights."""
    import keras
    import numpy as np
    from tensorflow.python.framework import config as tf_config  # no public getter in TF 2.x

    def train() -> list:
        report = gpu.setup(seed=0, verbose=False)
        x = np.random.default_rng(0).normal(size=(64, 20, 8)).astype("float32")
        y = (x.mean(axis=(1, 2)) > 0).astype("int32")
        model = keras.Sequential([keras.Input((20, 8)), keras.layers.Conv1D(4, 3), keras.layers.LSTM(4),
                                  keras.layers.Dense(2, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        assert report["deterministic"] and tf_config.is_op_determinism_enabled()
        return model.get_weights()

    first, second = train(), train()
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
