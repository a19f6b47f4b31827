"""One kept Piper session that speaks every line exactly as a fresh session seeded for that line would.

A Piper voice draws random numbers in two onnxruntime `RandomNormalLike` nodes (the stochastic duration
predictor's noise and the latent noise before the decoder). onnxruntime seeds each such node once, when a session
is made, with the process-wide seed plus the node's index in the graph, and each run advances it. So that a line
depends on its words only, the backend made a fresh session per line, seeded from the line: 0.05-0.1 CPU-s each,
as much as a short line's synthesis.

Here the voice's saved optimised graph (`onnx_session.cpu_session`) is rewritten once per machine so that each
random node becomes an input, sliced to the shape the node would have drawn. Per line, a one-node graph per random
node is made with the seed that node would have had (well under a millisecond), draws the numbers, and the one kept
session runs with them: the same samples, byte for byte, without loading the voice again. A node draws its values
one after another, so the first n of a longer draw are the n values it would have drawn; a sentence after the
first replays the draws before it (a session kept for a line drew them in its earlier runs).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...atomic import atomic_path
from ..onnx_session import cpu_session, saved_graph_path, session_options

_RANDOM_OP = "RandomNormalLike"
_METADATA_KEY = "filmaster.noise_nodes"  # in the rewritten graph: each random node's index and one-node graph
_FOLDER = "noise-input"  # beside the saved graphs, not among them (their clean-up matches "<voice>-*.onnx")
# The first draw's guess, values per phoneme token: the latent noise is 192 channels × ~1.4-4 frames a token
# (the slowest voices), plus a sentence's final lengthening. A short guess costs one more run of the encoder.
_VALUES_PER_TOKEN = 1024
_VALUES_PER_SENTENCE = 8192
_MAX_VALUES = 1 << 28


@dataclass(frozen=True)
class NoiseNode:
    """A random node of the voice's graph: its index (onnxruntime's seed offset) and a model drawing like it."""

    index: int
    graph: bytes


class SeededVoice:
    """The voice at `model` (a Piper .onnx) loaded once; `for_line(seed)` gives what `PiperVoice.session` calls."""

    def __init__(self, model: Path) -> None:
        import onnxruntime as ort

        rewritten = _noise_input_graph(model)
        self.session = ort.InferenceSession(
            str(rewritten),
            session_options(ort.GraphOptimizationLevel.ORT_DISABLE_ALL),
            providers=["CPUExecutionProvider"],
        )
        meta = json.loads(self.session.get_modelmeta().custom_metadata_map[_METADATA_KEY])
        self.nodes = [NoiseNode(int(n["index"]), base64.b64decode(n["graph"])) for n in meta]
        self.outputs = len(self.session.get_outputs()) - len(self.nodes)  # the voice's own outputs come first

    def for_line(self, seed: int) -> LineSession:
        return LineSession(self, seed)


@dataclass
class LineSession:
    """One line's runs (one per sentence) of the kept session, drawing as a session made with `seed` would."""

    voice: SeededVoice
    seed: int
    drawn: list[list[int]] = field(default_factory=list)  # values each node drew in the runs before

    def run(self, output_names: Any, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        tokens = int(feeds["input"].shape[-1])
        guess = _VALUES_PER_TOKEN * tokens + _VALUES_PER_SENTENCE
        while True:
            noise = {f"noise_{k}": self._draw(k, node, guess) for k, node in enumerate(self.voice.nodes)}
            try:
                result = self.voice.session.run(output_names, {**feeds, **noise})
            except Exception:  # a draw shorter than a node's shape fails the reshape: draw more
                if guess * 4 > _MAX_VALUES:
                    raise
                guess *= 4
                continue
            self.drawn.append([int(size[0]) for size in result[self.voice.outputs :]])
            return result[: self.voice.outputs]

    def _draw(self, k: int, node: NoiseNode, count: int) -> np.ndarray:
        import onnxruntime as ort

        ort.set_seed(self.seed + node.index)  # what the node's kernel was seeded with in a session of its own
        draws = ort.InferenceSession(node.graph, providers=["CPUExecutionProvider"])
        for before in self.drawn:
            draws.run(None, {"like": np.zeros(before[k], np.float32)})
        return draws.run(None, {"like": np.zeros(count, np.float32)})[0]


def _noise_input_graph(model: Path) -> Path:
    """The voice's saved optimised graph with its random nodes as inputs, made once per machine (in a folder
    beside the saved graphs, under the same name)."""
    saved = saved_graph_path(model)
    if not saved.is_file():
        cpu_session(model)  # saves it
        if not saved.is_file():
            raise OSError(f"no saved optimised graph for {model} (is {saved.parent} writable?)")
    target = saved.parent / _FOLDER / saved.name
    if target.is_file():
        return target
    import onnx

    graph = onnx.load(str(saved))
    nodes = _rewrite(graph)
    graph.metadata_props.add(key=_METADATA_KEY, value=json.dumps(nodes))
    with atomic_path(target) as tmp:
        onnx.save(graph, str(tmp))
    for stale in target.parent.glob(f"{model.stem}-*.onnx"):  # graphs of another version of the voice
        if stale != target and len(stale.stem) == len(target.stem):
            stale.unlink(missing_ok=True)
    return target


def _rewrite(model: Any) -> list[dict[str, Any]]:
    """Replace each random node of `model` by an input `noise_<k>` sliced and reshaped to the node's shape, with
    the count it used as output `noise_<k>_size`; returns each node's index and one-node drawing graph."""
    from onnx import TensorProto, helper

    graph = model.graph
    kept: list[Any] = []  # the graph's nodes, each random one replaced
    inputs: list[Any] = []
    outputs: list[Any] = []
    nodes: list[dict[str, Any]] = []
    for index, node in enumerate(graph.node):
        if node.op_type != _RANDOM_OP or node.domain not in ("", "ai.onnx"):
            kept.append(node)
            continue
        name = f"noise_{len(nodes)}"
        shaped_like, drawn = node.input[0], node.output[0]
        kept += [
            helper.make_node("Shape", [shaped_like], [f"{name}_shape"]),
            helper.make_node("ReduceProd", [f"{name}_shape"], [f"{name}_size"], keepdims=1),
            helper.make_node(
                "Constant", [], [f"{name}_start"], value=helper.make_tensor(f"{name}_zero", TensorProto.INT64, [1], [0])
            ),
            helper.make_node("Slice", [name, f"{name}_start", f"{name}_size"], [f"{name}_used"]),
            helper.make_node("Reshape", [f"{name}_used", f"{name}_shape"], [drawn]),
        ]
        inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [f"{name}_count"]))
        outputs.append(helper.make_tensor_value_info(f"{name}_size", TensorProto.INT64, [1]))
        draw = helper.make_node(_RANDOM_OP, ["like"], ["noise"])
        draw.attribute.extend(node.attribute)
        one = helper.make_model(
            helper.make_graph(
                [draw],
                "draw",
                [helper.make_tensor_value_info("like", TensorProto.FLOAT, ["n"])],
                [helper.make_tensor_value_info("noise", TensorProto.FLOAT, ["n"])],
            ),
            opset_imports=list(model.opset_import),
        )
        one.ir_version = model.ir_version
        nodes.append({"index": index, "graph": base64.b64encode(one.SerializeToString()).decode("ascii")})
    if not nodes:
        raise ValueError("the voice's graph has no random nodes to rewrite")
    del graph.node[:]
    graph.node.extend(kept)
    graph.input.extend(inputs)
    graph.output.extend(outputs)
    return nodes
