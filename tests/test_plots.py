"""Figures that carry information: no chart of equal bars, the course's emotion order and colours."""

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from mmser_lib import emotions, plots


def test_equal_counts_give_a_sentence_not_a_chart(capsys):
    balanced = pd.DataFrame({"speaker": ["a"] * 3 + ["b"] * 3, "emotion": ["sad", "happy", "sad"] * 2})
    assert plots.plot_counts(balanced, "speaker", hue="emotion") is None
    assert "same 3 utterances" in capsys.readouterr().out


def test_unequal_counts_are_drawn_in_the_course_order_and_colours():
    frame = pd.DataFrame({"emotion": ["sad", "angry", "angry", "neutral"], "speaker": ["a", "a", "b", "b"]})
    fig = plots.plot_counts(frame, "emotion")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == emotions.ordered(frame["emotion"])
    drawn = [mcolors.to_hex(p.get_facecolor()) for p in ax.patches]
    assert drawn == [mcolors.to_hex(c) for c in emotions.colours(labels)]
    stacked = plots.plot_counts(frame, "speaker", hue="emotion")
    assert [t.get_text() for t in stacked.axes[0].get_legend().get_texts()] == emotions.ordered(frame["emotion"])


def test_splits_are_drawn_in_their_own_order_not_by_size():
    sessions = ["Session10"] * 5 + ["Session2"] * 4 + ["Session1"] * 1 + ["Session3"] * 3
    fig = plots.plot_counts(pd.DataFrame({"split": sessions}), "split")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["Session1", "Session2", "Session3", "Session10"]
    fig = plots.plot_counts(pd.DataFrame({"split": ["test"] * 3 + ["train"] * 9 + ["dev"]}), "split")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["train", "dev", "test"]


def test_timeline_windows_never_overlap_even_when_the_last_one_ends_with_the_recording():
    from types import SimpleNamespace

    starts = np.array([0.0, 1.5, 3.0, 4.5, 5.2])  # the last window ends at 8.2 s, with the recording
    windows = pd.DataFrame({"start": starts, "end": starts + 3.0, "p_happy": 0.7, "p_sad": 0.3,
                            "speech": [True, True, False, True, True]})
    prediction = SimpleNamespace(labels=["happy", "sad"], path="x.wav", windowed=True, windows=windows, seconds=8.2,
                                 predicted="happy")
    fig = plots.plot_emotion_timeline([prediction])
    bars = sorted({(round(b.get_x(), 6), round(b.get_width(), 6)) for b in fig.axes[0].patches
                   if b.get_height() > 0})
    assert len(bars) == len(windows)
    for (x, width), (next_x, _) in zip(bars, bars[1:]):
        assert x + width <= next_x + 1e-9  # each bar ends before the next begins
    plt.close(fig)
