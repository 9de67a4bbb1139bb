import json

import pytest

from mmser_lib import cli, corpora
from tests.conftest import write_tone


@pytest.fixture(scope="module")
def trained_run(small_twin, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "run"
    assert cli.main(["train", "--corpus", "ravdess", "--root", str(small_twin), "--model", "conv1d",
                     "--out", str(out), "--epochs", "2", "--exclude-speakers", "4"]) == 0
    return out


def test_twin_command_writes_a_loadable_corpus(tmp_path, capsys):
    assert cli.main(["twin", "ravdess", str(tmp_path / "t"), "--speakers", "1", "--seed", "2"]) == 0
    assert "60 clips, 1 speakers" in capsys.readouterr().out
    assert len(corpora.load("ravdess", tmp_path / "t")) == 60


def test_train_saves_a_self_contained_run(trained_run):
    assert {p.name for p in trained_run.iterdir()} >= {"model.keras", "config.json", "history.json"}
    config = json.loads((trained_run / "config.json").read_text())
    assert "ravdess:04" not in config["train_speakers"] + config["val_speakers"]
    assert len(config["val_speakers"]) == 1


def test_evaluate_on_another_root_at_another_sample_rate(trained_run, tmp_path, capsys):
    other = corpora.make_twin("ravdess", tmp_path / "other16k", speakers=2, seed=9, repetitions=1,
                              sample_rate=16000, progress=False)
    out = tmp_path / "metrics.json"
    assert cli.main(["evaluate", str(trained_run), "--corpus", "ravdess", "--root", str(other),
                     "--json", str(out)]) == 0
    metrics = json.loads(out.read_text())
    assert {"accuracy", "uar", "macro_f1", "weighted_f1", "n", "per_class", "confusion_matrix"} <= set(metrics)
    assert metrics["n"] == 60 and metrics["speakers_seen_in_training"] == []
    assert "UAR" in capsys.readouterr().out


def test_evaluate_warns_when_speakers_were_seen_in_training(trained_run, small_twin, capsys):
    assert cli.main(["evaluate", str(trained_run), "--corpus", "ravdess", "--root", str(small_twin),
                     "--speakers", "1,4"]) == 0
    printed = capsys.readouterr().out
    assert "not a speaker-independent score" in printed and "ravdess:01" in printed


def test_evaluate_held_out_speaker_has_no_warning(trained_run, small_twin, tmp_path, capsys):
    out = tmp_path / "m.json"
    assert cli.main(["evaluate", str(trained_run), "--corpus", "ravdess", "--root", str(small_twin),
                     "--speakers", "4", "--json", str(out)]) == 0
    assert "warning" not in capsys.readouterr().out
    assert json.loads(out.read_text())["speakers"] == ["ravdess:04"]


def test_predict_prints_ranked_emotions(trained_run, small_manifest, capsys):
    path = small_manifest["path"].iloc[0]
    assert cli.main(["predict", str(trained_run), path, "--json"]) == 0
    [result] = json.loads(capsys.readouterr().out)
    probabilities = [t["probability"] for t in result["top"]]
    assert probabilities == sorted(probabilities, reverse=True) and 0 < sum(probabilities) <= 1.0001


def test_predict_on_a_file_that_is_not_audio(trained_run, tmp_path, capsys):
    fake = tmp_path / "speech.wav"
    fake.write_text("hello")
    assert cli.main(["predict", str(trained_run), str(fake)]) == 2
    assert "not readable as audio" in capsys.readouterr().err


def test_missing_root_is_one_clear_line(tmp_path, capsys):
    code = cli.main(["train", "--corpus", "ravdess", "--root", str(tmp_path / "none"), "--model", "conv1d",
                     "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert code == 2 and "data/README.md" in err and "Traceback" not in err


def test_unknown_speaker_filter(small_twin, tmp_path, capsys):
    assert cli.main(["train", "--corpus", "ravdess", "--root", str(small_twin), "--model", "conv1d",
                     "--out", str(tmp_path / "r"), "--speakers", "77"]) == 2
    assert "no ravdess speaker matches" in capsys.readouterr().err


def test_predict_works_on_any_wav(trained_run, tmp_path, capsys):
    path = write_tone(tmp_path / "tone.wav", seconds=2.0, sr=44100, channels=2)
    assert cli.main(["predict", str(trained_run), str(path)]) == 0
    assert "tone.wav:" in capsys.readouterr().out


def test_evaluate_on_another_corpus_scores_the_shared_emotions_only(trained_run, tmp_path, capsys):
    crema = corpora.make_twin("crema_d", tmp_path / "crema", speakers=2, sentences=1, seed=3, progress=False)
    out = tmp_path / "cross.json"
    assert cli.main(["evaluate", str(trained_run), "--corpus", "crema_d", "--root", str(crema),
                     "--json", str(out)]) == 0
    assert "cross-corpus: the run was trained on ravdess" in capsys.readouterr().out
    metrics = json.loads(out.read_text())
    # RAVDESS has calm and surprised, CREMA-D does not: they are neither scored nor predicted
    assert set(metrics["labels"]) == {"neutral", "happy", "sad", "angry", "fearful", "disgust"}
    assert metrics["n"] == len(corpora.load("crema_d", crema, verbose=False))
    assert len(metrics["confusion_matrix"]) == 6


def test_the_commands_print_no_tensorflow_start_up_lines_unless_verbose(trained_run, small_manifest):
    """Even where the environment asks TensorFlow for every log line, `mmser` shows only its own output."""
    import os
    import subprocess
    import sys

    clip = small_manifest["path"].iloc[0]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "0"}
    noise = ("absl::InitializeLog", "cpu_feature_guard", "I0000", "W0000", "E0000")

    def run(*flags):
        command = [sys.executable, "-m", "mmser_lib.cli", *flags, "predict", str(trained_run), clip]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout + result.stderr

    quiet = run()
    assert f"{clip}: " in quiet and not [line for line in noise if line in quiet], quiet
    assert any(line in run("--verbose") for line in noise)  # the lines exist, and --verbose shows them


def test_crossval_tests_every_speaker_once_on_the_folds_of_a_file(small_twin, tmp_path, capsys):
    from mmser_lib import splits

    manifest = corpora.load("ravdess", small_twin, verbose=False)
    folds_file = splits.speaker_folds(manifest, k=4, seed=3).to_json(tmp_path / "given.json")
    out = tmp_path / "cv"
    assert cli.main(["crossval", "--corpus", "ravdess", "--root", str(small_twin), "--model", "mlp_audio",
                     "--folds-file", str(folds_file), "--epochs", "3", "--patience", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "4-fold speaker cross-validation on 120 clips" in printed and "95% interval over speakers" in printed
    folds = json.loads((out / "folds.json").read_text())
    assert folds["groups"] == json.loads(folds_file.read_text())["groups"]  # the given folds, not new ones
    assert sorted(s for f in folds["folds"] for s in f["test"]) == [f"ravdess:{i:02d}" for i in range(1, 5)]
    assert len((out / "per_fold.csv").read_text().splitlines()) == 1 + 4
    summary = json.loads((out / "summary.json").read_text())
    low, high = summary["uar_pooled_ci_speakers"]
    assert summary["n"] == 120 and 0 <= low <= summary["uar_pooled"] <= high <= 1
    assert summary["enrol_draws"] == 0  # no per-speaker normalisation


def test_crossval_records_how_training_speakers_were_enrolled():
    from argparse import Namespace

    def draws(**options):
        return cli.training_enrol_draws(Namespace(**{"model": "best_audio", "scaling": "speaker", "enrol": 8,
                                                     "enrol_draws": None, **options}))

    assert draws() == 8  # best_audio's own
    assert draws(enrol_draws=2) == 2 and draws(model="mlp_audio") == 0
    assert draws(enrol=0) == 0 and draws(scaling="train") == 0  # all clips, or no per-speaker statistics
