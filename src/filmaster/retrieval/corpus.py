"""Loading, checking, saving and extending the cinematography corpus.

The built-in corpus ships as package data (`data/builtin_corpus.json`); a user's corpus is any file holding a
`Corpus.1`. Structural errors (bad JSON, bad field types) raise `InputError` naming the file, the entry and the
field; `validate_corpus` reports what is well-typed but implausible (a 0.5 s dolly zoom, an ECU two-shot).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from ..atomic import write_text_atomic
from ..errors import InputError
from ..model.camera import Movement, ShotScale
from ..model.corpus import Corpus, CorpusEntry, CorpusShot
from ..model.plan import TimeOfDay

BUILTIN_RESOURCE = "builtin_corpus.json"

# Roles a shot may play in a sequence. A closed list keeps entries comparable across authors and footage.
SHOT_ROLES: frozenset[str] = frozenset(
    {
        "establishing",  # where we are
        "master",  # the whole action in one frame, held while coverage cuts around it
        "two_shot",
        "group",
        "over_shoulder",
        "single",
        "reaction",
        "insert",  # an object or detail the story needs
        "detail",  # a part of a face or body
        "pov",
        "cutaway",
        "reveal",  # the shot whose movement or framing discloses something
        "follow",  # the camera goes with a moving subject
        "action",
        "transition",
        "closing",
    }
)

# Roles that frame more than one subject: an ECU cannot hold them.
MULTI_SUBJECT_ROLES: frozenset[str] = frozenset({"establishing", "master", "two_shot", "group", "over_shoulder"})

# Shortest believable duration per movement: a move needs time to read on screen. A whip pan reads in half
# a second; a dolly zoom needs the background to visibly stretch.
MIN_DURATION_S: dict[Movement, float] = {
    Movement.STATIC: 0.2,
    Movement.HANDHELD: 0.2,
    Movement.PAN: 0.4,
    Movement.TILT: 0.5,
    Movement.ZOOM: 0.5,
    Movement.TRUCK: 0.8,
    Movement.TRACKING: 0.8,
    Movement.DOLLY_IN: 1.0,
    Movement.DOLLY_OUT: 1.0,
    Movement.ARC: 1.5,
    Movement.PEDESTAL: 1.0,
    Movement.CRANE: 1.5,
    Movement.DOLLY_ZOOM: 1.0,
}

# Directions that make sense for each movement; None = the movement takes no direction.
ALLOWED_DIRECTIONS: dict[Movement, frozenset[str] | None] = {
    Movement.STATIC: None,
    Movement.HANDHELD: None,
    Movement.PAN: frozenset({"left", "right"}),
    Movement.TILT: frozenset({"up", "down"}),
    Movement.DOLLY_IN: frozenset({"in"}),
    Movement.DOLLY_OUT: frozenset({"out"}),
    Movement.TRUCK: frozenset({"left", "right"}),
    Movement.PEDESTAL: frozenset({"up", "down"}),
    Movement.CRANE: frozenset({"up", "down", "in", "out"}),
    Movement.ARC: frozenset({"left", "right"}),
    Movement.TRACKING: frozenset({"left", "right", "in", "out"}),
    Movement.ZOOM: frozenset({"in", "out"}),
    Movement.DOLLY_ZOOM: frozenset({"in", "out"}),
}

# Location words that settle whether a place is inside or outside. Vehicles and ambiguous places are absent.
_INTERIOR_WORDS = (
    "kitchen",
    "bedroom",
    "living room",
    "office",
    "corridor",
    "hallway",
    "courtroom",
    "hospital room",
    "ward",
    "cell",
    "basement",
    "attic",
    "elevator",
    "apartment",
    "classroom",
    "lecture hall",
    "diner",
    "bowling alley",
    "restaurant",
    "bar",
    "church",
    "ballroom",
    "cabin",
    "bathroom",
    "interrogation room",
    "warehouse",
    "hotel room",
    "lobby",
    "gym",
    "library",
    "theatre",
    "museum",
    "cockpit",
    "spacecraft",
    "submarine",
)
_EXTERIOR_WORDS = (
    "street",
    "alley",
    "desert",
    "beach",
    "shore",
    "field",
    "forest",
    "rooftop",
    "highway",
    "road",
    "mountain",
    "open sea",
    "ship deck",
    "pier",
    "plaza",
    "square",
    "garden",
    "park",
    "battlefield",
    "trench",
    "graveyard",
    "cemetery",
    "prairie",
    "riverbank",
    "jungle",
    "canyon",
    "parking lot",
    "platform",
    "farmyard",
    "main street",
)
_TIME_WORDS: dict[str, TimeOfDay] = {
    "night": TimeOfDay.NIGHT,
    "midnight": TimeOfDay.NIGHT,
    "dawn": TimeOfDay.DAWN,
    "sunrise": TimeOfDay.DAWN,
    "dusk": TimeOfDay.DUSK,
    "sunset": TimeOfDay.DUSK,
    "noon": TimeOfDay.DAY,
    "afternoon": TimeOfDay.DAY,
}
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]*$")


def _mentions(text: str, word: str) -> bool:
    return re.search(rf"\b{re.escape(word)}\b", text) is not None


@lru_cache(maxsize=1)
def load_builtin_corpus() -> Corpus:
    """The corpus shipped with filmaster (read once per process; the result is frozen, so sharing it is safe)."""
    resource = resources.files("filmaster.retrieval").joinpath("data", BUILTIN_RESOURCE)
    try:
        text = resource.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"the built-in corpus ({BUILTIN_RESOURCE}) is missing from the installed package; reinstall filmaster"
        ) from exc
    return _parse(text, f"built-in {BUILTIN_RESOURCE}")


def load_corpus(path: Path | str) -> Corpus:
    """Read a `Corpus.1` file; one-line `InputError` naming the file, entry and field on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"corpus file {path} does not exist; check the path") from exc
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InputError(f"cannot read corpus file {path}: {reason}") from exc
    return _parse(text, str(path))


def _parse(text: str, source: str) -> Corpus:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"corpus file {source} is not valid JSON (line {exc.lineno}: {exc.msg}); fix or regenerate it"
        ) from exc
    if not isinstance(data, dict):
        raise InputError(f"corpus file {source} must hold a JSON object with schema '{Corpus.SCHEMA}'")
    schema = data.pop("schema", None)
    if schema != Corpus.SCHEMA:
        raise InputError(f"corpus file {source} holds schema {schema!r}, expected '{Corpus.SCHEMA}'")
    try:
        return Corpus.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"corpus file {source}: {_describe(exc, data)}; fix that field") from exc


def _describe(exc: ValidationError, data: dict) -> str:
    """'entry 3 (id 'chase-02') field 'shots.1.scale': Input should be ...' for the first error."""
    first = exc.errors()[0]
    loc = list(first["loc"])
    msg = first["msg"]
    if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
        index = loc[1]
        entries = data.get("entries")
        raw = entries[index] if isinstance(entries, list) and index < len(entries) else None
        entry_id = raw.get("id") if isinstance(raw, dict) else None
        who = f"entry {index}" + (f" (id {entry_id!r})" if isinstance(entry_id, str) else "")
        field = ".".join(str(p) for p in loc[2:]) or "<entry>"
        return f"{who} field '{field}': {msg}"
    return f"field '{'.'.join(str(p) for p in loc)}': {msg}"


def save_corpus(corpus: Corpus, path: Path | str) -> None:
    """Write `corpus` as JSON; a reader sees the old file or the complete new one."""
    write_text_atomic(Path(path), corpus.to_json() + "\n")


def validate_corpus(corpus: Corpus) -> list[str]:
    """Semantic problems, one line each, that the schema cannot see. An empty list means the corpus is sound."""
    problems: list[str] = []
    counts = Counter(entry.id for entry in corpus.entries)
    problems += [f"id {eid!r} is used by {n} entries; ids must be unique" for eid, n in counts.items() if n > 1]
    for index, entry in enumerate(corpus.entries):
        where = f"entry {index} ({entry.id})"
        problems += [f"{where}: {p}" for p in _entry_problems(entry)]
    return problems


def _entry_problems(entry: CorpusEntry) -> list[str]:
    problems: list[str] = []
    if not _ID_RE.match(entry.id):
        problems.append("id must be lower-case letters, digits and - _ . : only")
    for name in ("situation", "description", "objective"):
        if not getattr(entry, name).strip():
            problems.append(f"{name} is empty")
    duplicates = sorted(g for g, n in Counter(entry.genres).items() if n > 1)
    if duplicates:
        problems.append(f"genres repeated: {', '.join(duplicates)}")
    if any(g != g.strip().lower() or not g for g in entry.genres):
        problems.append("genres must be non-empty lower-case names")
    if len(set(entry.films)) != len(entry.films):
        problems.append("a film is listed twice")
    problems += _place_problems(entry)
    for n, shot in enumerate(entry.shots):
        problems += [f"shot {n}: {p}" for p in _shot_problems(shot, entry.characters)]
    return problems


def _place_problems(entry: CorpusEntry) -> list[str]:
    problems: list[str] = []
    location = entry.location.lower()
    if entry.interior is not None and location:
        inside = [w for w in _INTERIOR_WORDS if _mentions(location, w)]
        outside = [w for w in _EXTERIOR_WORDS if _mentions(location, w)]
        if entry.interior and outside and not inside:
            problems.append(f"interior, but the location {entry.location!r} is outdoors ({outside[0]})")
        if not entry.interior and inside and not outside:
            problems.append(f"exterior, but the location {entry.location!r} is indoors ({inside[0]})")
    if entry.time_of_day is not None:
        implied = {t for w, t in _TIME_WORDS.items() if _mentions(location, w)}
        if implied and entry.time_of_day not in implied:
            named = ", ".join(sorted(t.value for t in implied))
            problems.append(f"time_of_day is {entry.time_of_day.value} but the location says {named}")
    return problems


def _shot_problems(shot: CorpusShot, characters: int) -> list[str]:
    problems: list[str] = []
    minimum = MIN_DURATION_S[shot.movement]
    if shot.duration_s < minimum:
        problems.append(
            f"a {shot.movement.value} of {shot.duration_s:g} s is too short to read (at least {minimum:g} s)"
        )
    allowed = ALLOWED_DIRECTIONS[shot.movement]
    if shot.direction is not None and (allowed is None or shot.direction not in allowed):
        problems.append(f"direction {shot.direction!r} makes no sense for a {shot.movement.value}")
    if shot.role and shot.role not in SHOT_ROLES:
        problems.append(f"unknown role {shot.role!r}; use one of {', '.join(sorted(SHOT_ROLES))}")
    if shot.scale is ShotScale.ECU and shot.role in MULTI_SUBJECT_ROLES:
        problems.append(f"an ECU cannot frame a {shot.role} (more than one subject)")
    if shot.role in {"two_shot", "over_shoulder"} and characters < 2:
        problems.append(f"a {shot.role} needs two characters, the entry has {characters}")
    if shot.role == "establishing" and shot.scale in {ShotScale.CU, ShotScale.ECU}:
        problems.append(f"an establishing shot at {shot.scale.value} shows no place")
    for name in ("brightness", "contrast"):
        value = getattr(shot, name)
        if value is not None and not 0.0 <= value <= 1.0:
            problems.append(f"{name} {value:g} is outside 0..1")
    kelvin = shot.colour_temperature_k
    if kelvin is not None and not (1000.0 <= kelvin <= 20000.0 and math.isfinite(kelvin)):
        problems.append(f"colour temperature {kelvin:g} K is outside 1000..20000 K")
    if shot.start_s is not None and shot.start_s < 0:
        problems.append(f"start_s {shot.start_s:g} is negative")
    return problems


def merge(corpus: Corpus, entries: Iterable[CorpusEntry]) -> Corpus:
    """`corpus` plus `entries`. Entries of a source being imported replace that source's older entries, so
    re-importing annotated footage updates it instead of doubling it. Raises `InputError` on an id clash."""
    new = list(entries)
    counts = Counter(e.id for e in new)
    clashes = sorted(eid for eid, n in counts.items() if n > 1)
    if clashes:
        raise InputError(f"the entries to merge repeat the id {clashes[0]!r}; give each entry its own id")
    replaced_sources = {e.source for e in new}
    kept = [e for e in corpus.entries if e.source not in replaced_sources]
    kept_ids = {e.id: e.source for e in kept}
    for entry in new:
        if entry.id in kept_ids:
            raise InputError(
                f"entry id {entry.id!r} from source {entry.source!r} is already used by source "
                f"{kept_ids[entry.id]!r}; rename it (e.g. prefix it with the source name)"
            )
    return corpus.model_copy(update={"entries": kept + new})
