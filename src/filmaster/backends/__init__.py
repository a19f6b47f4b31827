"""Swappable backends per kind of work: video/, speech/, music/."""

from .registry import Backend, available_backends, create_backend

__all__ = ["Backend", "available_backends", "create_backend"]
