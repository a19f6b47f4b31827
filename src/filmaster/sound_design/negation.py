"""What a sentence silences: a negation ("no sound of the engine", "not a breath of wind") governs the few words
after it, and a stop ("the rain stops", "stops ringing") ends the sound it follows or precedes; a stop that is itself
denied ("won't stop ringing") is a sound going on, neither a stop nor a negation."""

from __future__ import annotations

from .marks import Mark

NEGATION_REACH = 4  # words after "no"/"not" it still governs ("not a breath of wind")


class Silencing:
    """The negations and stops among one sentence's marks, and what each of them silences."""

    def __init__(self, marks: list[Mark]) -> None:
        self.marks = marks
        # "will not stop buzzing", "won't stop ringing": a stop denied is a sound going on, neither stopped nor denied
        self.denied_stops = [
            m for m in marks if m.has("stop") and any(n.has("negator") and 0 < m.first - n.last <= 2 for n in marks)
        ]

    def negated(self, mark: Mark) -> bool:
        """Whether a negation a few words before `mark` governs it."""
        return any(
            m.has("negator")
            and 0 < mark.first - m.last <= NEGATION_REACH
            and not any(0 < d.first - m.last <= 2 and d.last < mark.first for d in self.denied_stops)
            for m in self.marks
        )

    def stopped(self, mark: Mark) -> bool:
        """ "the rain stops", "stops ringing": a stop just after `mark` or right before it."""
        return any(
            m.has("stop") and m not in self.denied_stops and (0 < m.first - mark.last <= 3 or m.last == mark.first - 1)
            for m in self.marks
        )

    def ends(self, mark: Mark) -> bool:
        """ "stops ringing", "ceases barking": a stop right before a sound word is the end of that sound, not one
        heard anew."""
        return any(m.has("stop") and m not in self.denied_stops and m.last == mark.first - 1 for m in self.marks)
