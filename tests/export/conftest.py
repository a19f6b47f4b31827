"""A tiny real project: four H.264 takes, real WAV cues, a mix, and a hand-built plan, cut and sound plan.

Every take's left half is a solid colour (which take), its right half a grey level that encodes the frame's
index within the take (which frame), so order, trims and speed changes can be read back from pixels.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest

from filmaster.model import (
    Angle,
    CameraSpec,
    CueKind,
    Cut,
    CutClip,
    Movement,
    Plan,
    SceneBlock,
    SetKind,
    Shot,
    ShotDialogue,
    ShotKind,
    ShotScale,
    SoundCue,
    SoundPlan,
    TimeOfDay,
)

FPS = 24
WIDTH, HEIGHT = 64, 36
TAKE_FRAMES = 12
RATE = 48000

COLOURS: dict[str, tuple[int, int, int]] = {
    "S01-01": (220, 30, 30),
    "S01-02": (30, 200, 30),
    "S02-01": (30, 30, 220),
    "S02-02": (220, 200, 30),
}
# S02-02 is rendered at another size: the film must scale it.
SIZES = {"S02-02": (128, 72)}


def grey(index: int) -> int:
    """Grey level of the right half of a take's frame `index`."""
    return 10 + 20 * index


def write_take(path: Path, colour: tuple[int, int, int], size: tuple[int, int], frames: int = TAKE_FRAMES) -> None:
    width, height = size
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS, options={"crf": "4", "preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(frames):
            image = np.empty((height, width, 3), np.uint8)
            image[:, : width // 2] = colour
            image[:, width // 2 :] = grey(i)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def write_wav(path: Path, seconds: float, freq: float, amplitude: float = 0.3) -> None:
    n = round(seconds * RATE)
    t = np.arange(n) / RATE
    tone = (amplitude * 32767 * np.sin(2 * np.pi * freq * t)).astype(np.int16)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(np.stack([tone, tone], axis=1).tobytes())


def _shot(shot_id: str, scene: int, number: int, scale: ShotScale, **kwargs: object) -> Shot:
    camera = CameraSpec(
        scale=scale,
        angle=kwargs.pop("angle", Angle.EYE_LEVEL),
        movement=kwargs.pop("movement", Movement.STATIC),
        subjects=kwargs.pop("subjects", ["MARA"]),
    )
    return Shot(
        id=shot_id,
        scene_index=scene,
        number=number,
        kind=kwargs.pop("kind", ShotKind.SINGLE),
        prompt=f"prompt of {shot_id}, a room with a window",
        action=kwargs.pop("action", f"Mara looks out of the window in shot {shot_id} at dusk"),
        duration_s=kwargs.pop("duration_s", 0.5),
        camera=camera,
        dialogue=kwargs.pop("dialogue", []),
    )


@dataclass(frozen=True)
class Project:
    out_dir: Path
    plan: Plan
    cut: Cut
    sound: SoundPlan
    mix: Path


def make_plan() -> Plan:
    line = ShotDialogue(character="MARA", text="Is anyone | there?", start_s=0.1, duration_s=0.4)
    scene1 = SceneBlock(
        index=0,
        heading="INT. KITCHEN - NIGHT",
        setting="INT",
        interior=True,
        location="KITCHEN",
        set_kind=SetKind.KITCHEN,
        time_of_day=TimeOfDay.NIGHT,
        characters=["MARA"],
        objective="Mara hears a noise",
        shots=[
            _shot("S01-01", 0, 1, ShotScale.WS, kind=ShotKind.ESTABLISHING, dialogue=[line]),
            _shot("S01-02", 0, 2, ShotScale.CU, angle=Angle.LOW, movement=Movement.DOLLY_IN),
            _shot("S01-03", 0, 3, ShotScale.ECU, kind=ShotKind.INSERT, subjects=["cup"]),  # dropped by the cut
        ],
    )
    scene2 = SceneBlock(
        index=1,
        heading="EXT. STREET - NIGHT",
        setting="EXT",
        interior=False,
        location="STREET",
        set_kind=SetKind.STREET,
        time_of_day=TimeOfDay.NIGHT,
        characters=["MARA", "JONAS"],
        objective="Jonas waits",
        shots=[
            _shot("S02-01", 1, 1, ShotScale.MS, movement=Movement.PAN),
            _shot("S02-02", 1, 2, ShotScale.MCU, angle=Angle.HIGH, subjects=["JONAS"]),
        ],
    )
    return Plan(title="Night Noise", scenes=[scene1, scene2])


def make_cut() -> Cut:
    clips = [
        CutClip(shot_id="S01-01", scene_index=0, media="media/shots/S01-01.mp4", frames=12),
        CutClip(shot_id="S01-02", scene_index=0, media="media/shots/S01-02.mp4", frames=6, source_start_frame=4),
        CutClip(shot_id="S02-01", scene_index=1, media="media/shots/S02-01.mp4", frames=6, speed=2.0),
        CutClip(shot_id="S02-02", scene_index=1, media="media/shots/S02-02.mp4", frames=12),
    ]
    return Cut(title="Night Noise", fps=FPS, width=WIDTH, height=HEIGHT, clips=clips, locked=True)


# (id, kind, start_s, duration_s, file seconds, tone Hz)
CUES = (
    ("dlg-S01-01-1", CueKind.DIALOGUE, 0.1, 0.4, 0.4, 440.0),
    ("dlg-S01-02-1", CueKind.DIALOGUE, 0.4, 0.3, 0.3, 550.0),  # overlaps the first line: "Dialogue 2"
    ("music-S01", CueKind.MUSIC, 0.0, 1.0, 1.0, 220.0),
    ("music-S02", CueKind.MUSIC, 0.9, 1.0, 1.0, 330.0),  # crossfade, and runs past the picture's end
    ("amb-S01", CueKind.AMBIENCE, 0.0, 0.75, 0.75, 110.0),
    ("amb-S02", CueKind.AMBIENCE, 0.75, 0.75, 0.5, 120.0),  # its file is shorter than planned
)


def make_sound() -> SoundPlan:
    cues = [
        SoundCue(
            id=cue_id,
            kind=kind,
            start_s=start,
            duration_s=duration,
            media=f"media/audio/{cue_id}.wav",
            description=f"{kind.value} cue",
            character="MARA" if kind == CueKind.DIALOGUE else None,
            text="Is anyone there?" if kind == CueKind.DIALOGUE else None,
            gain_db=-3.0,
        )
        for cue_id, kind, start, duration, _, _ in CUES
    ]
    return SoundPlan(cues=cues)


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    out_dir = tmp_path_factory.mktemp("out")
    for shot_id, colour in COLOURS.items():
        write_take(out_dir / f"media/shots/{shot_id}.mp4", colour, SIZES.get(shot_id, (WIDTH, HEIGHT)))
    for cue_id, _, _, _, seconds, freq in CUES:
        write_wav(out_dir / f"media/audio/{cue_id}.wav", seconds, freq)
    mix = out_dir / "media/audio/mix.wav"
    write_wav(mix, 1.2, 440.0)  # shorter than the 1.5 s picture: the film pads it with silence
    return Project(out_dir, make_plan(), make_cut(), make_sound(), mix)


@pytest.fixture(scope="session")
def ferry_draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example made by the command line as a user would (`make --draft`): its output folder, read
    only by the tests that share it (the Kdenlive render, the timelines' sound)."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("ferry") / "out"
    source = Path(__file__).resolve().parents[2] / "examples" / "the_last_ferry.fountain"
    command = [sys.executable, "-m", "filmaster", "make", str(source), "-o", str(out), "--draft"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr
    return out
