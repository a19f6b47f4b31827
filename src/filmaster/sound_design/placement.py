"""Effects and foley placed on the locked cut: each sound at the moment its shot shows it, with the level and
perspective of the shot's scale, and the reason it exists.

Effects come from the screenplay (an action line in the shot that shows it, a parenthetical at its line, a heading
at its scene's start); footsteps come from the previz renderer's foot contacts (previz/footfalls.py), on the
surface of the set, cloth movements from its limbs setting off and coming to rest, and a seat's creak, a rise and
a prop's handling from its figures sitting, standing and reaching (previz/body_events.py), each by its material
(materials.py).
Every start is on a picture frame.
"""

from __future__ import annotations

from ..model import CameraSpec, CastMember, CueKind, Cut, CutClip, Plan, SceneBlock, Shot, ShotScale, SoundCue
from ..previz.body_events import BodyEvent, body_events
from ..previz.footfalls import foot_contacts
from ..stages.action_moments import moment_in_shot
from .events import BY_NAME, NamedSound, SoundFinder
from .materials import prop_material, seat_material, surface_of

# How far away a sound is in each scale (0 = in the lens, dry; 1 = far, mostly room): close = loud and dry.
DISTANCE: dict[ShotScale, float] = {
    ShotScale.ECU: 0.0,
    ShotScale.CU: 0.05,
    ShotScale.MCU: 0.15,
    ShotScale.MS: 0.3,
    ShotScale.MWS: 0.45,
    ShotScale.WS: 0.65,
    ShotScale.EWS: 0.85,
}
DISTANCE_DB = -12.0  # level at distance 1 relative to a sound in the lens
REPEAT_GAP_S = 0.45  # silence between two occurrences of a repeated sound ("sounds twice")


def distance_of(camera: CameraSpec) -> float:
    return DISTANCE.get(camera.scale, 0.5)


class _Timeline:
    """Shot time → record time, on the cut as edited (trims, speed, and a shot split around a cutaway)."""

    def __init__(self, cut: Cut) -> None:
        self.fps = cut.fps
        self.frames = cut.frames
        # Each shot's own clips (a split shot has two) with their record start; cutaways show another shot's
        # frames under this one's sound, so a moment of the cutaway's shot is not placed there.
        self.origins = cut.take_origin_frames()
        self.pieces: dict[str, list[tuple[int, CutClip]]] = {}
        position = 0
        for clip in cut.clips:
            if not clip.cutaway:
                self.pieces.setdefault(clip.shot_id, []).append((position, clip))
            position += clip.frames

    def shown(self, shot_id: str) -> tuple[float, float] | None:
        """The stretch of the shot's take (seconds) that the cut shows, from its first frame shown to its last."""
        pieces = self.pieces.get(shot_id)
        if not pieces:
            return None
        first = min(clip.source_start_frame for _, clip in pieces)
        last = max(clip.source_end_frame for _, clip in pieces)
        return first / self.fps, last / self.fps

    def frame_within(self, shot_id: str, t_s: float, room_s: float = 0.0) -> int | None:
        """Where `t_s` into the shot plays; a moment the fine cut trimmed away is heard at the nearest moment the
        cut still shows of that shot, with `room_s` left before the shot's end (up to 1 s, so a sound is not
        clamped onto the last frame), so a named sound is never lost to a trim."""
        shown = self.shown(shot_id)
        if shown is None:
            return None
        latest = max(shown[0], shown[1] - max(min(room_s, 1.0), 1 / self.fps))
        return self.frame(shot_id, min(max(t_s, shown[0]), latest))

    def line_frame(self, shot_id: str, t_s: float) -> int | None:
        """Where a moment tied to a line is heard: on the line's own timing (a J cut may lead the shot's picture)."""
        origin = self.origins.get(shot_id)
        return None if origin is None else min(max(0, origin + round(t_s * self.fps)), self.frames - 1)

    def frame(self, shot_id: str, t_s: float) -> int | None:
        """The record frame where `t_s` seconds into the shot plays; None when the cut leaves that moment out."""
        for start, clip in self.pieces.get(shot_id, []):
            offset = round((t_s * self.fps - clip.source_start_frame) / clip.speed)
            if 0 <= offset < clip.frames:
                return start + offset
        return None


def place_effects(plan: Plan, cut: Cut, finder: SoundFinder, sfx_db: float, foley_db: float) -> list[SoundCue]:
    """Every effect and footstep of the film as cues on the SFX and Foley tracks."""
    timeline = _Timeline(cut)
    cues: list[SoundCue] = []
    found = _found_in_lines(plan, finder)
    for scene in plan.scenes:
        if not scene.shots:
            continue
        first = scene.shots[0]
        for sound in finder.find_in_heading(scene.heading):
            cues += _effect(
                sound,
                scene,
                first,
                0.0,
                timeline.frame_within(first.id, 0.0, BY_NAME[sound.category].duration_s),
                timeline,
                sfx_db,
                "heading",
            )
        for shot in scene.shots:
            for sound in found.get(shot.action, []):
                t = moment_in_shot(shot.duration_s, sound.position)
                cues += _effect(
                    sound,
                    scene,
                    shot,
                    t,
                    timeline.frame_within(shot.id, t, BY_NAME[sound.category].duration_s),
                    timeline,
                    sfx_db,
                    "action",
                )
            for line in shot.dialogue:
                for sound in found.get(line.parenthetical or "", []):
                    at = timeline.line_frame(shot.id, line.start_s)
                    cues += _effect(sound, scene, shot, line.start_s, at, timeline, sfx_db, "parenthetical")
            cues += _footsteps(scene, shot, plan.cast, timeline, foley_db)
    return cues


def _found_in_lines(plan: Plan, finder: SoundFinder) -> dict[str, list[NamedSound]]:
    """The sounds of every action line and parenthetical of the film, by text, found in one batch (the finder asks
    the embedding model once for the whole film)."""
    texts = [shot.action for scene in plan.scenes for shot in scene.shots if shot.action]
    texts += [
        line.parenthetical
        for scene in plan.scenes
        for shot in scene.shots
        for line in shot.dialogue
        if line.parenthetical
    ]
    unique = list(dict.fromkeys(texts))
    return dict(zip(unique, finder.find_all(unique), strict=True))


def _effect(
    sound: NamedSound,
    scene: SceneBlock,
    shot: Shot,
    t_s: float,
    first: int | None,
    timeline: _Timeline,
    sfx_db: float,
    where: str,
) -> list[SoundCue]:
    """The cues of one named sound: its first at record frame `first` (`t_s` into the shot), then its repeats."""
    category = BY_NAME[sound.category]
    distance = distance_of(shot.camera)
    cues = []
    if first is None:
        return []
    for n in range(sound.count):
        # A repeat may ring on past the cut into the next shot, as sound does; not past the film's end.
        frame = first + round(n * (category.duration_s + REPEAT_GAP_S) * timeline.fps)
        if frame >= timeline.frames:
            break
        cues.append(
            SoundCue(
                id=f"sfx-{shot.id}-{sound.category}-{round(t_s * 1000)}-{n + 1}",
                kind=CueKind.SFX,
                start_s=frame / timeline.fps,
                duration_s=category.duration_s,
                description=sound.category,
                gain_db=round(sfx_db + DISTANCE_DB * distance, 2),
                scene_index=scene.index,
                shot_id=shot.id,
                category=sound.category,
                reason=f'{where}: "{sound.words}"'
                + (f" ({n + 1} of {sound.count})" if sound.count > 1 else "")
                + (f"; {sound.why}" if sound.why else ""),
                distance=distance,
            )
        )
    return cues


CLOTH_DB = -8.0  # a rustle sits under the footsteps it comes with
RISE_DB = -4.0  # rising from a seat is quieter than landing on it
HANDLE_DB = -2.0  # a hand on a prop, a little under a footstep


def _footsteps(
    scene: SceneBlock, shot: Shot, cast: dict[str, CastMember], timeline: _Timeline, foley_db: float
) -> list[SoundCue]:
    surface = surface_of(scene)
    cues = []
    for i, contact in enumerate(foot_contacts(shot, scene, cast), start=1):
        cue = _foley_cue(
            shot,
            scene,
            timeline,
            contact.t_s,
            foley_db,
            id=f"foley-{shot.id}-{i}",
            category=f"footstep-{surface}",
            description=f"{contact.character} footstep on {surface}",
            character=contact.character,
            reason=f"renderer: {contact.character}'s {contact.foot} foot contact at {contact.t_s:.3f} s into {shot.id}",
        )
        cues += [cue] if cue else []
    for event in body_events(shot, scene, cast):
        category, level_db, why = _body_sound(event, scene)
        cue = _foley_cue(
            shot,
            scene,
            timeline,
            event.t_s,
            foley_db + level_db,
            # The character is part of the id (and so of the sound's seed): two people sitting at once are two sounds.
            id=f"foley-{shot.id}-{event.character.replace(' ', '_')}-"
            f"{'cloth' if category == 'cloth' else event.kind}-{round(event.t_s * 1000)}",
            category=category,
            description=f"{category}: {event.description}",
            character=event.character,
            reason=f"renderer: {event.description} ({why}) at {event.t_s:.3f} s into {shot.id}",
        )
        cues += [cue] if cue else []
    return cues


def _body_sound(event: BodyEvent, scene: SceneBlock) -> tuple[str, float, str]:
    """The foley of a body event: its category, its level against a footstep's, and what the renderer drew."""
    if event.kind == "sits":
        return f"seat-{seat_material(event.target, scene)}", 0.0, "seat contact"
    if event.kind == "stands":
        return f"rise-{seat_material(event.target, scene)}", RISE_DB, "the weight leaves the seat"
    if event.kind == "handles":
        return f"handle-{prop_material(event.target)}", HANDLE_DB, "hand contact with the prop"
    return "cloth", CLOTH_DB, f"limbs {'start' if event.kind == 'sets-off' else 'stop'} swinging"


def _foley_cue(
    shot: Shot, scene: SceneBlock, timeline: _Timeline, t_s: float, gain_db: float, **fields: str
) -> SoundCue | None:
    """One foley cue at `t_s` into the shot, on the frame the cut shows it; None when the cut leaves it out."""
    frame = timeline.frame(shot.id, t_s)
    if frame is None:
        return None
    distance = distance_of(shot.camera)
    return SoundCue(
        kind=CueKind.FOLEY,
        start_s=frame / timeline.fps,
        duration_s=0.35,
        gain_db=round(gain_db + DISTANCE_DB * distance, 2),
        scene_index=scene.index,
        shot_id=shot.id,
        distance=distance,
        **fields,
    )
