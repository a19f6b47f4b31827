"""The summary at the end of `make`: one block saying what was generated, what fell back (and why) and what it
cost against --max-cost — read from the command's own output, on a film whose shots come from a local server
speaking Runway's API (which refuses one shot) and whose voices come from one speaking ElevenLabs' (which refuses
the first line's key), so one shot and one line really fall back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fake_speech_vendors import KEY as SPEECH_KEY
from fake_speech_vendors import Fault, serve
from fake_video_vendors import register_worktree_backends, serve_vendor
from filmaster.cli import main
from filmaster.model.run_summary import Fallback, RunSummary
from filmaster.run_summary import summary_lines
from project_entry_points import project_backends  # noqa: F401  (fixture)

from .conftest import EXAMPLES

VIDEO_KEY = "sk-fake-summary-51c0e2"
REFUSED = "S02-02"  # "Anna walks out into the sun." — the fake's content policy refuses "sun"
PRICE_PER_1K_CHARS = 20.0  # USD; dear, so the voices' share shows in two decimals


@pytest.mark.slow
@pytest.mark.usefixtures("project_backends")
def test_the_end_of_make_is_one_summary_of_what_was_made_fell_back_and_cost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    register_worktree_backends()
    monkeypatch.setenv("RUNWAYML_API_SECRET", VIDEO_KEY)
    monkeypatch.setenv("ELEVENLABS_API_KEY", SPEECH_KEY)
    source = tmp_path / "tiny.fountain"
    shutil.copy(EXAMPLES / "tiny.fountain", source)
    out = tmp_path / "out"
    with serve_vendor("runway", VIDEO_KEY, refuse_words=("sun",)) as runway, serve("elevenlabs") as voices:
        (tmp_path / "filmaster.toml").write_text(
            f'[render]\ndraft = true\nresolution = "192x108"\n\n[backends]\nvideo = "runway"\nspeech = "elevenlabs"\n\n'
            f'[backends.settings.runway]\nbase_url = "{runway.base_url}"\npoll_interval_s = 0.02\ntimeout_s = 2.0\n\n'
            f'[backends.settings.speech]\nbase_url = "{voices.url}"\nmax_retries = 0\n'
            f"price_per_1k_chars = {PRICE_PER_1K_CHARS}\n"
            'voices = { ANNA = "anna-voice-id", BEN = "ben-voice-id" }\n'
        )
        voices.fail_next(Fault("401"))  # the first line's request is refused: that line alone goes to Piper
        monkeypatch.chdir(tmp_path)
        code = main(["make", str(source), "-o", str(out), "--no-retrieval", "--max-cost", "5"])
        err = capsys.readouterr().err
    assert code == 0, err
    lines = err.splitlines()
    block = lines[lines.index("summary") + 1 : next(i for i, line in enumerate(lines) if line.startswith("done"))]
    assert all(line.startswith("  ") for line in block), block  # one block, nothing between it and "done"
    text = "\n".join(line.strip() for line in block)
    assert "generated:" not in err and "previz:" not in err  # the old closing lines are folded into it

    summary = RunSummary.model_validate(
        json.loads((out / ".filmaster" / "manifest.json").read_text())["last_run"]["summary"]
    )
    takes = {t["shot_id"]: t for t in json.loads((out / "takes.json").read_text())["takes"]}
    generated = [t for t in takes.values() if t["backend"] == "runway"]
    assert len(generated) == 4 and takes[REFUSED]["backend"] == "previz"  # what the film holds
    assert "shots   5 in the film: 5 rendered, 0 reused, 4 generated (runway), 0 generated reused, 1 fell back" in text
    assert f"{REFUSED} → previz take: 'runway' could not generate it (" in text and "refused" in text

    sound = json.loads((out / ".filmaster" / "sound.json").read_text())
    spoken = [c for c in sound["cues"] if c["kind"] == "dialogue"]
    first = min(spoken, key=lambda c: c["start_s"])["id"]
    assert [(f.unit, f.fallback) for f in summary.of_kind("dialogue")] == [(first, "Piper's voice")]
    assert "voices  2 lines, 1 fell back" in text and f"{first} → Piper's voice: " in text
    assert "music   2 cues, none fell back" in text

    # The cost: each request's estimate, counted as it was sent (the refused ones too), against --max-cost.
    asked = [r["body"]["text"] for r in voices.requests]
    assert len(asked) == 2
    voices_usd = sum(len(t) for t in asked) * PRICE_PER_1K_CHARS / 1000
    assert summary.cost_usd["voices"] == pytest.approx(voices_usd, abs=1e-3)
    assert summary.cost_usd["shots"] >= sum(t["cost_usd"] for t in generated) > 0
    assert summary.cost_usd["music"] == 0.0 and summary.max_cost_usd == 5.0
    total, spoken_usd = summary.cost_usd["voices"] + summary.cost_usd["shots"], summary.cost_usd["voices"]
    assert f"cost    ~{total:.2f} USD estimated for the requests sent (voices {spoken_usd:.2f}, music 0.00, " in text
    assert text.endswith(f"shots {summary.cost_usd['shots']:.2f}) of --max-cost 5.00")


def test_quiet_keeps_only_what_fell_back() -> None:
    summary = RunSummary(
        shots=3, rendered=3, reused=0, generated=0, generated_reused=0, lines=2, cues=1,
        fell_back=(Fallback(kind="music", unit="music-S01", fallback="silence", reason="it failed"),),
        cost_usd={"voices": 0.0, "music": 0.0, "shots": 0.0},
    )  # fmt: skip
    assert summary_lines(summary, quiet=True) == ["music   1 fell back", "        music-S01 → silence: it failed"]
    loud = summary_lines(summary)
    assert loud[0] == "shots   3 in the film: 3 rendered, 0 reused, none fell back"
    assert (
        loud[-1]
        == "cost    ~0.00 USD estimated for the requests sent (voices 0.00, music 0.00, shots 0.00) no --max-cost"
    )
    assert not any(line.startswith("plan") for line in loud)  # retrieval did not fail: not said
