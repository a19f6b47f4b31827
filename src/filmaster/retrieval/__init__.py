"""Cinematography corpus: building, annotating footage, retrieval."""
