"""Shot scale from the size of the people in frame: Haar frontal faces first, then HOG full-body people.

Heuristic (documented because it is one):
- A face box's height is turned into the figure height it implies (the box covers ~0.8 of a head; an adult is
  ~7.5 heads tall), and the shot gets the scale whose frame-height / figure-height ratio in
  `SCALE_FRAME_FIGURE_RATIO` (the bands previz frames with) is nearest on a log scale. The resulting face-box /
  frame-height boundaries are printed by `scale_boundaries()`: ECU > 0.75 > CU > 0.35 > MCU > 0.23 > MS > 0.16
  > MWS > 0.10 > WS > 0.04 > EWS.
- No face, but a HOG person (a whole upright body, which HOG needs): the person (~0.8 of the detection box) is
  placed the same way, which yields WS, MWS or EWS.
- Nobody detected: WS, the neutral guess. We do not try to tell EWS from WS by landscape cues.
A detection counts only if it recurs in at least a third of the shot's sampled frames, which removes most
single-frame false positives of both detectors.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np

from ...errors import MissingDependencyError
from ...model.camera import SCALE_FRAME_FIGURE_RATIO, ShotScale

HEADS_PER_FIGURE = 7.5
FACE_BOX_PER_HEAD = 0.8  # Haar frontal-face box height / head height (brow-to-chin of a crown-to-chin head)
PERSON_PER_HOG_BOX = 0.8  # HOG's 64x128 window holds a ~100 px person with margins
MIN_RECURRENCE = 1 / 3
FACE_MIN_PX = 24  # the cascade's own window
FACE_MIN_FRACTION = 0.09  # smaller faces would read as WS anyway (see boundaries); skipping them halves the cost


@dataclass(frozen=True)
class FrameSubjects:
    """What the detectors saw in one sampled frame; sizes are fractions of the frame height."""

    faces: tuple[float, ...]
    people: tuple[float, ...]
    # Where the people are, (x, y, w, h) in pixels: a face grown to the head and body below it, or a person
    # box. Camera-motion estimation ignores these regions, since a moving actor is not a moving camera.
    regions: tuple[tuple[int, int, int, int], ...] = ()


def _detectors() -> tuple[cv2.CascadeClassifier, cv2.HOGDescriptor]:
    if not hasattr(cv2, "CascadeClassifier") or not hasattr(cv2, "HOGDescriptor"):
        # OpenCV 5 moved Haar cascades and HOG out of the main wheel.
        raise MissingDependencyError(
            "opencv-python-headless<5", "shot-scale detection", "pip install 'opencv-python-headless>=4.8,<5'"
        )
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    if cascade.empty():
        raise MissingDependencyError(
            "opencv-python-headless<5", "shot-scale detection (Haar face cascade)",
            "pip install --force-reinstall 'opencv-python-headless>=4.8,<5'",
        )  # fmt: skip
    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
    return cascade, hog


class SubjectDetector:
    def __init__(self) -> None:
        self._faces, self._hog = _detectors()

    def detect(self, bgr: np.ndarray) -> FrameSubjects:
        h = bgr.shape[0]
        grey = cv2.equalizeHist(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
        least = max(FACE_MIN_PX, round(FACE_MIN_FRACTION * h))
        faces = self._faces.detectMultiScale(grey, scaleFactor=1.15, minNeighbors=5, minSize=(least, least))
        regions = [_body_of_face(int(x), int(y), int(fw), int(fh)) for x, y, fw, fh in faces]
        people: list[float] = []
        if len(faces) == 0 and h >= 128:  # HOG's window is 128 px tall; only look when no face answers
            boxes, weights = self._hog.detectMultiScale(grey, winStride=(8, 8), padding=(0, 0), scale=1.1)
            for box, weight in zip(boxes, np.ravel(weights), strict=True):
                if weight > 0.5:
                    people.append(float(box[3]) / h)
                    x, y, w, h = (int(v) for v in box)
                    regions.append((x, y, w, h))
        return FrameSubjects(tuple(float(f[3]) / h for f in faces), tuple(people), tuple(regions))


def _body_of_face(x: int, y: int, w: int, h: int) -> tuple[int, int, int, int]:
    """The region a person occupies given their face box: the head around it, shoulders and body below."""
    return x - w, y - h, 3 * w, 11 * h


def _scale_for_figure(frame_per_figure: float) -> ShotScale:
    return min(
        SCALE_FRAME_FIGURE_RATIO,
        key=lambda s: abs(np.log(SCALE_FRAME_FIGURE_RATIO[s]) - np.log(frame_per_figure)),
    )


def scale_from_face(face_fraction: float) -> ShotScale:
    head = face_fraction / FACE_BOX_PER_HEAD
    return _scale_for_figure(1.0 / (head * HEADS_PER_FIGURE))


def scale_from_person(person_box_fraction: float) -> ShotScale:
    return _scale_for_figure(1.0 / (person_box_fraction * PERSON_PER_HOG_BOX))


def scale_boundaries() -> dict[str, float]:
    """Face-box / frame-height values at which the face rule switches scale (for docs and tests)."""
    order = sorted(SCALE_FRAME_FIGURE_RATIO, key=SCALE_FRAME_FIGURE_RATIO.__getitem__)
    out = {}
    for closer, wider in itertools.pairwise(order):
        ratio = float(np.sqrt(SCALE_FRAME_FIGURE_RATIO[closer] * SCALE_FRAME_FIGURE_RATIO[wider]))
        out[f"{wider.value}/{closer.value}"] = FACE_BOX_PER_HEAD / (ratio * HEADS_PER_FIGURE)
    return out


@dataclass(frozen=True)
class ShotFraming:
    scale: ShotScale
    subjects: int  # how many people the detectors agree on (0 when nobody was found)
    basis: str  # "face", "person" or "none": what the scale was read from
    size: float  # the median face or person-box height used, fraction of frame height (0 for none)


def classify_framing(samples: list[FrameSubjects]) -> ShotFraming:
    """Scale of a shot from its sampled frames (see the module docstring for the rule)."""
    need = max(1, int(np.ceil(len(samples) * MIN_RECURRENCE)))
    with_face = [s for s in samples if s.faces]
    if len(with_face) >= need:
        size = float(np.median([max(s.faces) for s in with_face]))
        count = int(np.median([len(s.faces) for s in with_face]))
        return ShotFraming(scale_from_face(size), count, "face", size)
    with_person = [s for s in samples if s.people]
    if len(with_person) >= need:
        size = float(np.median([max(s.people) for s in with_person]))
        count = int(np.median([len(s.people) for s in with_person]))
        return ShotFraming(scale_from_person(size), count, "person", size)
    return ShotFraming(ShotScale.WS, 0, "none", 0.0)
