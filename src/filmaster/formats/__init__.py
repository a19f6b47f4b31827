"""Readers for screenplay formats (Fountain) producing the `Screenplay` artifact."""

from .fountain import parse_fountain, read_screenplay

__all__ = ["parse_fountain", "read_screenplay"]
