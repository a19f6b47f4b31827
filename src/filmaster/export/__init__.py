"""Deliverables: the multi-track OTIO timeline (and FCPXML/FCP XML/EDL), the film MP4, shot list, storyboard."""

from .film import FilmInfo, assemble_film
from .otio_timeline import build_timeline, export_interchange, write_timeline
from .shotlist import write_shotlist
from .storyboard import StoryboardLayout, frames_from_clip, storyboard_frames, write_storyboard
from .timecode import timecode

__all__ = [
    "FilmInfo",
    "StoryboardLayout",
    "assemble_film",
    "build_timeline",
    "export_interchange",
    "frames_from_clip",
    "storyboard_frames",
    "timecode",
    "write_shotlist",
    "write_storyboard",
    "write_timeline",
]
