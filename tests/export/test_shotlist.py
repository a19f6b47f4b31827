from __future__ import annotations

import csv
from pathlib import Path

import pytest

from filmaster.errors import ExportError
from filmaster.export import timecode, write_shotlist
from filmaster.export.shotlist import COLUMNS

from .conftest import make_cut, make_plan


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return {row["id"]: row for row in reader}


def test_timecode() -> None:
    assert timecode(0, 24) == "00:00:00:00"
    assert timecode(23, 24) == "00:00:00:23"
    assert timecode(24 * 3661 + 5, 24) == "01:01:01:05"
    assert timecode(30 * 60 + 29, 30) == "00:01:00:29"


def test_with_cut_timecodes_are_record_times(tmp_path: Path) -> None:
    plan, cut = make_plan(), make_cut()
    paths = write_shotlist(plan, cut, tmp_path)
    assert [p.name for p in paths] == ["shotlist.md", "shotlist.csv"]
    rows = _rows(tmp_path / "shotlist.csv")
    assert set(rows) == {shot.id for shot in plan.shots}
    got = {shot_id: (r["#"], r["in"], r["out"], r["duration"]) for shot_id, r in rows.items()}
    assert got == {
        "S01-01": ("1", "00:00:00:00", "00:00:00:12", "0.50"),
        "S01-02": ("2", "00:00:00:12", "00:00:00:18", "0.25"),
        "S01-03": ("", "", "", "0.50"),  # planned but dropped by the edit
        "S02-01": ("3", "00:00:00:18", "00:00:01:00", "0.25"),
        "S02-02": ("4", "00:00:01:00", "00:00:01:12", "0.50"),
    }
    assert rows["S02-01"]["speed"] == "2" and rows["S02-02"]["speed"] == "1"
    assert rows["S01-02"]["scale"] == "CU" and rows["S01-02"]["angle"] == "low"
    assert rows["S01-02"]["movement"] == "dolly_in" and rows["S01-02"]["lens"] == "75mm"
    assert rows["S01-01"]["dialogue"] == "MARA: Is anyone | there?"
    assert rows["S01-03"]["subjects"] == "cup"


def test_markdown_has_scenes_and_a_row_per_shot(tmp_path: Path) -> None:
    plan = make_plan()
    write_shotlist(plan, make_cut(), tmp_path)
    text = (tmp_path / "shotlist.md").read_text(encoding="utf-8")
    assert "## Scene 1: INT. KITCHEN - NIGHT" in text and "## Scene 2: EXT. STREET - NIGHT" in text
    assert "**Objective:** Mara hears a noise" in text and "**Characters:** MARA, JONAS" in text
    table_rows = [line for line in text.splitlines() if line.startswith("| ") and "S0" in line]
    assert len(table_rows) == len(plan.shots)
    header_cells = len(COLUMNS) - 1  # the scene column is the section
    for row in table_rows:
        # the pipe inside the dialogue is escaped, so every row has exactly the header's cells
        assert row.replace("\\|", "").count("|") == header_cells + 1, row
    s0102 = next(r for r in table_rows if "S01-02" in r)
    assert "00:00:00:12 | 00:00:00:18" in s0102
    assert "Is anyone \\| there?" in text


def test_without_cut_times_follow_the_plan(tmp_path: Path) -> None:
    write_shotlist(make_plan(), None, tmp_path, fps=25)
    rows = _rows(tmp_path / "shotlist.csv")
    # 0.5 s shots at 25 fps: 12.5 rounds to 12 frames each, back to back in plan order
    assert [(r["in"], r["out"]) for r in rows.values()] == [
        ("00:00:00:00", "00:00:00:12"),
        ("00:00:00:12", "00:00:00:24"),
        ("00:00:00:24", "00:00:01:11"),
        ("00:00:01:11", "00:00:01:23"),
        ("00:00:01:23", "00:00:02:10"),
    ]


def test_bad_fps_raises(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="positive frame rate"):
        write_shotlist(make_plan(), None, tmp_path, fps=0)
