"""The five write-ups the course grows from, cited by their authors and titles.

Architectures (:mod:`mmser_lib.architectures`), notebooks and the README name
a write-up by its key here, so a citation is written once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """One source write-up.

    key : short name used in code ("roig").
    cite : how prose cites it ("Roig").
    authors, title, where : the full reference.
    """

    key: str
    cite: str
    authors: str
    title: str
    where: str

    def reference(self) -> str:
        """One line: authors, *title*, where."""
        return f"{self.authors}, *{self.title}*, {self.where}."


SOURCES: dict[str, Source] = {s.key: s for s in [
    Source("roig", "Roig", "Sara Jose Roig",
           "Multimodal Emotion Recognition from Speech and Text: Comparing Audio-Only and Multimodal CNN Approaches",
           "University of Gothenburg (CREMA-D and MELD)"),
    Source("chen", "Chen", "Dolores (Yitong) Chen", "Speech Emotion Recognition via Multimodal CNN-LSTM Architectures",
           "Master's thesis, University of Groningen, Campus Fryslân (IEMOCAP, sad vs non-sad)"),
    Source("clark", "Clark, Mehta, Agrawal and Marziano",
           "Priscilla Clark, Siddharth Mehta, Prashasti Agrawal and Yoav Marziano",
           "Multimodal Emotion Classification Using Deep Learning", "MIT (RAVDESS, MLP fusion)"),
    Source("govindu", "Govindu", "Arnav Govindu", "Multimodal Emotion Recognition from Audio",
           "IIT Hyderabad (RAVDESS, late fusion)"),
    Source("tess_hubert_bert", "the TESS HuBERT/BERT write-up", "anonymous",
           "Multimodal Emotion Recognition using Speech and Text", "TESS, HuBERT and BERT with cross-attention"),
]}


def get(key: str) -> Source:
    """The write-up called ``key``, or a ValueError listing them."""
    if key not in SOURCES:
        raise ValueError(f"unknown write-up {key!r}; choose one of: {', '.join(SOURCES)}")
    return SOURCES[key]
