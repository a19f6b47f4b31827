"""An FCPXML 1.9 checker for the tests: the DTD's facts (tests/export/data/fcpxml-1.9-facts.json, restated by hand)
and the rules Apple's FCPXML reference documents beside the DTD. `fcpxml_problems` lists every breach it finds,
one line each, so a test shows them all at once."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from fractions import Fraction
from functools import cache
from pathlib import Path

FACTS = Path(__file__).parent / "data" / "fcpxml-1.9-facts.json"
_NAME = re.compile(r"[A-Za-z][\w.-]*")
_TIME = re.compile(r"^(-?\d+)(?:/(\d+))?s$")
AUDIO_ROLES = ("dialogue", "music", "effects")  # Final Cut's built-in audio roles


@cache
def facts() -> dict:
    return json.loads(FACTS.read_text(encoding="utf-8"))


@cache
def content_pattern(model: str) -> re.Pattern[str]:
    """A DTD content model as a regular expression over the children's names, each followed by a space:
    "(a?, (b | c)*)" matches "a b c b ". Commas are sequence, | choice, ? * + repetition, as in the DTD."""
    if model in ("EMPTY", "#PCDATA"):
        return re.compile("")
    # Names first (each then ends in a marker standing for its space), then the DTD's own spacing and commas go.
    named = _NAME.sub(lambda m: f"\0{re.escape(m.group(0))}\1", model)
    compact = re.sub(r"[\s,]", "", named).replace("(", "(?:")
    return re.compile(compact.replace("\0", "(?:").replace("\1", " )"))


def seconds(value: str) -> Fraction | None:
    """FCPXML's rational time ("0s", "5s", "1001/24s"), or None when it is not one."""
    found = _TIME.match(value)
    if not found:
        return None
    return Fraction(int(found.group(1)), int(found.group(2) or 1))


def dtd_problems(root: ET.Element) -> list[str]:
    """Where the document departs from the DTD's facts: unknown elements, children out of the content model,
    missing or unknown attributes, enumerated values out of their list, times that are not rational."""
    known = facts()["elements"]
    timed = set(facts()["time_attributes"])
    problems = []
    for element in root.iter():
        rule = known.get(element.tag)
        if rule is None:
            problems.append(f"<{element.tag}> is not an element the facts list")
            continue
        children = "".join(f"{child.tag} " for child in element)
        if not content_pattern(rule["content"]).fullmatch(children):
            problems.append(f"<{element.tag}> holds ({children.strip()}), not {rule['content']}")
        if rule["content"] != "#PCDATA" and (element.text or "").strip():
            problems.append(f"<{element.tag}> holds text")
        for name in rule["required"]:
            if element.get(name) is None:
                problems.append(f"<{element.tag}> lacks its required {name}")
        for name, value in element.attrib.items():
            if name not in rule["attributes"]:
                problems.append(f"<{element.tag}> has {name}, which the DTD does not declare for it")
            elif value not in rule.get("values", {}).get(name, [value]):
                problems.append(f"<{element.tag} {name}={value!r}> is none of {rule['values'][name]}")
            elif name in timed and seconds(value) is None:
                problems.append(f"<{element.tag} {name}={value!r}> is not a rational time")
    return problems


def rule_problems(root: ET.Element, track_names: list[str]) -> list[str]:
    """Where the document breaks the reference's rules: times off the sequence's frame grid (a sound clip's in-point
    on its media's sample grid instead), references to ids that do not exist, connected clips without a lane,
    audio roles that are not named after the track their lane holds (`track_names`: the audio tracks, top down)."""
    problems = []
    ids = {element.get("id"): element for element in root.iter() if element.get("id") is not None}
    sequence = root.find("library/event/project/sequence")
    fmt = ids.get(sequence.get("format")) if sequence is not None else None
    if fmt is None:
        return ["the sequence names no format the resources hold"]
    grid = seconds(fmt.get("frameDuration", ""))
    if not grid or not fmt.get("width") or not fmt.get("height"):
        return [f"format {fmt.get('id')} lacks a frame duration, width or height"]
    for element in root.iter():
        for name in ("ref", "format"):
            if element.get(name) is not None and element.get(name) not in ids:
                problems.append(f"<{element.tag} {name}={element.get(name)!r}> names no resource")
        for name in ("offset", "duration", "tcStart", "time"):
            value = seconds(element.get(name, "")) if element.get(name) else None
            if value is not None and value % grid:
                problems.append(f"<{element.tag} {name}={element.get(name)!r}> is off the {grid}s frame grid")
        if element.tag == "asset-clip" and element.get("start"):
            asset = ids.get(element.get("ref"))
            rate = int(asset.get("audioRate")) if asset is not None and asset.get("hasVideo") != "1" else None
            step = Fraction(1, rate) if rate else grid
            if (seconds(element.get("start")) or 0) % step:
                problems.append(f"<asset-clip start={element.get('start')!r}> is off its media's grid {step}s")
    spine = sequence.find("spine")
    for item in spine if spine is not None else []:
        if item.get("lane") is not None:
            problems.append(f"<{item.tag} name={item.get('name')!r}> is on the spine yet has a lane")
        for connected in item:
            if connected.tag not in ("asset-clip", "clip", "audio", "video", "gap", "title"):
                continue
            lane = connected.get("lane")
            if lane is None or lane == "0":
                problems.append(f"connected <{connected.tag} name={connected.get('name')!r}> has no lane")
                continue
            role = connected.get("audioRole")
            if role is None or -int(lane) > len(track_names):
                problems.append(f"<{connected.tag} name={connected.get('name')!r}> on lane {lane} has no track role")
                continue
            main, _, sub = role.partition(".")
            track = track_names[-int(lane) - 1].split(" ")[0]
            expected = track.lower() if track.lower() in AUDIO_ROLES[:2] else "effects"
            if main != expected or (main == "effects" and sub != track):
                problems.append(f"lane {lane} (track {track_names[-int(lane) - 1]!r}) has the role {role!r}")
    return problems


def fcpxml_problems(text: str, track_names: list[str]) -> list[str]:
    """Every breach of the DTD's facts and the documented rules in an FCPXML document's text."""
    if "<!DOCTYPE fcpxml>" not in text.split("\n", 2)[1]:
        return ["no <!DOCTYPE fcpxml> after the XML declaration"]
    root = ET.fromstring(text.split("\n", 2)[2])
    return dtd_problems(root) + rule_problems(root, track_names)
