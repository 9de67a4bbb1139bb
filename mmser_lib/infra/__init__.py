"""Infrastructure: what the course runs on, kept out of the lessons' way.

* :mod:`~mmser_lib.infra.cache` -- the per-file cache on disk and :func:`~mmser_lib.infra.cache.cached_map`,
  the one loop behind features, SSL embeddings and transcripts (local processes or a Dask cluster);
* :mod:`~mmser_lib.infra.pretrained` -- finding models offline by name or path, Whisper weight conversion;
* :mod:`~mmser_lib.infra.random_models` -- tiny randomly initialised Whisper / BERT / RoBERTa / HuBERT /
  wav2vec2 models saved like real ones, for tests;
* :mod:`~mmser_lib.infra.espeak` -- eSpeak NG through ctypes (the voice of the twins);
* :mod:`~mmser_lib.infra.records` -- what a notebook or run records next to its numbers: metrics.json,
  package versions, the git commit;
* :mod:`~mmser_lib.infra.grading` -- a student's figures and metrics against the reference;
* :mod:`~mmser_lib.infra.extras` -- optional parts (Whisper, transformers, sentence-transformers) and the
  pip extra that installs each.
"""
