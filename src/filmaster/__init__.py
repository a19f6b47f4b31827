"""filmaster: a screenplay in, an edited short film and an editable multi-track timeline out."""

__version__ = "0.1.0"
