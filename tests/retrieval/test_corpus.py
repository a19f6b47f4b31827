"""The built-in corpus, corpus files and their errors, semantic validation, and merging user entries."""

from __future__ import annotations

import importlib.util
import json
import statistics
from importlib import resources
from pathlib import Path

import pytest

from filmaster.errors import InputError
from filmaster.model.camera import Angle, Movement, ShotScale
from filmaster.model.corpus import Corpus, CorpusEntry, CorpusShot
from filmaster.model.plan import TimeOfDay
from filmaster.retrieval.corpus import load_builtin_corpus, load_corpus, merge, save_corpus, validate_corpus

CORE_GENRES = (
    "drama",
    "thriller",
    "western",
    "romance",
    "comedy",
    "horror",
    "sci-fi",
    "action",
    "war",
    "noir",
    "documentary",
    "animation",
)


def _entry(eid: str, source: str = "builtin", **changes) -> CorpusEntry:
    shots = [
        CorpusShot(scale=ShotScale.WS, duration_s=4.0, shows="the room", role="establishing"),
        CorpusShot(scale=ShotScale.MCU, duration_s=3.0, shows="her", role="single"),
        CorpusShot(scale=ShotScale.MCU, duration_s=3.0, shows="him", role="single"),
    ]
    fields = {
        "id": eid,
        "situation": "a talk",
        "description": "two people talk",
        "objective": "tension",
        "genres": ["drama"],
        "interior": True,
        "location": "kitchen",
        "time_of_day": TimeOfDay.NIGHT,
        "characters": 2,
        "shots": shots,
        "source": source,
    }
    fields.update(changes)
    return CorpusEntry(**fields)


def _with_shot(entry: CorpusEntry, index: int, **changes) -> CorpusEntry:
    shots = list(entry.shots)
    shots[index] = shots[index].model_copy(update=changes)
    return entry.model_copy(update={"shots": shots})


# --- the built-in corpus -------------------------------------------------------------------------------------


def test_builtin_corpus_is_large_sound_and_unique() -> None:
    corpus = load_builtin_corpus()
    assert len(corpus.entries) >= 320
    assert validate_corpus(corpus) == []
    ids = [e.id for e in corpus.entries]
    assert len(ids) == len(set(ids))
    assert all(3 <= len(e.shots) <= 10 for e in corpus.entries)
    assert all(e.source == "builtin" for e in corpus.entries)


def test_builtin_corpus_is_loaded_once() -> None:
    assert load_builtin_corpus() is load_builtin_corpus()


def test_builtin_corpus_spans_the_vocabulary() -> None:
    shots = [s for e in load_builtin_corpus().entries for s in e.shots]
    assert {s.scale for s in shots} == set(ShotScale)
    assert {s.movement for s in shots} == set(Movement)
    assert {s.angle for s in shots} == set(Angle)
    assert {t for e in load_builtin_corpus().entries for t in [e.time_of_day] if t} == set(TimeOfDay)


def test_builtin_corpus_covers_situations_and_genres() -> None:
    entries = load_builtin_corpus().entries
    assert len({e.situation for e in entries}) >= 30
    per_genre = {g: sum(g in e.genres for e in entries) for g in CORE_GENRES}
    assert min(per_genre.values()) >= 8, per_genre
    # Most entries are interior/exterior-specific, and many cite a documented film.
    assert sum(e.interior is not None for e in entries) >= 0.9 * len(entries)
    assert 0.3 * len(entries) <= sum(bool(e.films) for e in entries) < len(entries)


def test_builtin_corpus_text_is_distinct() -> None:
    entries = load_builtin_corpus().entries
    for field in ("description", "objective"):
        values = [getattr(e, field) for e in entries]
        assert len(values) == len(set(values)), field
    shows = [s.shows for e in entries for s in e.shots]
    assert len(shows) == len(set(shows))


def test_builtin_shot_lengths_are_realistic() -> None:
    entries = load_builtin_corpus().entries

    def median_asl(genre: str) -> float:
        return statistics.median(
            sum(s.duration_s for s in e.shots) / len(e.shots) for e in entries if genre in e.genres
        )

    assert 1.5 <= median_asl("action") <= 4.0
    assert 4.0 <= median_asl("drama") <= 9.0
    assert median_asl("action") < median_asl("drama")
    assert sum(s.duration_s >= 30 for e in entries for s in e.shots) >= 20  # long takes exist


def test_builtin_json_matches_the_authored_sheets() -> None:
    script = resources.files("filmaster.retrieval").joinpath("data", "build_corpus.py")
    if not Path(str(script)).with_name("source").is_dir():
        pytest.skip("the authored sheets ship only with a source checkout")
    spec = importlib.util.spec_from_file_location("filmaster_build_corpus", str(script))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == load_builtin_corpus(), "run src/filmaster/retrieval/data/build_corpus.py"


# --- corpus files ----------------------------------------------------------------------------------------------


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    corpus = Corpus(entries=[_entry("a-01"), _entry("b-01", source="footage:clip.mp4")])
    path = tmp_path / "sub" / "corpus.json"
    save_corpus(corpus, path)
    assert load_corpus(path) == corpus
    assert json.loads(path.read_text())["schema"] == "Corpus.1"
    assert [p.name for p in path.parent.iterdir()] == ["corpus.json"]  # no temporary file left behind


def test_builtin_corpus_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "copy.json"
    save_corpus(load_builtin_corpus(), path)
    assert load_corpus(path) == load_builtin_corpus()


def test_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(InputError, match=r"nope\.json does not exist"):
        load_corpus(path)


def test_corrupt_json_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"schema": "Corpus.1", "entries": [', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.json is not valid JSON \(line 1"):
        load_corpus(path)


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        ('{"schema": "Plan.1", "entries": []}', r"schema 'Plan\.1', expected 'Corpus\.1'"),
        ('{"entries": []}', r"schema None, expected 'Corpus\.1'"),
        ("[1, 2]", r"must hold a JSON object"),
    ],
)
def test_wrong_kind_of_file_is_reported(tmp_path: Path, content: str, pattern: str) -> None:
    path = tmp_path / "other.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=pattern):
        load_corpus(path)


def test_bad_field_names_the_entry_and_field(tmp_path: Path) -> None:
    data = json.loads(Corpus(entries=[_entry("a-01"), _entry("chase-07")]).to_json())
    data["entries"][1]["shots"][2]["scale"] = "huge"
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_corpus(path)
    message = str(info.value)
    assert "c.json" in message and "entry 1 (id 'chase-07')" in message and "'shots.2.scale'" in message
    assert "\n" not in message


def test_missing_required_field_names_the_entry(tmp_path: Path) -> None:
    data = json.loads(Corpus(entries=[_entry("a-01")]).to_json())
    del data["entries"][0]["situation"]
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=r"entry 0 \(id 'a-01'\) field 'situation': Field required"):
        load_corpus(path)


# --- semantic validation -----------------------------------------------------------------------------------------


def test_a_sound_entry_has_no_problems() -> None:
    assert validate_corpus(Corpus(entries=[_entry("a-01")])) == []


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (_with_shot(_entry("x"), 1, movement=Movement.DOLLY_ZOOM, duration_s=0.6), "dolly_zoom of 0.6 s is too short"),
        (_with_shot(_entry("x"), 1, movement=Movement.TILT, direction="left"), "direction 'left' makes no sense"),
        (_with_shot(_entry("x"), 1, direction="up"), "direction 'up' makes no sense for a static"),
        (_with_shot(_entry("x"), 0, scale=ShotScale.ECU, role="two_shot"), "an ECU cannot frame a two_shot"),
        (_with_shot(_entry("x"), 0, scale=ShotScale.CU), "an establishing shot at CU"),
        (_with_shot(_entry("x"), 1, role="hero"), "unknown role 'hero'"),
        (_with_shot(_entry("x"), 1, brightness=1.4), "brightness 1.4 is outside 0..1"),
        (_with_shot(_entry("x"), 1, colour_temperature_k=90.0), "colour temperature 90 K"),
        (_with_shot(_entry("x", characters=1), 1, role="over_shoulder"), "needs two characters"),
        (_entry("x", location="desert road"), "interior, but the location 'desert road' is outdoors"),
        (_entry("x", interior=False, location="hotel room"), "exterior, but the location 'hotel room' is indoors"),
        (_entry("x", location="kitchen at dawn"), "time_of_day is night but the location says dawn"),
        (_entry("x", genres=["drama", "drama"]), "genres repeated: drama"),
        (_entry("x", genres=["Drama"]), "lower-case"),
        (_entry("x", objective=" "), "objective is empty"),
        (_entry("Bad Id"), "id must be lower-case"),
    ],
)
def test_semantic_problems_are_reported(entry: CorpusEntry, expected: str) -> None:
    problems = validate_corpus(Corpus(entries=[entry]))
    assert len(problems) == 1, problems
    assert expected in problems[0]
    assert problems[0].startswith(f"entry 0 ({entry.id})")


def test_duplicate_ids_are_reported() -> None:
    problems = validate_corpus(Corpus(entries=[_entry("a-01"), _entry("a-01"), _entry("b-01")]))
    assert problems == ["id 'a-01' is used by 2 entries; ids must be unique"]


def test_ambiguous_places_are_not_flagged() -> None:
    # A car can be filmed from inside or outside; a "bowling alley" is indoors although "alley" is an outdoor word.
    entries = [
        _entry("a", location="car", interior=False),
        _entry("b", location="car"),
        _entry("c", location="bowling alley"),
        _entry("d", location="", interior=None, time_of_day=None),
    ]
    assert validate_corpus(Corpus(entries=entries)) == []


# --- merging user entries ------------------------------------------------------------------------------------------


def test_merge_adds_user_entries_after_the_existing_ones() -> None:
    base = Corpus(entries=[_entry("a-01"), _entry("a-02")])
    merged = merge(base, [_entry("clip-01", source="footage:clip.mp4")])
    assert [e.id for e in merged.entries] == ["a-01", "a-02", "clip-01"]
    assert [e.id for e in base.entries] == ["a-01", "a-02"]  # the input is untouched


def test_reimport_replaces_the_same_source_only() -> None:
    base = merge(
        Corpus(entries=[_entry("a-01")]),
        [_entry("clip-01", source="footage:clip.mp4"), _entry("clip-02", source="footage:clip.mp4")],
    )
    base = merge(base, [_entry("other-01", source="footage:other.mp4")])
    again = merge(base, [_entry("clip-01", source="footage:clip.mp4", objective="re-annotated")])
    assert [e.id for e in again.entries] == ["a-01", "other-01", "clip-01"]
    assert again.entries[-1].objective == "re-annotated"


def test_merge_refuses_an_id_of_another_source() -> None:
    base = Corpus(entries=[_entry("a-01")])
    with pytest.raises(InputError, match=r"'a-01' from source 'footage:x' is already used by source 'builtin'"):
        merge(base, [_entry("a-01", source="footage:x")])


def test_merge_refuses_repeated_ids_in_the_new_entries() -> None:
    with pytest.raises(InputError, match=r"repeat the id 'n-01'"):
        merge(Corpus(), [_entry("n-01", source="footage:x"), _entry("n-01", source="footage:y")])


def test_merge_into_the_builtin_corpus_validates() -> None:
    merged = merge(load_builtin_corpus(), [_entry("footage-clip-01", source="footage:clip.mp4")])
    assert len(merged.entries) == len(load_builtin_corpus().entries) + 1
    assert validate_corpus(merged) == []
