"""Learn camera language from a user's own footage: cuts, camera movement, shot scale, look and scenes.

`annotate_video` turns one video into corpus entries (one per scene); `annotate_many` runs it over several
files and keeps going past a bad one.
"""

from .annotate import AnnotatedShot, AnnotatedVideo, annotate_many, annotate_video

__all__ = ["AnnotatedShot", "AnnotatedVideo", "annotate_many", "annotate_video"]
