"""eSpeak NG, the voice of the twins: a twin is byte-identical for a seed, noisy voices included."""

from mmser_lib import corpora
from mmser_lib.corpora.twin import make_speakers


def test_a_twin_with_a_noisy_voice_is_written_byte_for_byte_again(tmp_path):
    # CREMA-D's second actor speaks with eSpeak's +f2, which adds noise from libc's rand(): each utterance
    # seeds it (Espeak.speak(seed=...)), so two writes of the same twin agree to the byte
    assert make_speakers(["a", "b"], ["male", "female"], seed=0)[1].voice == "en-us+f2"
    first = corpora.make_twin("crema_d", tmp_path / "a", speakers=2, sentences=1, seed=0, progress=False)
    second = corpora.make_twin("crema_d", tmp_path / "b", speakers=2, sentences=1, seed=0, progress=False)
    clips = sorted(p.relative_to(first) for p in first.rglob("*.wav"))
    assert len(clips) >= 12 and clips == sorted(p.relative_to(second) for p in second.rglob("*.wav"))
    assert all((first / clip).read_bytes() == (second / clip).read_bytes() for clip in clips)
