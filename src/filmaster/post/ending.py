"""How a film ends: the last line is let finish and a beat is held after it (and after the last action) before
the picture and sound stop.

One rule for both sides of post-production: the fine cut holds the closing shot this long after its content
(`post.fine_cut`), and the offline critic does not count that hold when it asks whether the ending drags
(`post.critics.offline`), so the editor's own ending is never flagged.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Cut, Plan

# A beat after the last word: the ~1 s pause an editor leaves before the end (a listener, and a speech recogniser
# whose last window would otherwise cut the line, hears the line close), plus ~0.5 s for a voice that runs past the
# plan's reading time and the frame grid (with a 1.2 s hold, the_last_ferry's last word ended 0.97 s before its
# sound; with 1.5 s, 1.22 s). Short enough that a closing shot at the film's pace does not drag
# (see `weighed_ending`).
END_HOLD_S = 1.5


def closing_end_s(start_s: float, end_s: float, content_end_s: float, take_s: float) -> float:
    """Where the closing shot (played from `start_s` to `end_s` of a `take_s` take) ends: at least END_HOLD_S after
    its last line or action ends at `content_end_s`, as far as the take holds frames."""
    return min(take_s, max(end_s, content_end_s + END_HOLD_S, start_s + END_HOLD_S))


def closing_hold_s(plan: Plan, cut: Cut) -> float:
    """How long the cut's last clip plays on after its shot's last line (up to END_HOLD_S; a shot with no line
    holds from its first frame): the beat the drag rule does not count, whether an editor or a rough cut left it."""
    if not cut.clips:
        return 0.0
    clip = cut.clips[-1]
    shot = next((s for s in plan.shots if s.id == clip.shot_id), None)
    start_s, end_s = clip.source_start_frame / cut.fps, clip.source_end_frame / cut.fps
    lines_end = max((line.start_s + line.duration_s for line in shot.dialogue), default=start_s) if shot else start_s
    return min(END_HOLD_S, max(0.0, (end_s - max(lines_end, start_s)) / clip.speed))


def weighed_ending(lengths: Sequence[float], hold_s: float) -> list[float]:
    """The last two shot lengths as the drag rule weighs them: the closing hold (`closing_hold_s`) is the ending,
    not a drag."""
    tail = list(lengths[-2:])
    if tail:
        tail[-1] = max(tail[-1] - hold_s, 0.0)
    return tail
