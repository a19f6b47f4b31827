"""Shared fixtures: paths of the bundled examples, and a guard that fails tests which log an ERROR."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from filmaster.backends.embed.minilm import MiniLMEmbeddingBackend
from filmaster.retrieval.corpus import load_corpus
from filmaster.retrieval.index import CorpusIndex

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SMALL_CORPUS = ROOT / "tests" / "retrieval" / "small_corpus.json"


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbeddingBackend:
    """The real local MiniLM embedder, loaded once for the whole run (its model loads on first use)."""
    return MiniLMEmbeddingBackend()


@pytest.fixture(scope="session")
def index(embedder: MiniLMEmbeddingBackend) -> CorpusIndex:
    """A faiss index of the 8-entry hand-written test corpus, built once."""
    return CorpusIndex.build(load_corpus(SMALL_CORPUS), embedder)


@pytest.fixture(scope="session")
def smollm2() -> Iterator[str]:
    """The base URL of one real SmolLM2 behind llama_cpp.server for the whole run, shared by every test that asks a
    real local model (each starting its own paid the model's load again); skips when it is not installed."""
    from local_llm import llama_server

    with llama_server() as base_url:
        yield base_url


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.fixture(autouse=True)
def _no_logged_errors(caplog: pytest.LogCaptureFixture):
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    if errors:
        pytest.fail("logged errors: " + "; ".join(r.getMessage() for r in errors))


# Corpora and indexes a test builds go to a private folder, never the user's ~/.local/share/filmaster; the folder
# is removed when the run ends (it holds tens of MB of caches).
if "FILMASTER_HOME" not in os.environ:
    _home = tempfile.mkdtemp(prefix="filmaster-home-")
    os.environ["FILMASTER_HOME"] = _home
    atexit.register(shutil.rmtree, _home, ignore_errors=True)
