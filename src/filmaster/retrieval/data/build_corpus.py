"""Build `builtin_corpus.json` from the hand-written pattern sheets in `source/*.txt`.

The sheets are a compact notation so that ~330 entries stay readable and reviewable as text; this script only
parses them, checks them with `validate_corpus`, and writes the JSON the package ships. Run it after editing
a sheet:  python src/filmaster/retrieval/data/build_corpus.py

Sheet notation (one entry per `--` block, grouped under a `==` situation line; `#` starts a comment line):

    == <situation id> | <situation>
    -- <nn> | <genres, space-separated> | int|ext|- | <location> | day|night|dawn|dusk|- | <characters> | <films; ...>
    D <description: what the coverage does and why it works>
    O <objective: the narrative aim or emotion the camera serves>
    <SCALE> <angle> <movement>[/<direction>] <seconds> | <what it shows> | <role>
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import ValidationError

from filmaster.errors import InputError
from filmaster.model.camera import Angle, Movement, ShotScale
from filmaster.model.corpus import Corpus, CorpusEntry, CorpusShot
from filmaster.model.plan import TimeOfDay

HERE = Path(__file__).resolve().parent
SOURCE_DIR = HERE / "source"
OUTPUT = HERE / "builtin_corpus.json"

ANGLES = {
    "eye": Angle.EYE_LEVEL,
    "high": Angle.HIGH,
    "low": Angle.LOW,
    "over": Angle.OVERHEAD,
    "worm": Angle.WORMS_EYE,
    "dutch": Angle.DUTCH,
}


def parse_sheet(text: str, name: str) -> list[CorpusEntry]:
    entries: list[CorpusEntry] = []
    situation_id = situation = ""
    current: dict | None = None

    def close() -> None:
        if current is not None:
            try:
                entries.append(CorpusEntry.model_validate(current))
            except ValidationError as exc:
                first = exc.errors()[0]
                field = ".".join(str(p) for p in first["loc"])
                raise InputError(f"{name}: entry {current['id']} field '{field}': {first['msg']}") from exc

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"{name}:{number}"
        if not line or line.startswith("#"):
            continue
        if line.startswith("=="):
            close()
            current = None
            situation_id, situation = (p.strip() for p in line[2:].split("|", 1))
        elif line.startswith("--"):
            close()
            current = _header(line[2:], situation_id, situation, where)
        elif current is None:
            raise InputError(f"{where}: text before the first '--' entry header")
        elif line.startswith("D "):
            current["description"] = line[2:].strip()
        elif line.startswith("O "):
            current["objective"] = line[2:].strip()
        else:
            current["shots"].append(_shot(line, where))
    close()
    return entries


def _header(text: str, situation_id: str, situation: str, where: str) -> dict:
    parts = [p.strip() for p in text.split("|")]
    if len(parts) != 7:
        raise InputError(f"{where}: an entry header needs 7 '|'-separated fields, found {len(parts)}")
    nn, genres, inout, location, time, characters, films = parts
    return {
        "id": f"{situation_id}-{nn}",
        "situation": situation,
        "genres": genres.split(),
        "interior": {"int": True, "ext": False, "-": None}[inout],
        "location": location,
        "time_of_day": None if time == "-" else TimeOfDay(time),
        "characters": int(characters),
        "films": [f.strip() for f in films.split(";") if f.strip()],
        "shots": [],
        "description": "",
        "objective": "",
    }


def _shot(line: str, where: str) -> CorpusShot:
    try:
        spec, shows, role = (p.strip() for p in line.split("|"))
        scale, angle, move, seconds = spec.split()
        movement, _, direction = move.partition("/")
        return CorpusShot(
            scale=ShotScale(scale),
            angle=ANGLES[angle],
            movement=Movement(movement),
            direction=direction or None,
            duration_s=float(seconds),
            shows=shows,
            role=role,
        )
    except (ValueError, KeyError) as exc:
        raise InputError(f"{where}: bad shot line {line!r} ({exc})") from exc


def build() -> Corpus:
    entries = [e for sheet in sorted(SOURCE_DIR.glob("*.txt")) for e in parse_sheet(sheet.read_text(), sheet.name)]
    return Corpus(entries=entries)


def main() -> int:
    from filmaster.retrieval.corpus import save_corpus, validate_corpus

    corpus = build()
    problems = validate_corpus(corpus)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    save_corpus(corpus, OUTPUT)
    print(f"wrote {len(corpus.entries)} entries to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
