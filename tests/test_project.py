from __future__ import annotations

from pathlib import Path

import pytest

from filmaster.errors import OutputExistsError
from filmaster.project import Project, content_key, publish


def test_content_key_is_stable_and_sensitive() -> None:
    assert content_key("a", {"x": 1, "y": [1, 2]}) == content_key("a", {"y": [1, 2], "x": 1})
    assert content_key("a", {"x": 1}) != content_key("a", {"x": 2})


def test_cache_makes_once_then_reuses(tmp_path: Path) -> None:
    source = tmp_path / "story.fountain"
    source.write_text("INT. ROOM - DAY\n")
    project = Project(tmp_path / "out", source)
    calls = []

    def make(tmp: Path) -> None:
        calls.append(tmp)
        tmp.write_text("rendered")

    first = project.cache.fetch_or_make("shots", "k1", ".txt", make)
    second = project.cache.fetch_or_make("shots", "k1", ".txt", make)
    assert first == second and first.read_text() == "rendered"
    assert len(calls) == 1
    assert project.cache.work.computed["shots"] == 1 and project.cache.work.reused["shots"] == 1


def test_a_failed_unit_leaves_nothing_behind(tmp_path: Path) -> None:
    source = tmp_path / "story.fountain"
    source.write_text("INT. ROOM - DAY\n")
    project = Project(tmp_path / "out", source)

    def crash(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("renderer died")

    with pytest.raises(RuntimeError):
        project.cache.fetch_or_make("shots", "k2", ".txt", crash)
    assert not project.cache.has("shots", "k2", ".txt")
    assert list((project.cache.root / "shots").iterdir()) == []


def test_output_folder_rules(tmp_path: Path) -> None:
    story = tmp_path / "story.fountain"
    other = tmp_path / "other.fountain"
    story.write_text("x")
    other.write_text("x")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(OutputExistsError, match="--force"):
        Project(foreign, story)
    Project(tmp_path / "film", story)
    Project(tmp_path / "film", story)  # the same film again: resume
    with pytest.raises(OutputExistsError, match=r"story\.fountain"):
        Project(tmp_path / "film", other)
    Project(tmp_path / "film", other, force=True)


def test_publish_links_or_copies(tmp_path: Path) -> None:
    source = tmp_path / "a.bin"
    source.write_bytes(b"123")
    target = tmp_path / "media" / "b.bin"
    publish(source, target)
    publish(source, target)
    assert target.read_bytes() == b"123"
