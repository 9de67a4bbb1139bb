"""What the twins of MELD and IEMOCAP say: paraphrased lines, not a fixed pool.

In MELD and IEMOCAP the words carry emotion, so their twins need words that
do too. A fixed list of a few dozen lines would let a text model memorise
whole sentences (each test line would also be a training line), which no
real corpus allows. Here every line is built from a template of its
emotion, a cue word drawn from a small lexicon (``glad``, ``thrilled``,
``furious``...) and neutral slots (who, what, when), so that

* the same emotion is said in thousands of ways and two clips rarely say the
  same sentence (:func:`distinct_share` measures it);
* what a text model can learn is the cue words, as on real speech, and a
  test line is new to it;
* with probability ``1 - informative`` an emotional utterance says a
  neutral line (people often sound angry about nothing in particular), so
  text alone stays far from perfect.

IEMOCAP's *scripted* dialogs are the exception, on purpose: every session's
actors read the same script, so the same lines recur across sessions, and a
text model trained on the other sessions has seen them. :func:`script` writes
such a script once; notebooks 12 and 14 measure what it does to text scores.
"""

from __future__ import annotations

import numpy as np

WHO = ("my brother", "your mother", "the new manager", "our neighbour", "Sam", "the landlord", "my sister",
       "the teacher", "Alex", "the doctor", "your friend", "the driver", "Jordan", "my cousin", "the coach")
WHAT = ("the flat", "the trip", "the results", "the wedding", "the car", "the interview", "the party",
        "the letter", "the contract", "the dog", "the garden", "the exam", "the concert", "the old house",
        "the new job", "the ticket", "the kitchen", "the phone bill", "the match", "the photo album")
WHEN = ("today", "this morning", "last night", "on Friday", "after lunch", "this week", "tomorrow", "yesterday",
        "tonight", "before dinner", "on Monday", "next week")

# How a speaker may start any line ("" most often).
OPENERS = ("", "", "", "Well, ", "Look, ", "You know, ", "So, ", "Okay, ", "Honestly, ")

# Cue words of each emotion (a student can read what a text model may latch on to).
CUES = {
    "happy": ("happy", "glad", "delighted", "pleased", "thrilled", "grateful"),
    "excited": ("excited", "pumped", "buzzing", "eager", "so ready", "over the moon"),
    "sad": ("sad", "heartbroken", "miserable", "lonely", "down", "gutted"),
    "angry": ("furious", "livid", "angry", "fed up", "outraged", "mad"),
    "frustrated": ("frustrated", "stuck", "tired of waiting", "annoyed", "fed up with the delays", "worn out"),
    "fearful": ("scared", "afraid", "terrified", "nervous", "frightened", "worried sick"),
    "disgust": ("disgusted", "sickened", "grossed out", "revolted", "appalled", "repulsed"),
    "surprised": ("shocked", "amazed", "stunned", "surprised", "speechless", "astonished"),
}

TEMPLATES = {
    "neutral": (
        "{who} will bring {what} {when}", "I left {what} with {who} {when}", "Did {who} mention {what} {when}",
        "We can talk about {what} {when}", "{who} is looking at {what} {when}", "Can you ask {who} about {what}",
        "I put {what} on the list {when}", "{who} said {what} is on the second floor",
    ),
    "happy": (
        "I am so {cue} about {what} {when}", "{who} made me so {cue} {when}", "I feel {cue}, {what} went really well",
        "Honestly I am {cue} for {who}, {what} worked out", "{what} was lovely {when}, I am {cue}",
        "You have no idea how {cue} I am {when}",
    ),
    "excited": (
        "I am {cue} about {what}, let us go", "{what} is {when} and I am {cue}",
        "Guess what, {who} said yes to {what}, I am {cue}",
        "I cannot wait for {what} {when}, I am {cue}", "Come on, I am {cue}, {what} starts {when}",
    ),
    "sad": (
        "I feel so {cue} about {what}", "{who} left {when} and I am {cue}", "I am {cue} since {who} cancelled {what}",
        "Ever since {what} with {who} I have been {cue}", "Nothing helps, I am {cue} about {who}",
        "I tried, but {what} failed and I am {cue}",
    ),
    "angry": (
        "I am {cue} with {who} about {what}", "How dare {who} touch {what}, I am {cue}",
        "I am {cue}, {who} ruined {what}",
        "Do not talk to me about {what}, I am {cue}", "{who} lied about {what} and I am {cue}",
    ),
    "frustrated": (
        "I am {cue}, {what} is still not done", "Why does {who} keep losing {what}, I am {cue}",
        "Nobody fixed {what} {when}, I am {cue}", "I asked {who} about {what} three times, I am {cue}",
        "{what} is taking forever {when} and I am {cue}",
    ),
    "fearful": (
        "I am {cue} about {what} {when}", "Did you hear that near {what}, I am {cue}",
        "Please stay, {who} frightens me and I am {cue}",
        "What if {who} finds out about {what}, I am {cue}", "I am {cue} to go back to {what} {when}",
    ),
    "disgust": (
        "I am {cue} by what {who} did to {what}", "{what} smells awful {when}, I am {cue}",
        "How can {who} live like that, I am {cue}",
        "Get {what} away from me, {who}, I am {cue}", "I saw {what} {when} and I am {cue}",
    ),
    "surprised": (
        "Wait, {who} did what, I am {cue}", "I am {cue}, {who} already finished {what}",
        "No way, {who} is here, I am {cue}",
        "{what} {when}, really, I am {cue}", "I did not expect {what} {when}, I am {cue}",
    ),
}


def line(emotion: str, rng: np.random.Generator, informative: float = 0.6) -> str:
    """One paraphrased line for ``emotion``.

    With probability ``informative`` the line uses a template and a cue word of
    ``emotion`` (emotions without templates, e.g. ``calm``, get neutral ones);
    otherwise it is a neutral line. Every slot is drawn from ``rng``.
    """
    if emotion not in TEMPLATES or (emotion != "neutral" and rng.random() >= informative):
        emotion = "neutral"
    templates = TEMPLATES[emotion]
    text = str(templates[rng.integers(len(templates))])
    slots = {"who": WHO[rng.integers(len(WHO))], "what": WHAT[rng.integers(len(WHAT))],
             "when": WHEN[rng.integers(len(WHEN))]}
    if emotion in CUES:
        slots["cue"] = CUES[emotion][rng.integers(len(CUES[emotion]))]
    text = text.format(**slots)
    opener = OPENERS[rng.integers(len(OPENERS))]
    if opener:
        text = opener + text[0].lower() + text[1:] if not text.startswith(("I ", "I,")) else opener + text
    return text[0].upper() + text[1:]


def script(emotions: list[str], seed, informative: float = 0.8) -> list[str]:
    """The lines of one scripted dialog, one per turn, the same for whoever reads it.

    ``seed`` (an int or a sequence of ints) names the script: every session
    that performs it says exactly these lines, as IEMOCAP's actors did.
    """
    rng = np.random.default_rng(seed)
    return [line(emotion, rng, informative) for emotion in emotions]


def distinct_share(lines) -> float:
    """Share of lines that are said only once (1.0: no sentence repeats)."""
    values, counts = np.unique(np.asarray(list(lines), dtype=object).astype(str), return_counts=True)
    return float((counts == 1).sum() / max(1, counts.sum()))
