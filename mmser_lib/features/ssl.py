"""Frozen self-supervised speech embeddings: wav2vec 2.0 and HuBERT.

A model pretrained on thousands of hours of unlabelled speech turns each
20 ms of audio into a vector (768 values for the base models) at every
transformer layer. Clark et al. mean-pooled the last layer of wav2vec2-base
and HuBERT-base over time; the TESS HuBERT/BERT write-up kept HuBERT's layers 5-9, where
studies of layer-wise probing find the most paralinguistic (speaker,
emotion) information; the last layers of a model fine-tuned for ASR keep
mostly phonetic content.

:func:`ssl_embeddings` computes, for each clip, the mean over time of the
chosen layers' hidden states, then the mean over those layers: one vector
per clip. The model is frozen (inference only) and every vector is cached
per file content, model weights and layer choice, like the other features.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mmser_lib.audio import AudioError, source_audio
from mmser_lib.infra import cache, extras, pretrained

SAMPLE_RATE = 16_000
VERSION = 1
HUBERT_BASE = "facebook/hubert-base-ls960"
WAV2VEC2_BASE = "facebook/wav2vec2-base"


@dataclass
class SSLReport:
    """What one call of :func:`ssl_embeddings` did."""

    n_files: int = 0
    cache_hits: int = 0
    computed: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    audio_seconds: float = 0.0
    compute_seconds: float = 0.0

    @classmethod
    def from_map(cls, mapped: cache.MapResult) -> SSLReport:
        """The report of one :func:`~mmser_lib.infra.cache.cached_map` whose computed entries carry
        ``audio_seconds`` and ``compute_seconds`` in their info."""
        report = cls(n_files=mapped.n_files, cache_hits=mapped.cache_hits, computed=len(mapped.computed),
                     failed=mapped.failed)
        for _, output in mapped.computed:
            report.audio_seconds += output.info["audio_seconds"]
            report.compute_seconds += output.info["compute_seconds"]
        return report

    def summary(self) -> str:
        text = f"{self.n_files} files: {self.cache_hits} from the cache, {self.computed} computed"
        if self.computed:
            text += f" ({self.audio_seconds:.0f} s of audio in {self.compute_seconds:.1f} s)"
        if self.failed:
            examples = "; ".join(f"{path}: {why}" for path, why in list(self.failed.items())[:3])
            text += f"\n{len(self.failed)} file(s) could not be read and were left out: {examples}"
        return text


class SpeechEncoder:
    """A frozen wav2vec2 / HuBERT model and its feature extractor, by name or path."""

    def __init__(self, model: str = HUBERT_BASE, device: str | None = None, max_seconds: float = 30.0):
        extras.require("transformers", "a frozen HuBERT / wav2vec2 encoder")
        extras.require("torch", "a frozen HuBERT / wav2vec2 encoder")
        pretrained.check_import_order()
        import torch
        from transformers import AutoFeatureExtractor, AutoModel

        self.name = model
        self.extractor = pretrained.hugging_face(AutoFeatureExtractor, model, "speech feature extractor")
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.model = pretrained.hugging_face(AutoModel, model, "speech model").to(device).eval()
        self.max_samples = int(max_seconds * SAMPLE_RATE)
        self.n_layers = self.model.config.num_hidden_layers

    def hidden_states(self, audio: np.ndarray) -> np.ndarray:
        """Every layer's frame vectors for one clip.

        Parameters
        ----------
        audio : shape (n_samples,), 16 kHz mono; longer than ``max_seconds`` is cut.

        Returns
        -------
        np.ndarray, shape (n_layers + 1, n_frames, hidden size): index 0 is the
        input to the first transformer layer, index k the output of layer k.
        """
        import torch

        audio = audio[: self.max_samples]
        if len(audio) < SAMPLE_RATE // 10:  # the convolutional front end needs about 25 ms; pad very short clips
            audio = np.pad(audio, (0, SAMPLE_RATE // 10 - len(audio)))
        inputs = self.extractor(audio, sampling_rate=SAMPLE_RATE, return_tensors="pt").to(self.model.device)
        with torch.inference_mode():
            output = self.model(inputs["input_values"], output_hidden_states=True)
        return torch.stack(output.hidden_states)[:, 0].float().cpu().numpy()

    def pooled(self, audio: np.ndarray, layers: tuple[int, ...]) -> np.ndarray:
        """Mean over time, then over ``layers``: shape (hidden size,), float32."""
        states = self.hidden_states(audio)
        return states[list(layers)].mean(axis=(0, 1)).astype(np.float32)


def check_layers(layers, n_layers: int) -> tuple[int, ...]:
    """``layers`` as a sorted tuple, or a ValueError naming the valid range."""
    layers = tuple(sorted({int(layer) for layer in layers}))
    if not layers or layers[0] < 0 or layers[-1] > n_layers:
        raise ValueError(f"layers must lie in 0..{n_layers} (0 is the input to the first transformer layer), "
                         f"got {layers}")
    return layers


def ssl_embeddings(
    manifest: pd.DataFrame,
    model: str = HUBERT_BASE,
    layers=(5, 6, 7, 8, 9),
    use_cache: bool = True,
    device: str | None = None,
    progress: bool = True,
    verbose: bool = True,
) -> tuple[np.ndarray, SSLReport]:
    """One frozen SSL vector per row of ``manifest``.

    Parameters
    ----------
    manifest : needs ``path`` and ``corpus``.
    model : a folder written by ``save_pretrained`` or a hub name already in
        the local cache (``facebook/hubert-base-ls960``, ``facebook/wav2vec2-base``).
    layers : hidden states to average (0 = input to the first transformer
        layer, k = output of layer k). The TESS HuBERT/BERT write-up: 5-9; Clark et al.: the last (12).

    Returns
    -------
    X : np.ndarray, shape (n_rows, hidden size), float32; rows of unreadable
        files are zeros and listed in ``report.failed``.
    report : :class:`SSLReport`
    """
    layers = sorted({int(k) for k in layers})
    params = {"version": VERSION, "model": pretrained.model_identity(model), "layers": layers, "pooling": "mean"}
    mapped = cache.cached_map(manifest, {"ssl": params}, _Pooler(model, layers, device), use_cache=use_cache,
                              progress=progress, desc=f"{model} layers {layers}")
    report = SSLReport.from_map(mapped)
    if verbose:
        print(report.summary())
    vectors = [None if v is None else v["ssl"] for v in mapped.values]
    width = next((len(v) for v in vectors if v is not None), 0)
    X = np.stack([v if v is not None else np.zeros(width, np.float32) for v in vectors]) if width else \
        np.zeros((len(manifest), 0), np.float32)
    return X, report


class _Pooler:
    """The compute function of :func:`ssl_embeddings`: loads the encoder on its first batch only."""

    def __init__(self, model: str, layers, device: str | None):
        self.model, self.layers, self.device = model, layers, device
        self.encoder: SpeechEncoder | None = None

    def __call__(self, jobs: list[cache.Job]) -> list[cache.Computed]:
        if self.encoder is None:
            self.encoder = SpeechEncoder(self.model, self.device)
            self.layers = check_layers(self.layers, self.encoder.n_layers)
        outputs = []
        for job in jobs:
            try:
                audio = source_audio(job.source, SAMPLE_RATE)
            except AudioError as err:
                outputs.append(cache.Computed(error=str(err)))
                continue
            started = time.perf_counter()
            vector = self.encoder.pooled(audio, self.layers)
            outputs.append(cache.Computed(values={"ssl": vector}, info={
                "audio_seconds": len(audio) / SAMPLE_RATE, "compute_seconds": time.perf_counter() - started}))
        return outputs
