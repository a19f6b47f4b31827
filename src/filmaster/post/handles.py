"""Handles: the shoot renders every shot whole, so whatever the cut does not play of a take is its handles.

What a shot's take holds must not depend on `[edit]` settings: a re-run that changes only them (a slower
`target_pace_s`, a smaller `depth`, a higher `max_speed`, `fine_cut = false`) must render no frame. No window
narrower than the planned shot achieves that: `depth = 0` keeps a line's whole shot, and the rough cut
(`fine_cut = false`) plays every take whole. So `make` renders the whole planned take of every shot (as it does
for a shot a generative backend makes from its previz), the fine cut and the pixel pass's repairs choose frames
inside it, and an editor opening the timelines finds the rest of each take as handles. Rendering only what one
edit played plus 0.25 s each side had saved a quarter of the picture (126 s of takes for an 84 s film); the
full run was brought back under 0.40 × the film's length elsewhere (docs/benchmarks.md, 2026-12-04, whole takes).
"""
