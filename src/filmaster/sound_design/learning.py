"""Training the judge (judge.py) on the labelled screenplays and measuring it honestly: leave one screenplay out
(train without it, score it), the only figure that predicts prose the finder has never read.

Each labelled line's proposals get a class to learn: a proposal whose category the line is labelled with keeps it
(each label used once); a proposal left over takes a label nobody found (the one its sentence is nearest to, by the
categories' descriptions), else "no sound"; a label still left over goes to the silent sentence nearest to it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .calibration import Rows, is_heading
from .events import CATEGORIES, Proposal, SoundFinder, _one_per_paragraph, settle
from .judge import L2, NONE, Judge, train

if TYPE_CHECKING:
    from .events import NamedSound

CLASSES = (NONE, *(c.name for c in CATEGORIES))


@dataclass
class Line:
    """A labelled action line or parenthetical, ready to judge."""

    proposals: list[Proposal]
    x: np.ndarray  # features, one row per proposal
    y: np.ndarray  # the class each proposal should get
    labels: list[str]


@dataclass
class Play:
    lines: list[Line]
    headings: Counter[str]  # the headings' tally: the judge does not read headings


def targets(proposals: list[Proposal], labels: list[str], nearness: np.ndarray) -> list[str]:
    """The class each proposal should get (see the module's docstring); `nearness` is proposals × categories."""
    left = Counter(labels)
    out: list[str | None] = [None] * len(proposals)
    for i, p in enumerate(proposals):
        if p.sound is not None and left[p.sound.category] > 0:
            left[p.sound.category] -= 1
            out[i] = p.sound.category
    index = {name: k for k, name in enumerate(CLASSES[1:])}
    for proposed in (True, False):  # proposals first, then silent sentences
        for i, p in enumerate(proposals):
            if out[i] is not None or (p.sound is not None) != proposed:
                continue
            missing = [name for name, n in left.items() if n > 0]
            if missing:
                best = max(missing, key=lambda name: float(nearness[i, index[name]]))
                left[best] -= 1
                out[i] = best
    return [name or NONE for name in out]


def prepare(finder: SoundFinder, rows: Rows) -> Play:
    """Proposals, features and classes to learn of one screenplay's lines (finder: no judge, with an embedder)."""
    lines, headings = [], Counter[str]()
    for text, labels in rows:
        if is_heading(text):
            headings += _score(finder.find_in_heading(text), labels)
            continue
        proposals = finder.propose(text)
        if not proposals:
            lines.append(Line([], np.zeros((0, 0), np.float32), np.zeros(0, np.int64), labels))
            continue
        x = finder.features(proposals)
        nearness = finder.category_scores([p.sentence for p in proposals])
        y = np.array([CLASSES.index(c) for c in targets(proposals, labels, nearness)])
        lines.append(Line(proposals, x, y, labels))
    return Play(lines, headings)


def _score(found: list[NamedSound], labels: list[str]) -> Counter[str]:
    got, want = Counter(s.category for s in found), Counter(labels)
    return Counter(tp=sum((got & want).values()), fp=sum((got - want).values()), fn=sum((want - got).values()))


def score(play: Play, judge: Judge | None) -> Counter[str]:
    """The screenplay's tally with the judge (None: the proposals as they stand)."""
    counts = Counter(play.headings)
    for line in play.lines:
        if judge is None or not line.proposals:
            sounds = [p.sound for p in line.proposals if p.sound is not None]
        else:
            sounds = settle(line.proposals, judge.decide(line.x))
        counts += _score(_one_per_paragraph(sorted(sounds, key=lambda s: s.position)), line.labels)
    for key in ("tp", "fp", "fn"):
        counts[key] += 0
    return counts


def fit(plays: list[Play], l2: float = L2) -> Judge:
    lines = [line for play in plays for line in play.lines if line.proposals]
    x = np.vstack([line.x for line in lines])
    y = np.concatenate([line.y for line in lines])
    return Judge(train(x, y, len(CLASSES), l2), CLASSES)


def leave_one_out(plays: dict[str, Play], always: list[Play], l2: float = L2) -> dict[str, Counter[str]]:
    """Each screenplay's tally by a judge trained on all the others (and on `always`: the examples)."""
    return {
        name: score(play, fit(always + [p for n, p in plays.items() if n != name], l2)) for name, play in plays.items()
    }
