"""Frozen Whisper encoder embeddings: every layer, pooled over the frames the clip needs.

Whisper's encoder was trained on 680,000 hours of speech to feed a text
decoder, yet its middle layers keep much of *how* something was said:
a logistic regression on the last layer of Whisper base, pooled over a
clip, already separates RAVDESS emotions of unseen speakers far above
chance. This module turns each clip into one vector per encoder layer.

Two choices make it cheap and honest:

* **Only the frames the clip needs.** Whisper pads every input to a 30 s
  window (1,500 encoder frames). The encoder is a convolutional front end
  and a transformer with learned positions, so it can read a shorter input:
  here the log-mel frames of the clip alone (the same values the 30 s
  window holds at those positions) run through the convolutions, take the
  first ``n`` positional embeddings, and go through the transformer blocks.
  A 3.5 s clip costs 175 frames instead of 1,500. The frames differ from
  the padded ones only because attention no longer sees the silent padding;
  :func:`padding_agreement` measures by how much (``benchmarks/``
  reports it).
* **Every layer, pooled.** For each layer (0: the input to the first block,
  k: the output of block k, the last one after the final layer norm, as
  the decoder reads it) the mean and the standard deviation over the
  clip's frames: an array of shape (n_layers + 1, 2 x width) per clip, cached
  per file content and model weights. Which layers to use is a modelling
  choice made on training data (the ``best_audio`` model learns a mix).

The models ship offline (:data:`mmser_lib.infra.pretrained.SHIPPED_WHISPER`):
``"base"`` (multilingual, 6 layers of width 512) and ``"tiny.en"`` (4 layers
of 384); any other openai-whisper checkpoint works by path.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from mmser_lib.audio import AudioError, source_audio
from mmser_lib.features.ssl import SSLReport
from mmser_lib.infra import cache, extras, pretrained

SAMPLE_RATE = 16_000
HOP = 160             # samples per log-mel frame (10 ms); the encoder halves the frame rate (20 ms)
N_FFT = 400
MAX_MEL_FRAMES = 3000  # Whisper's 30 s window
VERSION = 1


class WhisperEncoder:
    """The encoder of an openai-whisper model, frozen, reading clips of any length up to 30 s.

    Parameters
    ----------
    model : "base", "tiny.en" (both ship offline), another openai-whisper
        name already downloaded, or the path of a checkpoint (``.pt``).
    device : "cpu", "cuda" or None (CUDA when available).
    """

    def __init__(self, model: str = "base", device: str | None = None):
        extras.require("whisper", "a Whisper encoder")
        extras.require("torch", "a Whisper encoder")
        pretrained.check_import_order()
        import torch
        import whisper

        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        full = whisper.load_model(pretrained.openai_whisper_checkpoint(model), device=device)
        self.name = model
        self.encoder = full.encoder.eval()
        self.n_mels = full.dims.n_mels
        self.n_layers = full.dims.n_audio_layer
        self.width = full.dims.n_audio_state
        self.device = device
        del full  # the decoder is not needed

    def log_mel(self, audio: np.ndarray, padded: bool = False):
        """Whisper's log-mel input for one clip, a torch tensor of shape (n_mels, n_mel_frames).

        ``padded=False`` gives the frames that cover the clip (an even number,
        at most 3000), with the values the 30 s window holds at those frames;
        ``padded=True`` the whole 30 s window (3000 frames), as Whisper reads it.
        """
        import whisper

        audio = np.asarray(audio, dtype=np.float32)[: MAX_MEL_FRAMES * HOP]
        if padded:
            return whisper.log_mel_spectrogram(whisper.pad_or_trim(audio), self.n_mels, device=self.device)
        n_frames = max(2, 2 * int(np.ceil(len(audio) / (2 * HOP))))
        # zeros after the clip, as in the 30 s window: the frames kept never see the reflect padding at the end
        audio = np.pad(audio, (0, n_frames * HOP + N_FFT // 2 - len(audio)))
        return whisper.log_mel_spectrogram(audio, self.n_mels, device=self.device)[:, :n_frames]

    def hidden_states(self, audio: np.ndarray, padded: bool = False) -> np.ndarray:
        """Every layer's frame vectors for one clip.

        Parameters
        ----------
        audio : shape (n_samples,), 16 kHz mono; beyond 30 s is cut.
        padded : read the clip inside Whisper's 30 s window (1500 frames) instead of alone.

        Returns
        -------
        np.ndarray, shape (n_layers + 1, n_frames, width), float32: index 0 is the
        input to the first block, k the output of block k (the last after ``ln_post``);
        ``n_frames`` is half the log-mel frames (1500 when padded).
        """
        return self.batch_states([self.log_mel(audio, padded)])[0]

    def batch_states(self, mels: list) -> list[np.ndarray]:
        """:meth:`hidden_states` of several clips in one pass, from their :meth:`log_mel` frames.

        The clips are zero-padded to the longest; the padding is zeroed again
        after the first convolution and masked out of every attention, so each
        clip's frames are those it gets alone (up to float rounding).

        Returns
        -------
        list of np.ndarray, shape (n_layers + 1, n_frames_i, width) each.
        """
        import torch
        import torch.nn.functional as F

        lengths = [m.shape[1] for m in mels]
        longest = max(lengths)
        mel = torch.zeros((len(mels), self.n_mels, longest), device=self.device)
        for i, m in enumerate(mels):
            mel[i, :, : lengths[i]] = m
        real_mel = torch.arange(longest, device=self.device)[None] < torch.tensor(lengths, device=self.device)[:, None]
        real = real_mel[:, ::2]  # (batch, encoder frames): conv2 has stride 2
        encoder = self.encoder
        with torch.inference_mode():
            x = F.gelu(encoder.conv1(mel)) * real_mel[:, None]  # as if the clip ended there (conv2's zero padding)
            x = F.gelu(encoder.conv2(x)).permute(0, 2, 1)
            x = x + encoder.positional_embedding[: x.shape[1]].to(x.dtype)
            states = [x]
            for block in encoder.blocks:
                x = _block_forward(block, x, real)
                states.append(x)
            states[-1] = encoder.ln_post(x)
            stacked = torch.stack(states, dim=1).float().cpu().numpy()  # (batch, n_layers + 1, frames, width)
        return [stacked[i, :, : n // 2] for i, n in enumerate(lengths)]

    def pooled(self, audio: np.ndarray, n_frames: int | None = None, padded: bool = False) -> np.ndarray:
        """Mean and standard deviation over the clip's frames, for every layer.

        ``n_frames`` limits the pooling to the first frames (with ``padded=True``:
        the frames of the clip, not of the silence after it).

        Returns
        -------
        np.ndarray, shape (n_layers + 1, 2 * width), float32: ``[:, :width]`` the
        means, ``[:, width:]`` the standard deviations.
        """
        return _mean_and_sd(self.hidden_states(audio, padded)[:, :n_frames])

    def pooled_batch(self, audios: list[np.ndarray]) -> list[np.ndarray]:
        """:meth:`pooled` for several clips, encoded together (:meth:`batch_states`)."""
        return [_mean_and_sd(states) for states in self.batch_states([self.log_mel(a) for a in audios])]


def _mean_and_sd(states: np.ndarray) -> np.ndarray:
    """(n_layers + 1, n_frames, width) -> (n_layers + 1, 2 * width): mean and sd over frames."""
    return np.concatenate([states.mean(axis=1), states.std(axis=1)], axis=1).astype(np.float32)


def _block_forward(block, x, real):
    """One Whisper residual attention block whose attention ignores padded frames.

    ``real`` : bool tensor (batch, frames), False on padding. openai-whisper's own
    block takes no per-clip mask, so this repeats its computation (pre-norm
    self-attention, then pre-norm MLP) with a key mask.
    """
    import torch.nn.functional as F

    attention = block.attn
    h = block.attn_ln(x)
    batch, frames, width = h.shape
    heads = attention.n_head

    def split(t):
        return t.view(batch, frames, heads, width // heads).transpose(1, 2)

    q, k, v = split(attention.query(h)), split(attention.key(h)), split(attention.value(h))
    a = F.scaled_dot_product_attention(q, k, v, attn_mask=real[:, None, None, :])
    x = x + attention.out(a.transpose(1, 2).reshape(batch, frames, width))
    return x + block.mlp(block.mlp_ln(x))


def clip_frames(n_samples: int) -> int:
    """How many encoder frames cover a clip of ``n_samples`` at 16 kHz (20 ms each, at most 1500)."""
    return min(MAX_MEL_FRAMES // 2, max(1, int(np.ceil(n_samples / (2 * HOP)))))


def padding_agreement(encoder: WhisperEncoder, audio: np.ndarray) -> np.ndarray:
    """Cosine similarity, per layer, between the pooled vectors of the clip read alone and in the 30 s window.

    Both poolings cover the clip's own frames only. Returns shape (n_layers + 1,).
    """
    alone = encoder.pooled(audio)
    padded = encoder.pooled(audio, n_frames=clip_frames(len(audio)), padded=True)
    return (alone * padded).sum(axis=1) / (np.linalg.norm(alone, axis=1) * np.linalg.norm(padded, axis=1))


def whisper_embeddings(
    manifest: pd.DataFrame,
    model: str = "base",
    use_cache: bool = True,
    device: str | None = None,
    batch_size: int = 8,
    progress: bool = True,
    verbose: bool = True,
) -> tuple[np.ndarray, SSLReport]:
    """Every Whisper encoder layer, mean and sd pooled, for every row of ``manifest``.

    Parameters
    ----------
    manifest : needs ``path`` and ``corpus`` (an ``audio`` column of arrays is read instead of files).
    model : see :class:`WhisperEncoder`.
    batch_size : clips encoded together (:meth:`WhisperEncoder.batch_states`), files of
        similar size in one batch so that little is padded; the result does not
        depend on it beyond float rounding.

    Returns
    -------
    X : np.ndarray, shape (n_rows, n_layers + 1, 2 * width), float32; rows of
        unreadable files are zeros and listed in ``report.failed``.
    report : :class:`~mmser_lib.features.ssl.SSLReport` (files, cache hits, audio and compute seconds).
    """
    params = {"version": VERSION, "model": pretrained.model_identity(model), "pooling": "mean+sd",
              "window": "clip"}
    mapped = cache.cached_map(manifest, {"whisper": params}, _Encoder(model, device), use_cache=use_cache,
                              batch_size=batch_size, progress=progress, desc=f"Whisper {model} encoder",
                              similar_lengths=True)
    report = SSLReport.from_map(mapped)
    if verbose:
        print(report.summary())
    vectors = [None if v is None else v["whisper"] for v in mapped.values]
    shape = next((v.shape for v in vectors if v is not None), None)
    if shape is None:
        return np.zeros((len(manifest), 0, 0), np.float32), report
    return np.stack([v if v is not None else np.zeros(shape, np.float32) for v in vectors]), report


class _Encoder:
    """The compute function of :func:`whisper_embeddings`: loads the model on its first batch only."""

    def __init__(self, model: str, device: str | None):
        self.model, self.device = model, device
        self.encoder: WhisperEncoder | None = None

    def __call__(self, jobs: list[cache.Job]) -> list[cache.Computed]:
        if self.encoder is None:
            self.encoder = WhisperEncoder(self.model, self.device)
        outputs: list[cache.Computed | None] = [None] * len(jobs)
        audios = {}
        for i, job in enumerate(jobs):
            try:
                audios[i] = source_audio(job.source, SAMPLE_RATE)
            except AudioError as err:
                outputs[i] = cache.Computed(error=str(err))
        started = time.perf_counter()
        vectors = self.encoder.pooled_batch(list(audios.values())) if audios else []
        seconds = (time.perf_counter() - started) / max(1, len(audios))  # the batch's time, shared out
        for (i, audio), vector in zip(audios.items(), vectors):
            outputs[i] = cache.Computed(values={"whisper": vector}, info={
                "audio_seconds": len(audio) / SAMPLE_RATE, "compute_seconds": seconds})
        return outputs
