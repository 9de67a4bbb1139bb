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


def test_setup_makes_tensorflow_ops_deterministic():
    import tensorflow as tf

    report = gpu.setup(seed=0, verbose=False)
    assert report["deterministic"]
    # with op determinism on, an op that has no deterministic kernel raises instead of varying silently
    assert tf.config.experimental.is_op_determinism_enabled()
