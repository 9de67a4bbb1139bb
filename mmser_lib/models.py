"""Keras model builders, one function per architecture of the five write-ups (Keras 3 functional API).

Builders over frame sequences take the statistics of the *training* frames
(mean and variance per feature, over real frames only) and bake them into a
``Normalization`` layer, so the saved model carries its own fitted scaler.
They also read ``frames_mask`` (1 on frames that hold audio, 0 on the
padding after a short clip): padding is set to 0 after scaling, and every
average, recurrent layer and attention over time leaves it out, so how long
a clip is cannot leak in as a feature. Model inputs are
named after the input kinds of :mod:`mmser_lib.inputs` ("frames", "tfidf",
"sentence", ...). ``n_classes == 1`` builds a detector with one sigmoid
output (Chen's sad vs non-sad).

Every builder has the same signature, ``builder(shapes, n_classes,
[frames_mean, frames_variance,] **options)``, where ``shapes`` maps each input
kind to the shape of one row. :mod:`mmser_lib.architectures` names each
architecture that ``mmser train --model`` accepts with its builder and
options; each builder's docstring names the notebook that builds the same
network layer by layer (a test checks the two agree).
"""

from __future__ import annotations

import keras
from keras import layers


def _audio_branch(x: keras.KerasTensor, real: keras.KerasTensor, dropout: float) -> keras.KerasTensor:
    """Roig's audio branch: two Conv1D layers, max pooling, dropout, the average over the real frames.

    ``real`` : the mask column of :func:`_frames_input`, shape (batch, n_frames, 1).
    """
    x = layers.Conv1D(64, 5, padding="same", activation="relu", name="conv1")(x)
    x = layers.Conv1D(128, 5, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling1D(2, name="pool")(x)
    x = layers.Dropout(dropout, name="audio_dropout")(x)
    real = layers.MaxPooling1D(2, name="mask_pool")(real)
    return layers.GlobalAveragePooling1D(name="audio_gap")(x, mask=NonZeroMask(name="real_steps")(real))


def conv1d_baseline(shapes: dict, n_classes: int, frames_mean=None, frames_variance=None, dropout: float = 0.3,
                    dense_units: int = 64, learning_rate: float = 1e-3) -> keras.Model:
    """Roig's audio-only Conv1D baseline (taught in notebook 02).

    Parameters
    ----------
    shapes : {"frames": (n_frames, n_features)}, the shape of one row.
    n_classes : number of emotions.
    frames_mean, frames_variance : np.ndarray, shape (n_features,), from the real training frames.

    Returns
    -------
    keras.Model, inputs "frames" (batch, n_frames, n_features) and "frames_mask"
    (batch, n_frames), output (batch, n_classes) softmax.
    """
    frames, x, real = _frames_input(shapes["frames"], frames_mean, frames_variance, scaler_name="audio_scaler")
    x = _audio_branch(x, real, dropout)
    x = layers.Dense(dense_units, activation="relu", name="dense")(x)
    return _compile_for(keras.Model(frames, _output(x, n_classes), name="conv1d"), learning_rate)


def two_branch(shapes: dict, n_classes: int, frames_mean=None, frames_variance=None, dropout: float = 0.3,
               dense_units: int = 64, learning_rate: float = 1e-3) -> keras.Model:
    """Roig's multimodal model: the audio branch plus a two-layer text branch, concatenated (notebook 02).

    Parameters
    ----------
    shapes : {"frames": (n_frames, n_features), "tfidf": (vocabulary,)}.

    Returns
    -------
    keras.Model with inputs "frames" (batch, n_frames, n_features), "frames_mask"
    (batch, n_frames) and "tfidf" (batch, vocabulary), output (batch, n_classes) softmax.
    """
    frames, x, real = _frames_input(shapes["frames"], frames_mean, frames_variance, scaler_name="audio_scaler")
    tfidf = keras.Input(shape=tuple(shapes["tfidf"]), name="tfidf")
    a = _audio_branch(x, real, dropout)
    t = layers.Dense(64, activation="relu", name="text_dense1")(tfidf)
    t = layers.Dense(32, activation="relu", name="text_dense2")(t)
    x = layers.Concatenate(name="fusion")([a, t])
    x = layers.Dense(dense_units, activation="relu", name="dense")(x)
    model = keras.Model({**frames, "tfidf": tfidf}, _output(x, n_classes), name="two_branch")
    return _compile_for(model, learning_rate)


# ============================================================================= shared pieces


def _output(x: keras.KerasTensor, n_classes: int) -> keras.KerasTensor:
    """Softmax over ``n_classes``, or one sigmoid unit when ``n_classes == 1`` (a detector)."""
    if n_classes == 1:
        return layers.Dense(1, activation="sigmoid", name="emotion")(x)
    return layers.Dense(n_classes, activation="softmax", name="emotion")(x)


def _compile_for(model: keras.Model, learning_rate: float, focal: bool = False) -> keras.Model:
    """Adam plus the loss that fits the output: sparse cross-entropy, binary cross-entropy or focal loss."""
    if model.output_shape[-1] == 1:
        loss = (keras.losses.BinaryFocalCrossentropy(gamma=2.0) if focal
                else keras.losses.BinaryCrossentropy())
    else:
        loss = "sparse_categorical_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss=loss, metrics=["accuracy"])
    return model


def _frames_input(shape, mean, variance, scaler_name: str = "frames_scaler"):
    """The inputs "frames" and "frames_mask", the scaled frames with padding set to 0, and the mask as a column.

    Returns
    -------
    inputs : {"frames": (batch, n_frames, n_features), "frames_mask": (batch, n_frames)} Keras inputs.
    x : (batch, n_frames, n_features), scaled by the training statistics when they are given,
        then multiplied by the mask, so padded frames are exactly 0 (the mean frame).
    real : (batch, n_frames, 1), 1 on real frames; max-pool it as the frames are pooled and
        turn it into a boolean mask with :class:`NonZeroMask`.
    """
    frames = keras.Input(shape=tuple(shape), name="frames")
    frames_mask = keras.Input(shape=(shape[0],), name="frames_mask")
    real = layers.Reshape((shape[0], 1), name="mask_column")(frames_mask)
    x = frames
    if mean is not None:
        x = layers.Normalization(axis=-1, mean=mean, variance=variance, name=scaler_name)(frames)
    x = layers.Multiply(name="padding_to_zero")([x, real])
    return {"frames": frames, "frames_mask": frames_mask}, x, real


@keras.saving.register_keras_serializable(package="mmser")
class AttentionPooling(layers.Layer):
    """Chen's temporal attention: alpha_t = softmax_t(w^T h_t), c = sum_t alpha_t h_t.

    Input (batch, time, d) and optionally ``mask`` (batch, time), bool, False on
    padding (which then gets weight 0); outputs the summary c, shape (batch, d),
    and the weights alpha, shape (batch, time), which say which frames the model
    listened to.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(input_shape[-1],), initializer="glorot_uniform")

    def compute_mask(self, inputs, mask=None):
        return None  # the summary has no time axis left to mask

    def call(self, h, mask=None):
        scores = keras.ops.tensordot(h, self.w, axes=[[2], [0]])  # (batch, time)
        if mask is not None:  # padded steps get no weight
            scores = keras.ops.where(mask, scores, keras.ops.full_like(scores, -1e9))
        alpha = keras.ops.softmax(scores, axis=-1)
        return keras.ops.sum(h * keras.ops.expand_dims(alpha, -1), axis=1), alpha

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1]), (input_shape[0], input_shape[1])


@keras.saving.register_keras_serializable(package="mmser")
class NonZeroMask(layers.Layer):
    """True where a padded sequence holds a real step (any non-zero value), shape (batch, time)."""

    def call(self, x):
        return keras.ops.any(keras.ops.not_equal(x, 0.0), axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape[:2]


# ============================================================================= Roig's MELD variants


def _enhanced_audio_branch(x: keras.KerasTensor, real: keras.KerasTensor) -> keras.KerasTensor:
    """The audio branch with batch normalisation after each convolution and dropout 0.5."""
    for i, filters in enumerate((64, 128), start=1):
        x = layers.Conv1D(filters, 5, padding="same", name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.Activation("relu", name=f"relu{i}")(x)
    x = layers.MaxPooling1D(2, name="pool")(x)
    x = layers.Dropout(0.5, name="audio_dropout")(x)
    real = layers.MaxPooling1D(2, name="mask_pool")(real)
    return layers.GlobalAveragePooling1D(name="audio_gap")(x, mask=NonZeroMask(name="real_steps")(real))


def conv1d_enhanced(shapes: dict, n_classes: int, frames_mean=None, frames_variance=None,
                    learning_rate: float = 3e-4) -> keras.Model:
    """Roig's Conv1D for MELD: batch norm, a wider dense layer, dropout 0.5, a lower learning rate (notebook 09).

    (Class weights, the fourth change, are :func:`mmser_lib.training.fit`'s default.)
    Inputs and output as :func:`conv1d_baseline`.
    """
    frames, x, real = _frames_input(shapes["frames"], frames_mean, frames_variance, scaler_name="audio_scaler")
    x = _enhanced_audio_branch(x, real)
    x = layers.Dense(128, activation="relu", name="dense")(x)
    x = layers.Dropout(0.5, name="dense_dropout")(x)
    return _compile_for(keras.Model(frames, _output(x, n_classes), name="conv1d_enhanced"),
                        learning_rate)


def two_branch_enhanced(shapes: dict, n_classes: int, frames_mean=None, frames_variance=None,
                        learning_rate: float = 3e-4) -> keras.Model:
    """Roig's two-branch model for MELD with the changes of :func:`conv1d_enhanced` (notebook 09).

    Inputs and output as :func:`two_branch`.
    """
    frames, x, real = _frames_input(shapes["frames"], frames_mean, frames_variance, scaler_name="audio_scaler")
    tfidf = keras.Input(shape=tuple(shapes["tfidf"]), name="tfidf")
    a = _enhanced_audio_branch(x, real)
    t = layers.Dense(128, activation="relu", name="text_dense1")(tfidf)
    t = layers.BatchNormalization(name="text_bn")(t)
    t = layers.Dropout(0.5, name="text_dropout")(t)
    t = layers.Dense(64, activation="relu", name="text_dense2")(t)
    x = layers.Concatenate(name="fusion")([a, t])
    x = layers.Dense(128, activation="relu", name="dense")(x)
    x = layers.Dropout(0.5, name="dense_dropout")(x)
    model = keras.Model({**frames, "tfidf": tfidf}, _output(x, n_classes), name="two_branch_enhanced")
    return _compile_for(model, learning_rate)


# ============================================================================= Clark et al.'s MLP family


def _dense_stack(x, units, prefix: str, dropout: float = 0.0, batch_norm: bool = False, l2: float = 1e-4):
    for i, n in enumerate(units, start=1):
        x = layers.Dense(n, activation="relu", kernel_regularizer=keras.regularizers.L2(l2), name=f"{prefix}_{i}")(x)
        if batch_norm:
            x = layers.BatchNormalization(name=f"{prefix}_bn{i}")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"{prefix}_dropout{i}")(x)
    return x


def branch_mlp(shapes: dict, n_classes: int, branches: dict[str, tuple[int, ...]],
               fusion: tuple[int, ...] = (), learning_rate: float = 1e-3, name: str = "branch_mlp") -> keras.Model:
    """Clark et al.'s structured fusion: one dense stack per input, concatenated, then softmax (notebook 10).

    Parameters
    ----------
    shapes : input name -> (vector length,), e.g. {"spectral": (208,), "sentence": (384,)}.
    branches : input name -> hidden units of its branch, e.g. {"spectral": (256, 128)}.
    fusion : hidden units after the concatenation (the four-branch model has (128,)).

    Returns
    -------
    keras.Model with one (batch, dim) input per name, output (batch, n_classes).
    """
    inputs = {k: keras.Input(shape=tuple(shapes[k]), name=k) for k in branches}
    parts = [_dense_stack(inputs[k], units, f"{k}_branch") for k, units in branches.items()]
    x = parts[0] if len(parts) == 1 else layers.Concatenate(name="fusion")(parts)
    x = _dense_stack(x, fusion, "fusion_dense")
    return _compile_for(keras.Model(inputs, _output(x, n_classes), name=name), learning_rate)


def early_fusion_mlp(shapes: dict, n_classes: int, dropout: float = 0.0,
                     learning_rate: float = 1e-3, name: str = "early_fusion_mlp") -> keras.Model:
    """Clark et al.'s large early-fusion MLP: every input concatenated, 1024-512-256 with batch norm, L2 1e-4.

    ``dropout=0`` is its model 5, ``dropout=0.2`` its model 6 (notebook 10).
    """
    inputs = {k: keras.Input(shape=tuple(shape), name=k) for k, shape in shapes.items()}
    parts = list(inputs.values())
    x = layers.Concatenate(name="early_fusion")(parts) if len(parts) > 1 else parts[0]
    x = _dense_stack(x, (1024, 512, 256), "dense", dropout=dropout, batch_norm=True)
    return _compile_for(keras.Model(inputs, _output(x, n_classes), name=name), learning_rate)


# ============================================================================= the best audio recipe


@keras.saving.register_keras_serializable(package="mmser")
class LayerMix(layers.Layer):
    """A learned convex mix of an encoder's layers: softmax(logits) weights, one per layer.

    Input (batch, n_layers, d), output (batch, d). The weights start equal (the
    mean of all layers) and are trained with the rest of the model on the
    training speakers, so which layers matter is learned, never chosen on test
    speakers (the "weighted sum of layers" of the SUPERB benchmark).
    """

    def build(self, input_shape):
        self.logits = self.add_weight(name="logits", shape=(input_shape[1],), initializer="zeros")

    def call(self, x):
        return keras.ops.einsum("l,bld->bd", keras.ops.softmax(self.logits), x)

    def weights_per_layer(self):
        """The mix, shape (n_layers,), summing to 1."""
        return keras.ops.convert_to_numpy(keras.ops.softmax(self.logits))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


def layer_mix_mlp(shapes: dict, n_classes: int, encoder: str = "whisper_base", n_layers: int = 7,
                  hidden: int = 0, dropout: float = 0.5, l2: float = 1e-2, learning_rate: float = 1e-3,
                  name: str = "best_audio") -> keras.Model:
    """The best audio recipe: a learned mix of a frozen encoder's layers, fused with handcrafted features.

    Parameters
    ----------
    shapes : input name -> shape of one row: ``encoder`` (n_layers x width, flattened,
        e.g. (7168,) for Whisper base's 7 layers of mean and sd), and optionally
        "egemaps" (88,) and "prosody" (31,).
    n_layers : how many layers the flattened encoder input holds.
    hidden : units of a hidden layer; 0 (the recipe) puts the L2-regularised softmax
        straight on the mixed layers, which generalised best to unseen RAVDESS speakers
        (README, "The best audio recipe").

    Returns
    -------
    keras.Model: encoder input -> Reshape (n_layers, width) -> :class:`LayerMix` ->
    concatenated with the handcrafted inputs -> dropout -> [Dense(hidden) -> dropout] ->
    softmax.
    """
    encoded = keras.Input(shape=tuple(shapes[encoder]), name=encoder)
    x = layers.Reshape((n_layers, shapes[encoder][0] // n_layers), name="encoder_layers")(encoded)
    x = LayerMix(name="layer_mix")(x)
    handcrafted = {k: keras.Input(shape=tuple(shapes[k]), name=k) for k in ("egemaps", "prosody") if k in shapes}
    if handcrafted:
        x = layers.Concatenate(name="fusion")([x, *handcrafted.values()])
    x = layers.Dropout(dropout, name="input_dropout")(x)
    if hidden:
        x = layers.Dense(hidden, activation="relu", kernel_regularizer=keras.regularizers.L2(l2), name="hidden")(x)
        x = layers.Dropout(dropout, name="hidden_dropout")(x)
    output = layers.Dense(n_classes, activation="softmax", kernel_regularizer=keras.regularizers.L2(l2),
                          name="emotion")(x)
    model = keras.Model({encoder: encoded, **handcrafted}, output, name=name)
    return _compile_for(model, learning_rate)


# ============================================================================= Chen's sadness detectors


def _cnn_block(x, real, prefix: str = "audio"):
    """Two Conv1D + ReLU layers, each followed by max pooling: frames / 4 steps of 64 channels.

    Returns the steps and their boolean mask (batch, frames / 4), False on padding.
    """
    x = layers.Conv1D(32, 5, padding="same", activation="relu", name=f"{prefix}_conv1")(x)
    x = layers.MaxPooling1D(2, name=f"{prefix}_pool1")(x)
    x = layers.Conv1D(64, 5, padding="same", activation="relu", name=f"{prefix}_conv2")(x)
    x = layers.MaxPooling1D(2, name=f"{prefix}_pool2")(x)
    real = layers.MaxPooling1D(4, name=f"{prefix}_mask_pool")(real)
    return x, NonZeroMask(name=f"{prefix}_real_steps")(real)


def sad_audio(shapes: dict, n_classes: int, frames_mean=None, frames_variance=None, bilstm: bool = False,
              learning_rate: float = 1e-3) -> keras.Model:
    """Chen's unimodal audio models: a shallow CNN over log-mel frames, optionally then a BiLSTM (notebook 12).

    Binary cross-entropy, as Chen used for the unimodal models.
    """
    frames, x, real = _frames_input(shapes["frames"], frames_mean, frames_variance)
    x, steps = _cnn_block(x, real)
    if bilstm:
        x = layers.Bidirectional(layers.LSTM(64, return_sequences=True), name="bilstm")(x, mask=steps)
    x = layers.GlobalAveragePooling1D(name="audio_gap")(x, mask=steps)
    x = layers.Dropout(0.3, name="dropout")(x)
    name = "audio_cnn_bilstm" if bilstm else "audio_cnn"
    return _compile_for(keras.Model(frames, _output(x, n_classes), name=name), learning_rate)


def sad_text(shapes: dict, n_classes: int, learning_rate: float = 1e-3) -> keras.Model:
    """Chen's text-only model: a linear (logistic) layer on the sentence embedding (notebook 12)."""
    sentence = keras.Input(shape=tuple(shapes["sentence"]), name="sentence")
    return _compile_for(keras.Model({"sentence": sentence}, _output(sentence, n_classes), name="text_linear"),
                        learning_rate)


def sad_fusion(shapes: dict, n_classes: int, frames_mean=None, frames_variance=None,
               audio: str = "attention", learning_rate: float = 1e-3) -> keras.Model:
    """Chen's three fusion models (focal loss, gamma = 2); notebook 12 builds the attention one.

    audio : "cnn" (early fusion: CNN features averaged over time), "bilstm"
        (CNN-BiLSTM, averaged over time) or "attention" (CNN-BiLSTM pooled by
        :class:`AttentionPooling`, Chen's best model).

    The audio summary is concatenated with the sentence embedding, then one
    dense layer and the output.
    """
    frames, x, real = _frames_input(shapes["frames"], frames_mean, frames_variance)
    sentence = keras.Input(shape=tuple(shapes["sentence"]), name="sentence")
    x, steps = _cnn_block(x, real)
    if audio in ("bilstm", "attention"):
        x = layers.Bidirectional(layers.LSTM(64, return_sequences=True), name="bilstm")(x, mask=steps)
    if audio == "attention":
        x, _ = AttentionPooling(name="attention")(x, mask=steps)
    elif audio in ("cnn", "bilstm"):
        x = layers.GlobalAveragePooling1D(name="audio_gap")(x, mask=steps)
    else:
        raise ValueError(f"audio must be 'cnn', 'bilstm' or 'attention', not {audio!r}")
    x = layers.Concatenate(name="fusion")([x, sentence])
    x = layers.Dense(64, activation="relu", name="fusion_dense")(x)
    x = layers.Dropout(0.3, name="dropout")(x)
    name = {"cnn": "early_fusion", "bilstm": "cnn_bilstm_fusion", "attention": "attention_fusion"}[audio]
    model = keras.Model({**frames, "sentence": sentence}, _output(x, n_classes), name=name)
    return _compile_for(model, learning_rate, focal=True)


# ============================================================================= Govindu's late fusion


def mel_cnn(shapes: dict, n_classes: int, frames_mean=None, frames_variance=None,
            learning_rate: float = 1e-3) -> keras.Model:
    """Govindu's spectrogram CNN: the log-mel image (time x mel bands) through three Conv2D blocks (notebook 13).

    The layer ``cnn_embedding`` (64 numbers, the average of the last
    convolution over every cell of the real frames) is what the late-fusion
    model reuses.
    """
    frames, x, real = _frames_input(shapes["frames"], frames_mean, frames_variance)
    x = layers.Reshape((*shapes["frames"], 1), name="as_image")(x)
    for i, filters in enumerate((16, 32, 64), start=1):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{i}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i}")(x)
    n_steps, n_bands = x.shape[1], x.shape[2]
    x = layers.Reshape((n_steps * n_bands, x.shape[3]), name="cells")(x)  # time-major: each step's bands in a row
    real = layers.MaxPooling1D(8, name="mask_pool")(real)  # the three 2 x 2 poolings, along time
    real = layers.UpSampling1D(n_bands, name="mask_per_cell")(real)  # every band of a real step is real
    x = layers.GlobalAveragePooling1D(name="cnn_embedding")(x, mask=NonZeroMask(name="real_cells")(real))
    x = layers.Dropout(0.3, name="dropout")(x)
    return _compile_for(keras.Model(frames, _output(x, n_classes), name="mel_cnn"), learning_rate)


def prosody_mlp(shapes: dict, n_classes: int, learning_rate: float = 1e-3) -> keras.Model:
    """Govindu's prosody MLP over pitch, voicing and loudness contours plus speaking rate, scaled outside (notebook 13).

    Its first hidden layer, ``prosody_embedding`` (128), is what late fusion reuses.
    """
    contours = keras.Input(shape=tuple(shapes["contours"]), name="contours")
    x = layers.Dense(128, activation="relu", name="prosody_embedding")(contours)
    x = layers.Dropout(0.3, name="dropout1")(x)
    x = layers.Dense(64, activation="relu", name="dense2")(x)
    x = layers.Dropout(0.3, name="dropout2")(x)
    return _compile_for(keras.Model({"contours": contours}, _output(x, n_classes), name="prosody_mlp"),
                        learning_rate)


def late_fusion(shapes: dict, n_classes: int, parts: dict, learning_rate: float = 1e-3) -> keras.Model:
    """Govindu's fusion: both trained models frozen as feature extractors, a new MLP on top (notebook 13).

    Parameters
    ----------
    shapes : {"frames": ..., "contours": ...}, as the two parts read them.
    parts : {"mel_cnn": a trained :func:`mel_cnn` (its ``cnn_embedding`` output is used),
        "prosody_mlp": a trained :func:`prosody_mlp` (its ``prosody_embedding`` output)}.
    """
    cnn, prosody = parts["mel_cnn"], parts["prosody_mlp"]
    cnn_features = keras.Model(cnn.input, cnn.get_layer("cnn_embedding").output, name="cnn_features")
    prosody_features = keras.Model(prosody.inputs, prosody.get_layer("prosody_embedding").output,
                                   name="prosody_features")
    cnn_features.trainable = False
    prosody_features.trainable = False
    frames = {"frames": keras.Input(shape=tuple(shapes["frames"]), name="frames"),
              "frames_mask": keras.Input(shape=(shapes["frames"][0],), name="frames_mask")}
    contours = keras.Input(shape=tuple(shapes["contours"]), name="contours")
    x = layers.Concatenate(name="fusion")([cnn_features(frames), prosody_features(contours)])
    x = layers.Dense(128, activation="relu", name="fusion_dense")(x)
    x = layers.Dropout(0.3, name="dropout")(x)
    model = keras.Model({**frames, "contours": contours}, _output(x, n_classes), name="late_fusion")
    return _compile_for(model, learning_rate)


def fusion_head(model: keras.Model, learning_rate: float = 1e-3) -> keras.Model:
    """The trainable head of a :func:`late_fusion` model on its own: embeddings -> class scores.

    Input ``embeddings``, shape (n, width): what the model's ``fusion`` layer
    outputs (both parts' embeddings side by side). The head *shares* its
    layers with ``model``, so fitting the head on out-of-fold embeddings
    (:func:`mmser_lib.runs.out_of_fold_embeddings`) trains the fusion model.
    """
    width = model.get_layer("fusion").output.shape[-1]
    embeddings = keras.Input(shape=(width,), name="embeddings")
    x = embeddings
    for name in ("fusion_dense", "dropout", "emotion"):
        x = model.get_layer(name)(x)
    return _compile_for(keras.Model({"embeddings": embeddings}, x, name="fusion_head"), learning_rate)


def fusion_embedding_model(model: keras.Model) -> keras.Model:
    """The frozen parts of a :func:`late_fusion` model: its inputs -> the ``fusion`` layer's output."""
    return keras.Model(model.inputs, model.get_layer("fusion").output, name="fusion_embeddings")


# ============================================================================= the TESS HuBERT/BERT write-up


def _conv_bilstm(x, steps, prefix: str, kernel: int, pool: bool):
    """Conv1D, [max pooling,] dropout, then a BiLSTM that skips the padded steps.

    ``steps`` : bool (batch, time after the pooling), False on padding.
    """
    x = layers.Conv1D(128, kernel, padding="same", activation="relu", name=f"{prefix}_conv")(x)
    if pool:
        x = layers.MaxPooling1D(2, name=f"{prefix}_pool")(x)
    x = layers.Dropout(0.2, name=f"{prefix}_dropout")(x)
    return layers.Bidirectional(layers.LSTM(64, return_sequences=True), name=f"{prefix}_bilstm")(x, mask=steps)


def cross_attention(shapes: dict, n_classes: int, frames_mean=None, frames_variance=None,
                    learning_rate: float = 1e-3) -> keras.Model:
    """The TESS HuBERT/BERT write-up's models: Conv1D-BiLSTM encoders of speech and text, fused by cross-attention.

    Taught in notebook 14. ``shapes`` with "frames" only builds the speech-only
    model, "tokens" only the text-only model, both the fusion model, in which speech
    steps attend to text tokens and text tokens to speech steps (Keras
    MultiHeadAttention, 4 heads; padded frames and tokens are masked out). Each side is
    averaged over time, concatenated, and passed through the 128-unit layer
    ``representation`` (what the t-SNE plot shows) before the output.
    """
    inputs, pooled = {}, []
    if "frames" in shapes:
        frames, x, real = _frames_input(shapes["frames"], frames_mean, frames_variance)
        inputs.update(frames)
        speech_steps = NonZeroMask(name="speech_steps")(layers.MaxPooling1D(2, name="mask_pool")(real))
        speech = _conv_bilstm(x, speech_steps, "speech", 5, pool=True)
    if "tokens" in shapes:
        inputs["tokens"] = keras.Input(shape=tuple(shapes["tokens"]), name="tokens")
        token_mask = NonZeroMask(name="token_mask")(inputs["tokens"])
        text = _conv_bilstm(inputs["tokens"], token_mask, "text", 3, pool=False)
    if not inputs:
        raise ValueError("shapes must hold 'frames', 'tokens' or both")
    if "frames" in inputs and "tokens" in inputs:
        speech_to_text = layers.MultiHeadAttention(4, 32, name="speech_attends_text")(
            speech, text, query_mask=speech_steps, value_mask=token_mask)
        text_to_speech = layers.MultiHeadAttention(4, 32, name="text_attends_speech")(
            text, speech, query_mask=token_mask, value_mask=speech_steps)
        pooled = [layers.GlobalAveragePooling1D(name="speech_gap")(speech_to_text, mask=speech_steps),
                  layers.GlobalAveragePooling1D(name="text_gap")(text_to_speech, mask=token_mask)]
        name = "cross_attention_fusion"
    elif "frames" in inputs:
        pooled, name = [layers.GlobalAveragePooling1D(name="speech_gap")(speech, mask=speech_steps)], "speech_only"
    else:
        pooled, name = [layers.GlobalAveragePooling1D(name="text_gap")(text, mask=token_mask)], "text_only"
    x = pooled[0] if len(pooled) == 1 else layers.Concatenate(name="fusion")(pooled)
    x = layers.Dense(128, activation="relu", name="representation")(x)
    x = layers.Dropout(0.3, name="dropout")(x)
    return _compile_for(keras.Model(inputs, _output(x, n_classes), name=name), learning_rate)


# ============================================================================= MELD in context (the course's own)


def dialogue_context_gru(shapes: dict, n_classes: int, units: int = 128, hidden: int = 128, dropout: float = 0.3,
                         learning_rate: float = 1e-3) -> keras.Model:
    """``text_in_context``: a GRU reads the lines before an utterance in its dialogue, then the utterance.

    The input ``context`` (:func:`mmser_lib.text.dialogue_context`) holds, per
    utterance, the sentence vectors of the preceding lines and of the line itself,
    each flagged "same speaker as this line" and "this line". Padding (the start of
    a dialogue) is masked. The GRU's last state (what the conversation so far says)
    is concatenated with the line's own vector, so the model can always fall back
    on the words of the line alone. In the spirit of DialogueRNN and COSMIC, much
    smaller, and reading only the past: no label of any line is an input.

    Parameters
    ----------
    shapes : {"context": (turns + 1, width)}.
    units : GRU state size; hidden : the dense layer after the concatenation.
    """
    steps, width = tuple(shapes["context"])
    context = keras.Input(shape=(steps, width), name="context")
    x = layers.Masking(mask_value=0.0, name="padding")(context)
    x = layers.Dropout(dropout, name="context_dropout")(x)
    conversation = layers.GRU(units, name="dialogue_gru")(x)
    line = layers.Flatten(name="this_line")(layers.Cropping1D((steps - 1, 0), name="last_step")(context))
    x = layers.Concatenate(name="line_in_context")([conversation, line])
    x = layers.Dropout(dropout, name="dropout1")(x)
    x = layers.Dense(hidden, activation="relu", name="dense")(x)
    x = layers.Dropout(dropout, name="dropout2")(x)
    model = keras.Model({"context": context}, _output(x, n_classes), name="text_in_context")
    return _compile_for(model, learning_rate)


def representation_model(model: keras.Model, layer: str = "representation") -> keras.Model:
    """The same inputs, output the named hidden layer (for t-SNE or as a feature extractor)."""
    return keras.Model(model.inputs, model.get_layer(layer).output, name=f"{model.name}_{layer}")
