"""Screenplay formats (Fountain, Final Draft) read into and written from the `Screenplay` artifact."""

from .fdx import parse_fdx, read_fdx, write_fdx
from .fountain import parse_fountain, read_screenplay
from .fountain_writer import write_fountain

__all__ = ["parse_fdx", "parse_fountain", "read_fdx", "read_screenplay", "write_fdx", "write_fountain"]
