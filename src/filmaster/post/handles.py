"""Handles: how much of each shot the shoot renders, from the edit that will play it.

The fine cut is decided from the plan alone (the takes' lengths are the shots' planned lengths), so it is known
before a frame is rendered (`planned_windows`). Each take is rendered as the frames its shot's clips and
cutaways play, widened by a handle either side — what an editor keeps for a re-trim and what the delivered
timelines show as handles — and not the whole planned shot. The same `decide_edit`/`apply_edit` then cut the
rendered takes, so the frames the edit plays are inside every window by construction.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..config import Config
from ..model import Cut, EditDecisions, Plan, Take
from .fine_cut import apply_edit
from .screening import edit_decisions

# Frames kept past each end of what the cut plays: room for a re-trim by hand in an editor. A cutaway the pixel
# pass adds outside a window (`pipeline.cover_cut`), or an `[edit]` change that holds a shot longer, renders just
# the missing frames (`stages.shoot`): each handle costs its length in rendering per shot, so they are kept
# short — at 0.75 s each side the_last_ferry's takes would hold 93 s of picture for a 76 s cut, not 84.
HANDLE_S = 0.25


def played_spans(cut: Cut) -> dict[str, tuple[int, int]]:
    """Shot id -> the frames [first, end) of the shot that `cut` plays (its own clips and cutaways to it)."""
    spans: dict[str, tuple[int, int]] = {}
    for clip in cut.clips:
        first = clip.shot_start_frame
        end = clip.last_shot_frame + 1
        lo, hi = spans.get(clip.shot_id, (first, end))
        spans[clip.shot_id] = (min(lo, first), max(hi, end))
    return spans


def take_windows(cut: Cut, takes: Mapping[str, Take], handle_s: float = HANDLE_S) -> dict[str, tuple[int, int]]:
    """Shot id -> the frames [first, end) of the shot to render: what `cut` plays of it plus `handle_s` each side,
    within the shot. A shot the cut does not play (removed) is rendered whole: a hand edit may bring it back."""
    handle = round(handle_s * cut.fps)
    spans = played_spans(cut)
    windows = {}
    for shot_id, take in takes.items():
        whole = take.whole_frames
        first, end = spans.get(shot_id, (0, whole))
        windows[shot_id] = (max(0, first - handle), min(whole, end + handle))
    return windows


def planned_windows(
    plan: Plan, rough: Cut, whole: Mapping[str, Take], config: Config, edited: EditDecisions | None
) -> dict[str, tuple[int, int]]:
    """The windows of the fine cut of `rough` (its takes `whole`, as planned), decided without the critics, so the
    shoot can start while they screen: their proposals only remove or reorder shots, which plays no frame the edit
    without them does not (`screening.on_takes` checks it)."""
    return take_windows(apply_edit(rough, plan, whole, edit_decisions(plan, rough, whole, config, edited, None)), whole)
