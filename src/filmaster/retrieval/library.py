"""Where corpora and their indexes live: the built-in corpus plus the user's own, one index over both.

The user's corpus (footage they taught filmaster with `filmaster corpus add`) is a `Corpus.1` JSON file, by default
`$FILMASTER_HOME/corpus.json` (FILMASTER_HOME defaults to ~/.local/share/filmaster). Its index sits beside it
(`corpus.faiss`, `corpus.index.json`). With no user corpus, the built-in corpus is indexed under
`$FILMASTER_HOME/index/builtin-<version>` — the package folder may be read-only.
"""

from __future__ import annotations

from pathlib import Path

from ..backends.embed.base import EmbeddingBackend
from ..home import filmaster_home
from ..model import Corpus
from .corpus import load_builtin_corpus, load_corpus, merge
from .index import CorpusIndex, open_index


def default_user_corpus() -> Path:
    return filmaster_home() / "corpus.json"


def library(user_corpus: Path | None) -> Corpus:
    """The built-in corpus with the user's entries merged in (when the user corpus exists)."""
    builtin = load_builtin_corpus()
    if user_corpus is None or not user_corpus.is_file():
        return builtin
    return merge(builtin, load_corpus(user_corpus).entries)


def index_base(user_corpus: Path | None) -> Path:
    if user_corpus is not None and user_corpus.is_file():
        return user_corpus.with_suffix("")
    return filmaster_home() / "index" / f"builtin-{load_builtin_corpus().version}"


def open_library_index(user_corpus: Path | None, embedder: EmbeddingBackend) -> tuple[CorpusIndex, int]:
    """The up-to-date index over the built-in and the user's corpus; embeds only what is new."""
    return open_index(library(user_corpus), embedder, index_base(user_corpus))
