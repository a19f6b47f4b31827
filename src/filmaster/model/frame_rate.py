"""Frame rates as editors know them: the whole rates and the NTSC ones (24000/1001, 30000/1001, 60000/1001).

A rate is kept as a plain number so that `frames / fps` gives seconds everywhere: a whole rate is an `int`
(24, 25…) and an NTSC rate the float nearest its exact fraction (24000/1001 = 23.976023…), which survives a JSON
round trip unchanged. `exact()` gives the `Fraction` for encoders and rational time formats; `timebase()` the
whole number of frames a timecode second counts (24 for 23.976); `drop_frame()` whether timecode drops frame
numbers (29.97 and 59.94, as broadcast does).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated

from pydantic import BeforeValidator

NTSC = 1001
SUPPORTED: dict[str, Fraction] = {
    "23.976": Fraction(24000, NTSC),
    "24": Fraction(24),
    "25": Fraction(25),
    "29.97": Fraction(30000, NTSC),
    "30": Fraction(30),
    "50": Fraction(50),
    "59.94": Fraction(60000, NTSC),
    "60": Fraction(60),
}


def parse(value: object) -> int | float:
    """A supported rate from 24, 23.976, "29.97", "30000/1001" or 23.976023976…; ValueError naming the choices."""
    rate = parse_any(value)
    if exact(rate) not in SUPPORTED.values():
        raise ValueError(f"{rate:g} fps is not supported; use one of {', '.join(SUPPORTED)}")
    return rate


def parse_any(value: object) -> int | float:
    """Any positive rate up to 240 (renders and footage may use others), NTSC spellings made exact."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a frame rate")
    try:
        if isinstance(value, str) and "/" in value:
            numerator, denominator = value.split("/")
            wanted = Fraction(int(numerator), int(denominator))
        elif isinstance(value, int | float | str | Fraction):
            wanted = Fraction(str(value).strip()) if isinstance(value, str) else Fraction(value)
        else:
            raise TypeError
    except (ValueError, TypeError, ZeroDivisionError):
        raise ValueError(f"{value!r} is not a frame rate; use one of {', '.join(SUPPORTED)}") from None
    for rate in SUPPORTED.values():
        # 23.976, 23.98 and 24000/1001 all name the NTSC film rate: match within a hundredth of a frame.
        if abs(wanted - rate) < Fraction(1, 100):
            return int(rate) if rate.denominator == 1 else float(rate)
    if not 0 < wanted <= 240:
        raise ValueError(f"{float(wanted):g} fps is not a frame rate; use one of {', '.join(SUPPORTED)}")
    return int(wanted) if wanted.denominator == 1 else float(wanted)


def exact(fps: float) -> Fraction:
    """The exact rate: Fraction(24000, 1001) for 23.976."""
    return Fraction(fps).limit_denominator(NTSC)


def timebase(fps: float) -> int:
    """Frames a timecode second counts: 24 for 23.976, 30 for 29.97."""
    return round(fps)


def is_ntsc(fps: float) -> bool:
    return exact(fps).denominator == NTSC


def drop_frame(fps: float) -> bool:
    """Whether timecode at this rate drops frame numbers (29.97 and 59.94; 23.976 never does)."""
    return is_ntsc(fps) and timebase(fps) % 30 == 0


def label(fps: float) -> str:
    """'23.976', '24', '29.97'…: the name editors use."""
    rate = exact(fps)
    return next((name for name, value in SUPPORTED.items() if value == rate), f"{float(rate):g}")


def frame_duration(fps: float) -> Fraction:
    """Seconds per frame, exactly: 1001/24000 at 23.976."""
    return 1 / exact(fps)


# Pydantic field types storing the plain number: any rate an artifact may carry (a render at 12 fps, footage),
# and the rates editors take, which the configuration asks for.
FrameRate = Annotated[int | float, BeforeValidator(parse_any)]
EditorFrameRate = Annotated[int | float, BeforeValidator(parse)]


def time_base(fps: float) -> Fraction:
    """The MP4 track's tick: 1/(512·fps) at a whole rate (x264's own choice), 1/24000 at 23.976 (1001 a frame)."""
    rate = exact(fps)
    return Fraction(1, rate.numerator * 512) if rate.denominator == 1 else Fraction(1, rate.numerator)
