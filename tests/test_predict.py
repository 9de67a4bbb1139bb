"""`mmser predict` on recordings as users have them: any format, rate, channel count and length."""

import json

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from mmser_lib import cli, predict, runs
from mmser_lib.audio import SAMPLE_RATE, load_audio


@pytest.fixture(scope="module")
def conv1d_run(small_twin, tmp_path_factory):
    out = tmp_path_factory.mktemp("predict") / "conv1d"
    assert cli.main(["train", "--corpus", "ravdess", "--root", str(small_twin), "--model", "conv1d",
                     "--out", str(out), "--epochs", "3", "--exclude-speakers", "4"]) == 0
    return out


@pytest.fixture(scope="module")
def speaker_run(small_twin, tmp_path_factory):
    out = tmp_path_factory.mktemp("predict") / "mlp_speaker"
    assert cli.main(["train", "--corpus", "ravdess", "--root", str(small_twin), "--model", "mlp_audio",
                     "--out", str(out), "--epochs", "3", "--exclude-speakers", "4", "--scaling", "speaker"]) == 0
    return out


def _clips(manifest, speaker, n):
    return manifest[manifest["speaker"] == speaker]["path"].head(n).tolist()


def _predict_json(argv, capsys):
    assert cli.main(["predict", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_window_bounds_cover_the_recording_and_end_at_its_end():
    bounds = predict.window_bounds(60 * SAMPLE_RATE, SAMPLE_RATE, window=3.0, hop=1.5)
    assert bounds[0] == (0, 3 * SAMPLE_RATE) and bounds[-1][1] == 60 * SAMPLE_RATE
    assert len(bounds) == 39 and all(e - s == 3 * SAMPLE_RATE for s, e in bounds)
    assert predict.window_bounds(2 * SAMPLE_RATE, SAMPLE_RATE, 3.0, 1.5) == [(0, 2 * SAMPLE_RATE)]
    # 10 s: windows at 0, 1.5, ..., 6.0 and one more ending exactly at 10 s
    assert predict.window_bounds(10 * SAMPLE_RATE, SAMPLE_RATE, 3.0, 1.5)[-1] == (7 * SAMPLE_RATE, 10 * SAMPLE_RATE)


def test_a_48_khz_stereo_wav_predicts_like_the_same_audio_in_mono(conv1d_run, small_manifest, tmp_path, capsys):
    y = load_audio(_clips(small_manifest, "ravdess:04", 1)[0], 48_000)
    sf.write(tmp_path / "mono48.wav", y, 48_000)
    sf.write(tmp_path / "stereo48.wav", np.stack([y, y], axis=1), 48_000)  # both channels the same
    assert sf.info(tmp_path / "stereo48.wav").channels == 2
    mono, stereo = _predict_json([str(conv1d_run), str(tmp_path / "mono48.wav"), str(tmp_path / "stereo48.wav")],
                                 capsys)
    assert stereo["predicted"] == mono["predicted"]
    for label, p in mono["probabilities"].items():
        assert stereo["probabilities"][label] == pytest.approx(p, abs=1e-4)
    assert sum(stereo["probabilities"].values()) == pytest.approx(1.0, abs=1e-4)


def test_an_mp3_and_an_m4a_are_read_and_predict_close_to_the_wav(conv1d_run, small_manifest, tmp_path, capsys):
    import av

    y = load_audio(_clips(small_manifest, "ravdess:04", 2)[1], 44_100)
    sf.write(tmp_path / "clip.wav", y, 44_100)
    sf.write(tmp_path / "clip.mp3", y, 44_100, format="MP3")
    with av.open(str(tmp_path / "clip.m4a"), "w") as container:  # AAC in an MP4 container, as phones record
        stream = container.add_stream("aac", rate=44_100, layout="mono")
        frame = av.AudioFrame.from_ndarray(y[None, :].astype(np.float32), format="fltp", layout="mono")
        frame.sample_rate = 44_100
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    wav, mp3, m4a = _predict_json([str(conv1d_run), *(str(tmp_path / f"clip.{e}") for e in ("wav", "mp3", "m4a"))],
                                  capsys)
    for lossy in (mp3, m4a):
        assert abs(lossy["seconds"] - wav["seconds"]) < 0.1  # encoder padding only
        differences = [abs(lossy["probabilities"][k] - p) for k, p in wav["probabilities"].items()]
        assert max(differences) < 0.05, differences


def test_a_60_second_recording_gets_a_timeline_with_its_pause_marked(conv1d_run, small_manifest, tmp_path,
                                                                     capsys):
    speech = [load_audio(p, 22_050) for p in _clips(small_manifest, "ravdess:04", 30)]
    pause = np.zeros(8 * 22_050, dtype=np.float32)  # 8 s of silence from 20 s on
    first = np.concatenate(speech)[: 20 * 22_050]
    recording = np.concatenate([first, pause, np.concatenate(speech[::-1])])[: 60 * 22_050]
    recording += np.random.default_rng(0).normal(0, 1e-4, recording.shape).astype(np.float32)  # room noise
    sf.write(tmp_path / "long.wav", np.stack([recording, recording], axis=1), 22_050)  # stereo, 22 kHz
    plot = tmp_path / "timeline.png"
    assert cli.main(["predict", str(conv1d_run), str(tmp_path / "long.wav"), "--plot", str(plot)]) == 0
    printed = capsys.readouterr().out
    assert "Timeline:" in printed and "39 windows" in printed
    assert len([line for line in printed.splitlines() if " s  " in line]) == 39
    assert plot.is_file() and plot.stat().st_size > 10_000

    [result] = _predict_json([str(conv1d_run), str(tmp_path / "long.wav")], capsys)
    timeline = result["timeline"]
    assert [w["start"] for w in timeline] == sorted(w["start"] for w in timeline)
    assert timeline[-1]["end"] == pytest.approx(60.0, abs=0.01)
    quiet = [w for w in timeline if not w["speech"]]
    assert quiet and all(w["start"] >= 19.0 and w["end"] <= 29.0 for w in quiet)  # only inside the pause
    spoken = [w for w in timeline if w["speech"]]
    mean = {k: np.mean([w["probabilities"][k] for w in spoken]) for k in result["probabilities"]}
    assert result["probabilities"] == pytest.approx(mean, abs=1e-5)  # the average leaves the pause out


def test_a_file_that_is_not_audio_is_one_clear_line(conv1d_run, tmp_path, capsys):
    for name, content in (("notes.mp3", b"ID3 but not really"), ("speech.wav", b"hello")):
        (tmp_path / name).write_bytes(content)
        assert cli.main(["predict", str(conv1d_run), str(tmp_path / name)]) == 2
        err = capsys.readouterr().err
        assert name in err and "not readable as audio" in err and "Traceback" not in err
    assert cli.main(["predict", str(conv1d_run), str(tmp_path / "missing.flac")]) == 2
    assert "file missing" in capsys.readouterr().err


def test_per_speaker_runs_need_more_of_the_speakers_audio(speaker_run, small_manifest, capsys):
    a, b = _clips(small_manifest, "ravdess:04", 2)
    alone = _predict_json([str(speaker_run), a, b], capsys)
    # each clip is its own speaker: z-scored against itself, every feature is 0, so both get the same answer
    assert alone[0]["probabilities"] == pytest.approx(alone[1]["probabilities"], abs=1e-6)
    assert any("only 1 clip" in note for note in alone[0]["notes"])

    more = _clips(small_manifest, "ravdess:04", 14)[2:]
    together = _predict_json([str(speaker_run), a, b, "--enrol", *more], capsys)
    assert any("from 12 clip(s)" in note and "--enrol" in note for note in together[0]["notes"])
    assert not any("only" in note for note in together[0]["notes"])
    assert together[0]["probabilities"] != pytest.approx(together[1]["probabilities"], abs=1e-3)
    # the statistics come from the enrolment recordings only: clip a's answer does not depend on clip b
    a_alone = _predict_json([str(speaker_run), a, "--speaker-audio", *more], capsys)
    assert a_alone[0]["probabilities"] == pytest.approx(together[0]["probabilities"], abs=1e-5)

    assert cli.main(["predict", str(speaker_run), a]) == 0
    assert "per-speaker normalisation" in capsys.readouterr().out


def test_evaluate_scores_a_per_speaker_run_without_its_enrolment_clips(speaker_run, small_twin, tmp_path, capsys):
    held_out = ["evaluate", str(speaker_run), "--corpus", "ravdess", "--root", str(small_twin), "--speakers", "4"]
    assert cli.main([*held_out, "--enrol", "8", "--json", str(tmp_path / "enrol.json")]) == 0
    assert "from 8 enrolment clip(s) per speaker" in capsys.readouterr().out
    enrolled = json.loads((tmp_path / "enrol.json").read_text())
    assert enrolled["enrolment"]["enrolment_clips"] == 8 and enrolled["n"] == 30 - 8
    assert cli.main([*held_out, "--enrol", "0", "--json", str(tmp_path / "all.json")]) == 0
    assert "an upper bound" in capsys.readouterr().out
    upper = json.loads((tmp_path / "all.json").read_text())
    assert upper["enrolment"]["upper_bound"] and upper["n"] == 30
    assert cli.main([*held_out, "--enrol", "30"]) == 2
    assert "leaves nothing to score" in capsys.readouterr().err


def test_a_text_run_transcribes_with_the_offline_whisper(small_twin, small_manifest, tmp_path, capsys):
    out = tmp_path / "two_branch"
    assert cli.main(["train", "--corpus", "ravdess", "--root", str(small_twin), "--model", "two_branch",
                     "--out", str(out), "--epochs", "1", "--exclude-speakers", "3"]) == 0
    capsys.readouterr()
    clip = _clips(small_manifest, "ravdess:03", 1)[0]  # a male twin voice: Whisper tiny.en hears it well
    assert cli.main(["predict", str(out), clip]) == 0
    printed = capsys.readouterr().out
    assert "transcribing with Whisper" in printed
    heard = printed.split('heard: "')[1].split('"')[0].lower()
    assert "door" in heard, heard

    run = runs.load_run(out)
    given = predict.predict_recordings(run, [clip], text="Kids are talking by the door.")
    assert given[0].transcript == "Kids are talking by the door."


def test_windows_stay_in_memory_and_score_like_the_same_audio_read_from_files(conv1d_run, small_manifest, tmp_path,
                                                                               monkeypatch):
    run = runs.load_run(conv1d_run)
    clips = _clips(small_manifest, "ravdess:04", 3)
    y = np.concatenate([load_audio(p) for p in clips])
    sf.write(tmp_path / "three.wav", y, SAMPLE_RATE, subtype="FLOAT")

    def no_files(*args, **kwargs):
        raise AssertionError("predict wrote an audio file")

    monkeypatch.setattr(sf, "write", no_files)
    [result] = predict.predict_recordings(run, [tmp_path / "three.wav"])
    monkeypatch.undo()
    assert len(result.windows) > 1

    # The same windows written to wav files and read back through the manifest's paths.
    bounds = predict.window_bounds(len(y), SAMPLE_RATE, 3.0, 1.5)
    paths = []
    for i, (start, end) in enumerate(bounds):
        paths.append(tmp_path / f"window{i}.wav")
        sf.write(paths[-1], y[start:end], SAMPLE_RATE, subtype="FLOAT")
    manifest = pd.DataFrame({"path": [str(p) for p in paths], "corpus": "other",
                             "utterance_id": [p.stem for p in paths], "speaker": "recording0", "text": ""})
    from_files = run.predict_proba(manifest, progress=False, cache=False)
    columns = [f"p_{label}" for label in run.labels]
    np.testing.assert_allclose(result.windows[columns].to_numpy(), from_files, atol=1e-5)
