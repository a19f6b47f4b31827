"""CPU sessions from a saved optimised graph: one graph kept per model name."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from filmaster.backends.embed.minilm import default_model_path
from filmaster.backends.onnx_session import cpu_session
from filmaster.home import filmaster_home


def _embed(session) -> np.ndarray:
    ids = np.array([[101, 7592, 2088, 102]], dtype=np.int64)
    feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    if "token_type_ids" in {i.name for i in session.get_inputs()}:
        feed["token_type_ids"] = np.zeros_like(ids)
    return session.run(None, feed)[0]


def test_a_graph_saved_for_another_copy_of_the_model_is_replaced_not_kept(tmp_path: Path) -> None:
    saved = filmaster_home() / "onnx"
    unrelated = saved / "voice-0123456789abcdef.onnx"
    saved.mkdir(parents=True, exist_ok=True)
    unrelated.write_bytes(b"another model's graph")
    first, second = tmp_path / "a" / "encoder.onnx", tmp_path / "b" / "encoder.onnx"
    for copy in (first, second):
        copy.parent.mkdir()
        shutil.copy(default_model_path(), copy)

    reference = _embed(cpu_session(first))
    graphs = list(saved.glob("encoder-*.onnx"))
    assert len(graphs) == 1
    np.testing.assert_allclose(_embed(cpu_session(first)), reference, atol=1e-5)  # read back from the saved graph

    np.testing.assert_allclose(_embed(cpu_session(second)), reference, atol=1e-5)
    now = list(saved.glob("encoder-*.onnx"))
    assert len(now) == 1 and now != graphs  # the first copy's graph gave way to the second's
    assert unrelated.is_file()


def test_a_quantized_model_saved_unfolded_keeps_its_int8_weights_and_its_output(tmp_path: Path) -> None:
    model = tmp_path / "quantized.onnx"
    shutil.copy(default_model_path(), model)
    folded = _embed(cpu_session(model))
    unfolded = _embed(cpu_session(model, fold_constants=False))
    np.testing.assert_allclose(_embed(cpu_session(model, fold_constants=False)), unfolded)  # from the saved graph
    np.testing.assert_allclose(unfolded, folded, atol=1e-5)
    (graph,) = (filmaster_home() / "onnx").glob("quantized-*.onnx")  # the folded graph gave way to this one
    assert graph.stat().st_size < 1.2 * model.stat().st_size  # folded, the int8 weights were stored as float32


def test_sessions_do_not_busy_wait_however_they_are_loaded(tmp_path: Path) -> None:
    """Render workers keep every core busy while the voice and the embedder run: a session's threads must sleep
    between operators, whether it was just optimised or read back from the saved graph."""
    model = tmp_path / "idle.onnx"
    shutil.copy(default_model_path(), model)
    for _ in range(2):  # made and saved, then read from the saved graph
        options = cpu_session(model, fold_constants=False).get_session_options()
        for pool in ("intra", "inter"):
            assert options.get_session_config_entry(f"session.{pool}_op.allow_spinning") == "0"
