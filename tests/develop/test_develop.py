"""`filmaster develop` through the OpenAI-compatible backend, against a local server speaking the protocol."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

import fake_openai
import writers_room
from fake_openai import ChatServer, Reply
from filmaster.cli import main
from filmaster.develop.looks import SHIRTS, apply_looks
from filmaster.formats.fountain import read_screenplay
from filmaster.model import Plan
from filmaster.model.story import Outline, SceneDraft, StoryCast, Synopsis
from filmaster.stages.breakdown import plan_screenplay

MODEL = "writer"
IDEA = "A ferry pilot's last crossing through a storm."


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with fake_openai.serve(ChatServer(model=MODEL, responder=writers_room.answer)) as state:
        yield state


def _config(folder: Path, server: ChatServer, extra: str = "", key_env: str = "") -> Path:
    path = folder / "filmaster.toml"
    path.write_text(
        f'[backends.settings.llm]\nbase_url = "{server.base_url}"\nmodel = "{MODEL}"\napi_key_env = "{key_env}"\n'
        f"max_wait_s = 0.05\nmax_tokens = 600\n{extra}",
        encoding="utf-8",
    )
    return path


def _develop(tmp_path: Path, config: Path, *args: str) -> tuple[int, Path]:
    out = tmp_path / "story.fountain"
    return main(["develop", IDEA, "-o", str(out), "-c", str(config), *args]), out


def test_an_idea_becomes_a_screenplay_through_every_step(tmp_path: Path, server: ChatServer) -> None:
    code, out = _develop(tmp_path, _config(tmp_path, server), "--scenes", "4")
    assert code == 0
    screenplay = read_screenplay(out)
    assert [s.heading for s in screenplay.scenes] == [
        "INT. HARBOUR OFFICE - NIGHT",
        "EXT. FERRY DECK - DAWN",
        "INT. HARBOUR OFFICE - NIGHT",
        "EXT. FERRY DECK - DAWN",
    ]
    assert screenplay.title == "The Last Crossing"
    assert set(screenplay.characters) == {"MARA", "TOMAS"}
    first = screenplay.scenes[0].dialogue[0]
    assert (first.character, first.parenthetical, first.text) == ("MARA", "quietly", "I am taking her out.")
    # Coarse to fine: one question per step and per scene, each step's artifact kept and valid.
    steps = [writers_room.step_of(r["body"]) for r in server.requests]
    assert steps == ["synopsis", "cast", "outline", "scene", "scene", "scene", "scene"]
    folder = tmp_path / "story.develop"
    assert Synopsis.load(folder / "synopsis.json").idea == IDEA
    assert len(Outline.load(folder / "outline.json").scenes) == 4
    assert SceneDraft.load(folder / "scenes" / "04.json").heading == "EXT. FERRY DECK - DAWN"
    # The scene prompt carries the outline's line and the end of the scene before.
    last = server.requests[-1]["body"]["messages"][1]["content"]
    assert "Beat 4: Mara and the storm." in last and "She pulls on her coat." in last
    # The cast's looks reach the plan the previz renders from.
    cast = StoryCast.load(folder / "cast.json")
    plan = apply_looks(plan_screenplay(screenplay), cast)
    assert plan.cast["MARA"].shirt == SHIRTS["teal"] and plan.cast["TOMAS"].shirt == SHIRTS["purple"]


def test_every_call_is_logged_with_tokens_and_cost_and_a_rerun_asks_nothing(tmp_path: Path, server: ChatServer) -> None:
    config = _config(tmp_path, server, '[generate]\nllm_prices = { "writer" = [2.0, 10.0] }\n')
    assert _develop(tmp_path, config)[0] == 0
    asked = len(server.requests)
    records = [json.loads(line) for line in (tmp_path / "story.develop/logs/llm.jsonl").read_text().splitlines()]
    assert len(records) == asked == 6
    for record in records:
        usage = record["usage"]
        assert usage["prompt_tokens"] == 100 and record["valid"] and record["model"] == "openai-chat:writer"
        assert record["cost_usd"] == pytest.approx((100 * 2.0 + usage["completion_tokens"] * 10.0) / 1e6, abs=1e-6)
        assert record["prompt"] and json.dumps(record["response"])
    first = read_screenplay(tmp_path / "story.fountain")
    assert _develop(tmp_path, config, "--force")[0] == 0
    assert len(server.requests) == asked  # every answer came from the cache
    assert read_screenplay(tmp_path / "story.fountain") == first


def test_malformed_json_and_an_invalid_answer_are_repaired_with_the_error(tmp_path: Path, server: ChatServer) -> None:
    server.script = [Reply(content="Sure! Here is your synopsis: {title"), Reply(content='{"title": "X"}')]
    assert _develop(tmp_path, _config(tmp_path, server))[0] == 0
    prompts = [r["body"]["messages"][1]["content"] for r in server.requests[:3]]
    assert "previous answer was invalid" not in prompts[0]
    assert "(not a JSON object)" in prompts[1] and "not JSON" in prompts[1]
    assert '{"title": "X"}' in prompts[2] and "synopsis: Field required" in prompts[2]
    records = [json.loads(line) for line in (tmp_path / "story.develop/logs/llm.jsonl").read_text().splitlines()]
    assert [r["valid"] for r in records[:3]] == [False, False, True]


def test_rate_limits_server_errors_and_timeouts_are_retried_with_backoff(tmp_path: Path, server: ChatServer) -> None:
    server.script = [
        Reply(status=429, error="Rate limit reached", headers={"retry-after-ms": "20"}),
        Reply(status=503, error="overloaded"),
        Reply(delay_s=1.5),  # answered after the client's 0.5 s timeout
    ]
    assert _develop(tmp_path, _config(tmp_path, server, "timeout_s = 0.5\n"))[0] == 0
    assert [writers_room.step_of(r["body"]) for r in server.requests[:4]] == ["synopsis"] * 4
    records = [json.loads(line) for line in (tmp_path / "story.develop/logs/llm.jsonl").read_text().splitlines()]
    assert records[0]["step"] == "develop/synopsis.v1" and records[0]["valid"]  # retries are below the log's tries


def test_a_model_that_never_answers_validly_gets_one_line_and_no_screenplay(
    tmp_path: Path, server: ChatServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.responder = lambda body: json.dumps({"title": "Only a title"})
    code, out = _develop(tmp_path, _config(tmp_path, server))
    err = capsys.readouterr().err
    assert code == 1 and not out.exists()
    assert len(err.strip().splitlines()) == 1 and "gave no valid answer" in err and "Traceback" not in err
    assert len(server.requests) == 3  # the answer and two repairs


def test_an_unwritable_scene_is_filled_from_the_outline(tmp_path: Path, server: ChatServer) -> None:
    def answer(body: dict) -> str:
        if writers_room.step_of(body) == "scene" and "Scene 2 of" in body["messages"][1]["content"]:
            return '{"elements": "the model rambled"}'
        return writers_room.answer(body)

    server.responder = answer
    code, out = _develop(tmp_path, _config(tmp_path, server))
    assert code == 0
    scenes = read_screenplay(out).scenes
    assert len(scenes) == 3 and scenes[1].elements[0].text == "Beat 2: Mara and the storm."
    assert "outline" in SceneDraft.load(tmp_path / "story.develop/scenes/02.json").notes[0]


def test_a_speaker_who_is_not_in_the_scene_is_dropped_not_invented(tmp_path: Path, server: ChatServer) -> None:
    def answer(body: dict) -> str:
        if writers_room.step_of(body) == "scene":
            return json.dumps(
                {
                    "elements": [
                        {"type": "dialogue", "character": "GHOST", "parenthetical": "", "text": "Boo."},
                        {"type": "dialogue", "character": "mara", "parenthetical": "(firmly)", "text": "INT. no."},
                    ]
                }
            )
        return writers_room.answer(body)

    server.responder = answer
    code, out = _develop(tmp_path, _config(tmp_path, server))
    assert code == 0
    scene = read_screenplay(out).scenes[0]
    assert [(d.character, d.parenthetical, d.text) for d in scene.dialogue] == [("MARA", "firmly", "INT. no.")]
    assert scene.elements[0].text == "Beat 1: Mara and the storm."  # an action line opens every scene


def test_no_model_configured_says_how_to_configure_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    empty = tmp_path / "filmaster.toml"
    empty.write_text("")
    code, out = _develop(tmp_path, empty)
    err = capsys.readouterr().err
    assert code == 1 and not out.exists()
    assert len(err.strip().splitlines()) == 1 and "[backends.settings.llm]" in err and "base_url" in err
    film = tmp_path / "film"
    assert main(["make", IDEA, "-o", str(film), "-c", str(empty)]) == 1
    assert "[backends.settings.llm]" in capsys.readouterr().err and not film.exists()


def test_the_key_is_sent_but_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "sk-test-do-not-write-4242"
    monkeypatch.setenv("WRITER_KEY", secret)
    with fake_openai.serve(ChatServer(model=MODEL, key=secret, responder=writers_room.answer)) as server:
        assert _develop(tmp_path, _config(tmp_path, server, key_env="WRITER_KEY"))[0] == 0
    assert all(r["auth"] == f"Bearer {secret}" for r in server.requests)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) > 8
    assert not [p for p in written if secret in p.read_text(encoding="utf-8", errors="replace")]
    assert secret not in capsys.readouterr().err


def test_the_cost_limit_stops_before_the_model_is_asked(
    tmp_path: Path, server: ChatServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, server, '[generate]\nllm_prices = { "writer" = [1000.0, 1000.0] }\n')
    code, out = _develop(tmp_path, config, "--max-cost", "0.5")
    err = capsys.readouterr().err
    assert code == 1 and not out.exists() and server.requests == []
    assert "--max-cost 0.50" in err and len(err.strip().splitlines()) == 1


def test_the_cost_limit_counts_what_was_spent(tmp_path: Path, server: ChatServer) -> None:
    # ~0.08 USD reserved before each call (its prompt and 600 completion tokens at 100 USD/M), ~0.02 charged after.
    config = _config(tmp_path, server, '[generate]\nllm_prices = { "writer" = [100.0, 100.0] }\n')
    assert _develop(tmp_path, config, "--max-cost", "0.15")[0] == 1
    assert 2 <= len(server.requests) < 6


def test_reference_pictures_name_the_cast_and_a_broken_one_is_refused(
    tmp_path: Path, server: ChatServer, capsys: pytest.CaptureFixture[str]
) -> None:
    refs = tmp_path / "refs"
    refs.mkdir()
    Image.new("RGB", (32, 48), (200, 40, 40)).save(refs / "mara.png")
    Image.new("RGB", (64, 36), (20, 40, 200)).save(refs / "ferry_deck.jpg")
    config = _config(tmp_path, server)
    assert _develop(tmp_path, config, "--refs", str(refs))[0] == 0
    assert "Pictures exist of: FERRY DECK, MARA." in server.requests[0]["body"]["messages"][1]["content"]
    cast = StoryCast.load(tmp_path / "story.develop/cast.json")
    assert cast.characters[0].reference_image == str((refs / "mara.png").resolve())
    assert cast.characters[1].reference_image is None
    assert cast.locations[1].reference_image == str((refs / "ferry_deck.jpg").resolve())
    plan = apply_looks(plan_screenplay(read_screenplay(tmp_path / "story.fountain")), cast)
    assert plan.cast["MARA"].reference_image and plan.scenes[1].reference_image

    (refs / "tomas.png").write_bytes(b"not a picture")
    assert _develop(tmp_path, config, "--refs", str(refs), "--force")[0] == 1
    assert "tomas.png is not a readable image" in capsys.readouterr().err


def test_a_synopsis_file_skips_the_synopsis_question(tmp_path: Path, server: ChatServer) -> None:
    synopsis = tmp_path / "night_ferry.txt"
    synopsis.write_text("A pilot sails through a storm. The harbour master forbids it. She goes anyway.\n")
    out = tmp_path / "night.fountain"
    assert main(["develop", "--from", str(synopsis), "-o", str(out), "-c", str(_config(tmp_path, server))]) == 0
    assert writers_room.step_of(server.requests[0]["body"]) == "cast"
    assert read_screenplay(out).title == "Night Ferry"
    assert "The harbour master forbids it." in server.requests[0]["body"]["messages"][1]["content"]


def test_make_with_an_idea_develops_then_makes_the_film(tmp_path: Path, server: ChatServer) -> None:
    config, out = _config(tmp_path, server), tmp_path / "film"
    args = ["make", IDEA, "-o", str(out), "-c", str(config), "--draft", "--resolution", "192x108", "--no-retrieval"]
    assert main(args) == 0
    asked = len(server.requests)
    assert asked == 6 and (out / "film.mp4").stat().st_size > 0
    assert len(read_screenplay(out / "story.fountain").scenes) == 3
    plan = Plan.load(out / "plan.json")
    assert plan.cast["MARA"].shirt == SHIRTS["teal"]  # the developed cast's look, not the breakdown's palette
    assert any("Mara (teal shirt)" in s.prompt for s in plan.shots)
    # Again with the same idea: the screenplay (and any edit of it) is kept, nothing is asked or rendered again.
    manifest = (out / ".filmaster/manifest.json").read_text()
    assert main(args) == 0
    assert len(server.requests) == asked and json.loads(manifest)["source"] == "story.fountain"
    # Measured in the pixels: Mara's single shows her teal shirt; the same screenplay made without the developed
    # cast beside it dresses her in the breakdown's first colour (red) instead.
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "story.fountain").write_text((out / "story.fountain").read_text())
    assert main([*args[:1], str(plain / "story.fountain"), "-o", str(plain / "film"), *args[4:]]) == 0
    single = next(s for s in plan.shots if s.camera.subjects == ["MARA"] and s.camera.over_shoulder_of is None)
    developed = _hues(out / f"media/shots/{single.id}.mp4")
    breakdown = _hues(plain / f"film/media/shots/{single.id}.mp4")
    assert developed["teal"] > 4 * max(breakdown["teal"], 10)
    assert breakdown["red"] > developed["red"] + 300  # the set has red in it too; her shirt adds the difference


def _hues(clip: Path) -> dict[str, int]:
    """Saturated pixels of the clip's middle frame that are teal (hue 170-200°) or red (hue < 15° or > 345°)."""
    import av
    import numpy as np

    with av.open(str(clip)) as container:
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    hsv = np.asarray(Image.fromarray(frames[len(frames) // 2]).convert("HSV"), dtype=float)
    hue, vivid = hsv[..., 0] * 360 / 255, (hsv[..., 1] > 90) & (hsv[..., 2] > 40)
    return {
        "teal": int((vivid & (hue > 170) & (hue < 200)).sum()),
        "red": int((vivid & ((hue < 15) | (hue > 345))).sum()),
    }


def test_an_idea_is_told_from_a_screenplay_path(tmp_path: Path) -> None:
    from filmaster.develop.command import is_idea

    existing = tmp_path / "my story.fountain"
    existing.write_text("INT. ROOM - DAY\n\nA chair.\n")
    assert is_idea(Path("A ferry pilot's last crossing."))
    assert is_idea(Path("Two strangers share a lift. It stops."))
    assert not is_idea(existing)  # an existing file, even with spaces in its name
    assert not is_idea(Path("missing.fountain")) and not is_idea(Path("my missing story.fountain"))


def test_make_with_an_idea_takes_scenes_and_minutes_like_develop(
    tmp_path: Path, server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import filmaster.pipeline

    def stop_after_develop(screenplay: Path, *args: object, **kwargs: object) -> None:
        raise SystemExit(7)  # the film itself is made by the test above; here only what develop was asked counts

    monkeypatch.setattr(filmaster.pipeline, "make_film", stop_after_develop)
    out = tmp_path / "film"
    with pytest.raises(SystemExit):
        main(["make", IDEA, "-o", str(out), "-c", str(_config(tmp_path, server)), "--scenes", "2", "--minutes", "1.5"])
    synopsis_prompt = server.requests[0]["body"]["messages"][1]["content"]
    assert "about 1.5 minutes told in 2 scenes" in synopsis_prompt
    assert len(read_screenplay(out / "story.fountain").scenes) == 2


@pytest.mark.parametrize("flag", [["--scenes", "4"], ["--minutes", "3"]])
def test_scenes_or_minutes_with_a_screenplay_file_is_one_clear_line(
    tmp_path: Path, flag: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    screenplay = Path(__file__).parents[2] / "examples" / "tiny.fountain"
    film = tmp_path / "film"
    assert main(["make", str(screenplay), "-o", str(film), *flag]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and flag[0] in err and "tiny.fountain is a screenplay file" in err
    assert "Traceback" not in err and not film.exists()
