"""SMPTE timecode through OpenTimelineIO's own functions: one place for the shot list, the EDLs, FCP 7 XML and the
start timecode. Drop-frame (`HH:MM:SS;FF`) at 29.97 and 59.94, as broadcast does; non-drop at every other rate.
"""

from __future__ import annotations

import opentimelineio as otio

from ..errors import ExportError
from ..model import frame_rate


def timecode(frame: int, fps: float) -> str:
    """The timecode of frame number `frame` (counted from 00:00:00:00) at `fps`."""
    rate = float(fps)
    return otio.opentime.to_timecode(otio.opentime.RationalTime(frame, rate), rate, frame_rate.drop_frame(fps))


def frame_of(text: str, fps: float) -> int:
    """The frame number of a timecode at `fps`; at a drop-frame rate '01:00:00:00' means 01:00:00;00."""
    rate = float(fps)
    head, _, frames = text.replace(";", ":").rpartition(":")
    normalised = f"{head}{';' if frame_rate.drop_frame(fps) else ':'}{frames}"
    try:
        return round(otio.opentime.from_timecode(normalised, rate).value)
    except ValueError as exc:
        raise ExportError(f"timecode '{text}' is not HH:MM:SS:FF at {frame_rate.label(fps)} fps ({exc})") from None
