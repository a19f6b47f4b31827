"""A scripted "model" for develop tests: valid answers for each step, recognised from the step's system prompt."""

from __future__ import annotations

import json
import re
from typing import Any

SYNOPSIS = {
    "title": "The Last Crossing",
    "logline": "A ferry pilot must decide whether to sail her final crossing through a storm.",
    "synopsis": "Mara has piloted the ferry for thirty years. On the night of her last crossing a storm rises. "
    "Tomas, the harbour master, orders the boat kept in. Mara sails anyway, and reaches the far shore at dawn.",
}
CAST = {
    "characters": [
        {"name": "Mara", "description": "sixty, weathered, stubborn", "shirt": "teal", "hair": "grey", "voice": "low"},
        {"name": "Tomas", "description": "harbour master", "shirt": "purple", "hair": "black", "voice": "high"},
    ],
    "locations": [
        {"name": "Harbour Office", "interior": True, "description": "a cramped room of charts"},
        {"name": "Ferry Deck", "interior": False, "description": "wet planks, a rail, the sea"},
    ],
}


def outline(scenes: int) -> dict[str, Any]:
    places = ["HARBOUR OFFICE", "FERRY DECK"]
    return {
        "scenes": [
            {
                "location": places[i % 2],
                "time": ["NIGHT", "DAWN"][i % 2],
                "characters": ["MARA", "TOMAS"] if i % 2 == 0 else ["MARA"],
                "summary": f"Beat {i + 1}: Mara and the storm.",
            }
            for i in range(scenes)
        ]
    }


SCENE = {
    "elements": [
        {"type": "action", "character": "", "parenthetical": "", "text": "Rain hammers the window."},
        {"type": "dialogue", "character": "MARA", "parenthetical": "quietly", "text": "I am taking her out."},
        {"type": "dialogue", "character": "TOMAS", "parenthetical": "", "text": "Not tonight, Mara."},
        {"type": "action", "character": "", "parenthetical": "", "text": "She pulls on her coat."},
    ]
}


def step_of(body: dict[str, Any]) -> str:
    system = body["messages"][0]["content"]
    for step, marker in (("cast", "casting director"), ("outline", "outlining"), ("scene", "Write one scene")):
        if marker in system:
            return step
    return "synopsis"


def answer(body: dict[str, Any]) -> str:
    """The model's reply to one develop question."""
    step = step_of(body)
    if step == "outline":
        count = int(re.search(r"exactly (\d+) scenes", body["messages"][1]["content"])[1])  # type: ignore[index]
        return json.dumps(outline(count))
    scene = dict(SCENE)
    if step == "scene":
        prompt = body["messages"][1]["content"]
        number = re.search(r"Scene (\d+) of", prompt)[1]  # type: ignore[index]
        opening = {"type": "action", "character": "", "parenthetical": "", "text": f"Scene {number} begins."}
        spoken = [
            e for e in SCENE["elements"] if "Characters in the scene: MARA\n" not in prompt or e["character"] != "TOMAS"
        ]
        if number != "1":  # no two scenes alike: identical shots would share one render
            spoken = [{**e, "text": f"{e['text']} Scene {number}."} if e["character"] else e for e in spoken]
        scene = {"elements": [opening, *spoken]}
    return json.dumps({"synopsis": SYNOPSIS, "cast": CAST, "scene": scene}[step])
