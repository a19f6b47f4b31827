"""When the words of an action line happen in its shot: its sentences spread over the shot, in order.

The breakdown times a character's gestures (sits, stands, picks up the cup) with it and sound design places the
effects an action line names with it, so a sound named in the same sentence as a gesture lands with that gesture.
"""

from __future__ import annotations

ACTION_SPAN = (0.1, 0.9)  # the part of its shot over which an action line's sentences are spread, in order


def moment_in_shot(duration_s: float, position: float) -> float:
    """Seconds into a shot of `duration_s` where a sentence at `position` (0 start … 1 end of the text) happens."""
    return duration_s * (ACTION_SPAN[0] + (ACTION_SPAN[1] - ACTION_SPAN[0]) * position)
