"""Offline 3D previz: parametric sets, cast figures and a cinematographer's camera, rendered headless."""

from .shoot import ShotSession, Timings, character_boxes, render_still, shoot_shot

__all__ = ["ShotSession", "Timings", "character_boxes", "render_still", "shoot_shot"]
