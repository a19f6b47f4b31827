"""onnxruntime CPU sessions that start fast: each model's optimised graph is kept once per machine.

Optimising a graph is most of what loading a model costs (0.6 s of 0.8 s for the Piper voice), and it is the same
work every run. The first load saves the optimised graph under `$FILMASTER_HOME/onnx/`; later loads read it with
optimisation off. Only the portable ("extended") optimisations are saved, never layout changes tuned to this CPU,
so a copied home folder still works on another machine.
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

from ..atomic import atomic_path
from ..errors import FilmasterError
from ..home import filmaster_home
from ..project import content_key


def session_options(level: Any, threads: int = 0) -> Any:
    """onnxruntime session options at graph optimisation `level`, `threads` per operator (0: onnxruntime's)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.graph_optimization_level = level
    if threads:
        opts.intra_op_num_threads, opts.inter_op_num_threads = threads, 1
    # No busy-waiting between operators: the models run while render workers keep every core busy, and a
    # spinning thread takes its core from them. Six Piper lines beside a busy core: 3.4 CPU-s spinning,
    # 2.1 without, and sooner done (2.7 s -> 2.1 s).
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return opts


def saved_graph_path(model: Path, *, fold_constants: bool = True) -> Path:
    """Where `cpu_session` keeps `model`'s optimised graph (it exists once a session has been made)."""
    import onnxruntime as ort

    stat = model.stat()
    key = content_key(
        "onnx",
        ort.__version__,
        str(model.resolve()),
        stat.st_size,
        stat.st_mtime_ns,
        platform.machine(),
        fold_constants,
    )
    return filmaster_home() / "onnx" / f"{model.stem}-{key[:16]}.onnx"


def cpu_session(model: Path, threads: int = 0, *, fold_constants: bool = True) -> Any:
    """An `onnxruntime.InferenceSession` for `model` on the CPU; `threads` per operator (0: onnxruntime's choice).

    `fold_constants=False` is for a quantized model: folding turns each int8 weight and its dequantisation into a
    float32 constant, which made the MiniLM graph four times larger (23 -> 90 MB) and three times slower to load
    (0.28 s against 0.09 s), more than the folding saves on the few queries of a run.
    """
    import onnxruntime as ort

    def options(level: Any) -> Any:
        return session_options(level, threads)

    providers = ["CPUExecutionProvider"]
    optimized = saved_graph_path(model, fold_constants=fold_constants)
    levels = ort.GraphOptimizationLevel
    if optimized.is_file():
        try:
            return ort.InferenceSession(str(optimized), options(levels.ORT_DISABLE_ALL), providers=providers)
        except Exception:  # a damaged saved graph: make it again from the model
            optimized.unlink(missing_ok=True)
    opts = options(levels.ORT_ENABLE_EXTENDED)
    unfolded = {} if fold_constants else {"disabled_optimizers": ["ConstantFolding"]}
    try:
        with atomic_path(optimized) as tmp:
            opts.optimized_model_filepath = str(tmp)
            session = ort.InferenceSession(str(model), opts, providers=providers, **unfolded)
            if not tmp.stat().st_size:
                raise OSError("onnxruntime wrote no optimised graph")
    except (OSError, FilmasterError):  # an unwritable home folder only costs the fast start
        return ort.InferenceSession(str(model), options(levels.ORT_ENABLE_EXTENDED), providers=providers, **unfolded)
    # One graph per model name: one saved for another copy or version of the model (another virtual environment,
    # an upgrade) is removed rather than left to pile up (each is tens of MB).
    for stale in optimized.parent.glob(f"{model.stem}-*.onnx"):
        # Same length: "<stem>-<16 hex>", not the graph of a model whose own name merely starts with this stem.
        if stale != optimized and len(stale.stem) == len(optimized.stem):
            stale.unlink(missing_ok=True)
    return session
