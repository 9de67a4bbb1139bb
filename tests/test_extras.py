"""A missing optional part stops with one line that names the pip extra installing it."""

import sys

import pytest

from mmser_lib import text, transcription
from mmser_lib.features import ssl
from mmser_lib.infra import extras


@pytest.mark.parametrize(("module", "call", "extra"), [
    ("faster_whisper", lambda: transcription.FasterWhisper("tiny.en"), "whisper"),
    ("whisper", lambda: transcription.OpenAIWhisper("tiny.en"), "whisper"),
    ("sentence_transformers", lambda: text.sentence_embeddings(["hello"], progress=False), "sentence-transformers"),
    ("transformers", lambda: ssl.SpeechEncoder("any-folder"), "transformers"),
    ("transformers", lambda: text.transformer_embeddings(["hello"], "any-folder", progress=False), "transformers"),
])
def test_a_missing_extra_is_named_with_its_pip_command(module, call, extra, monkeypatch):
    monkeypatch.setitem(sys.modules, module, None)  # what Python does when the package is not installed
    with pytest.raises(extras.MissingExtraError) as raised:
        call()
    message = str(raised.value)
    assert f'pip install "mmser[{extra}]"' in message and repr(module) in message


def test_the_check_does_not_import_the_package(tmp_path, monkeypatch):
    """Importing transformers after TensorFlow aborts Python, so the check must only look the package up."""
    package = tmp_path / "mmser_test_package"
    package.mkdir()
    (package / "__init__.py").write_text("raise SystemExit('imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    extras.require("mmser_test_package", "a test")
    assert "mmser_test_package" not in sys.modules
    with pytest.raises(extras.MissingExtraError, match="mmser_nowhere_package"):
        extras.require("mmser_nowhere_package", "a test")
