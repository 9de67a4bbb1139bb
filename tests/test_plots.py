"""Figures that carry information: no chart of equal bars, the course's emotion order and colours."""

import matplotlib.colors as mcolors
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
